"""The work after an ack runs on a small pool off the listener's thread, so the next requests are acked at once;
a failure there is logged, and a backed-up pool hands the work back to the listener's thread."""

import threading

from handlers import triage_flow


def test_work_after_the_ack_runs_on_the_pool_and_a_failure_is_logged_not_raised(caplog):
    done = threading.Event()
    threads = []

    def work(fail):
        threads.append(threading.current_thread().name)
        done.set()
        if fail:
            raise RuntimeError("boom")

    pool = triage_flow._AfterAck()
    pool.submit(work, True)

    assert done.wait(5)
    pool._executor().shutdown(wait=True)
    assert threads[0].startswith("after-ack")
    assert "work after ack failed" in caplog.text


def test_when_the_pool_is_backed_up_the_work_runs_in_the_listeners_thread(monkeypatch):
    monkeypatch.setattr(triage_flow, "AFTER_ACK_BACKLOG", 1)
    release = threading.Event()
    ran_in = []
    pool = triage_flow._AfterAck()

    pool.submit(release.wait, 5)
    pool.submit(lambda: ran_in.append(threading.current_thread()))

    assert ran_in == [threading.current_thread()]
    release.set()
    pool._executor().shutdown(wait=True)
