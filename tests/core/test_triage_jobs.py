"""Acked triages kept as jobs: born claimed by the acking instance, under a lease that another instance takes over
only when it runs out (or the job is handed back), renewed by work that outlives a third of it, posted once (fenced
on the claim, and looked for in Slack when a worker died after posting), and holding the client's words no longer
than the work, the retention and forget-me allow."""

from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from bot.blocks.triage import REQUEST_INPUT_ACTION, REQUEST_INPUT_BLOCK, VIEW_PASTE_REQUEST
from bot.leases import Claims, Lease, LeaseKeeper, new_claim_token
from bot.models import TriageJob, TriageJobStatus
from bot.privacy import forget_user_data
from bot.slack.client import make_web_client
from bot.slack.services import Services
from bot.slack import triage_flow
from bot.slack.triage_flow import triage_and_deliver
from bot.slack.triage_jobs import ask_from_job, finish_claimed, recover_stranded, triage_acked
from bot.triage_store import as_utc
from bot.triage_jobs import (
    JOB_CLAIMS,
    JOB_LEASE,
    JobClaim,
    JobDraft,
    claim_stranded,
    finish_job,
    hand_back,
    load_job,
    purge_jobs,
    queue_job,
)
from handlers.services import stop_taking_work, stopping
from tests.conftest import BOT_TOKEN
from tests.support.driver import eventually

ASKED = datetime(2026, 12, 1, 12, tzinfo=timezone.utc)
TEXT = "Hi, could you also add a French version of the site by Friday at no extra cost? Thanks, Jo"


def _queue(db, user="U0ALICE", now=ASKED, retention_days=30, channel="D0ALICE", token=None) -> int:
    """A job acked at `now`, born claimed by `token` (by an instance that died, when none is given)."""
    return queue_job(db, JobDraft(request_id="req", team_id="T0001", user_id=user, source="command", text=TEXT,
                                  channel_id=channel, response_url="https://hooks.example.invalid/1"),
                     retention_days, token or new_claim_token(), now=now)


def _row(db, job_id) -> TriageJob | None:
    with db.transaction() as session:
        row = session.scalar(select(TriageJob).where(TriageJob.id == job_id))
        if row is not None:
            session.expunge(row)
        return row


def test_the_acking_instance_holds_its_job_from_the_ack_and_no_one_else_takes_it_while_its_lease_is_renewed(db):
    mine = new_claim_token()
    job_id = _queue(db, token=mine)

    assert claim_stranded(db, new_claim_token(), now=ASKED + timedelta(seconds=1)) == []
    renewed_at = ASKED + JOB_LEASE - timedelta(seconds=1)
    assert Lease(db, JOB_CLAIMS, mine, lambda: renewed_at).hold(job_id)

    assert claim_stranded(db, new_claim_token(), now=ASKED + JOB_LEASE + timedelta(seconds=1)) == []
    assert _row(db, job_id).attempts == 1


def test_a_job_whose_lease_ran_out_is_taken_over_and_the_first_claim_is_fenced(db):
    first = new_claim_token()
    never_started, working = _queue(db), _queue(db, user="U0BOB", token=first)
    assert claim_stranded(db, new_claim_token(), now=ASKED + timedelta(seconds=1)) == []

    later = ASKED + JOB_LEASE + timedelta(seconds=1)
    second = new_claim_token()
    assert claim_stranded(db, second, now=later) == sorted([never_started, working])

    assert not Lease(db, JOB_CLAIMS, first, lambda: later).hold(working)  # the fence: the first claim posts nothing
    assert load_job(db, working, first) is None
    assert not finish_job(db, working, first)
    assert finish_job(db, working, second)
    assert _row(db, working).status == "done"


def test_work_that_outlives_a_third_of_its_lease_keeps_its_job_renewed_in_the_background(db):
    quick = Claims(TriageJob, TriageJobStatus.CLAIMED, JOB_LEASE, timedelta(milliseconds=20))
    mine = new_claim_token()
    job_id = _queue(db, token=mine)
    born_until = as_utc(_row(db, job_id).lease_until)

    with LeaseKeeper().kept(Lease(db, quick, mine, leased_at=ASKED), job_id):
        renewed = eventually(lambda: as_utc(_row(db, job_id).lease_until) > born_until)

    assert renewed
    assert claim_stranded(db, new_claim_token(), now=born_until + timedelta(seconds=1)) == []


def test_a_job_handed_back_by_a_stopping_instance_is_taken_at_once_and_not_looked_for_in_slack(db):
    mine = new_claim_token()
    job_id = _queue(db, now=ASKED, token=mine)

    assert not hand_back(db, job_id, new_claim_token(), now=ASKED + timedelta(seconds=1))  # only by its holder
    assert hand_back(db, job_id, mine, now=ASKED + timedelta(seconds=1))

    taker = new_claim_token()
    assert claim_stranded(db, taker, now=ASKED + timedelta(seconds=1)) == [job_id]
    assert load_job(db, job_id, taker).attempts == 1  # the handed-back claim never started, so counts for nothing


def test_concurrent_recoveries_take_different_jobs_and_together_all(db):
    jobs = {_queue(db, user=f"U0USER{number}") for number in range(24)}
    later = ASKED + JOB_LEASE + timedelta(seconds=1)
    taken: list[list[int]] = []
    start = threading.Barrier(4)

    def recover() -> None:
        start.wait()
        for _ in range(10):
            taken.append(claim_stranded(db, new_claim_token(), now=later, limit=3))

    threads = [threading.Thread(target=recover) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    claimed = [job_id for batch in taken for job_id in batch]
    assert sorted(claimed) == sorted(jobs)


def test_a_finished_job_keeps_none_of_the_clients_words(db):
    token = new_claim_token()
    job_id = _queue(db, token=token)

    assert finish_job(db, job_id, token)

    row = _row(db, job_id)
    assert (row.status, row.request_text, row.details, row.response_url) == ("done", None, None, None)


def test_a_jobs_text_expires_with_the_retention_and_finished_jobs_go_after_a_day(db):
    token = new_claim_token()
    kept_30_days, kept_none, finished = _queue(db), _queue(db, retention_days=0), _queue(db, token=token)
    finish_job(db, finished, token, now=ASKED)

    assert purge_jobs(db, now=ASKED + timedelta(hours=2)) == 1
    assert (_row(db, kept_none).status, _row(db, kept_none).request_text) == ("failed", None)
    assert _row(db, kept_30_days).request_text == TEXT
    assert _row(db, finished) is not None

    purge_jobs(db, now=ASKED + timedelta(days=2))
    assert _row(db, finished) is None and _row(db, kept_none) is None
    purge_jobs(db, now=ASKED + timedelta(days=31))
    assert (_row(db, kept_30_days).status, _row(db, kept_30_days).request_text) == ("failed", None)


def test_forget_me_deletes_the_users_jobs_and_only_theirs(db):
    alice, bob = _queue(db), _queue(db, user="U0BOB")

    forgotten = forget_user_data(db, "T0001", "U0ALICE")

    assert forgotten.jobs == 1
    assert _row(db, alice) is None and _row(db, bob) is not None


def _services(slack_app) -> tuple[Services, object]:
    return Services(settings=slack_app.settings, db=slack_app.db), make_web_client(slack_app.settings,
                                                                                   token=BOT_TOKEN)


def _triage_posts(standin) -> list[str]:
    return [call.args["channel"] for call in standin.calls_to("chat.postMessage") if call.args.get("thread_ts")]


def test_a_claim_taken_over_while_it_triaged_posts_nothing(slack_app, standin):
    services, client = _services(slack_app)
    token = new_claim_token()
    job_id = _queue(slack_app.db, token=token)
    first = JobClaim(slack_app.db, job_id, token)
    job = load_job(slack_app.db, job_id, first.token)
    claim_stranded(slack_app.db, new_claim_token(), now=ASKED + JOB_LEASE + timedelta(seconds=1))

    triage_and_deliver(client, services, ask_from_job(client, job, ASKED), first)

    assert standin.calls_to("chat.postMessage") == []


def test_an_acked_triage_started_after_another_instance_took_its_job_over_is_left_to_that_instance(slack_app,
                                                                                                    standin):
    services, client = _services(slack_app)
    mine = new_claim_token()
    job_id = _queue(slack_app.db, token=mine)
    taker = new_claim_token()
    assert claim_stranded(slack_app.db, taker, now=ASKED + JOB_LEASE + timedelta(seconds=1)) == [job_id]
    ask = ask_from_job(client, load_job(slack_app.db, job_id, taker), ASKED)

    triage_acked(client, services, JobClaim(slack_app.db, job_id, mine, leased_at=ASKED), ask)

    assert standin.calls_to("chat.postMessage") == []
    assert load_job(slack_app.db, job_id, taker) is not None  # still the taker's to finish


class ProcessDied(BaseException):
    """The process ends at this point (as a SIGKILL would end it), past every `except Exception`."""


def test_a_job_posted_by_a_worker_that_died_before_marking_it_done_is_not_posted_again(slack_app, standin,
                                                                                      monkeypatch):
    services, client = _services(slack_app)
    token = new_claim_token()
    job_id = _queue(slack_app.db, token=token)
    died = JobClaim(slack_app.db, job_id, token)

    def die(*_args, **_kwargs):
        raise ProcessDied

    with monkeypatch.context() as patch, pytest.raises(ProcessDied):  # posted; it dies before storing it
        patch.setattr(triage_flow, "record_triage", die)
        triage_and_deliver(client, services, ask_from_job(client, load_job(slack_app.db, job_id, died.token), ASKED),
                           died)
    assert _triage_posts(standin) == ["D0ALICE"]
    with slack_app.db.transaction() as session:
        session.get(TriageJob, job_id).lease_until = ASKED  # and its lease runs out

    assert recover_stranded(slack_app.settings, slack_app.db) == 1

    assert _triage_posts(standin) == ["D0ALICE"]
    assert _row(slack_app.db, job_id).status == "done"


def test_a_parent_posted_without_its_reply_is_taken_back_and_the_triage_posted_once(slack_app, standin):
    services, client = _services(slack_app)
    token = new_claim_token()
    job_id = _queue(slack_app.db, token=token)
    died = JobClaim(slack_app.db, job_id, token)
    orphan = client.chat_postMessage(channel="D0ALICE", text="quoted request", metadata=died.metadata)["ts"]
    with slack_app.db.transaction() as session:
        session.get(TriageJob, job_id).lease_until = ASKED

    recover_stranded(slack_app.settings, slack_app.db)

    assert [call.args["ts"] for call in standin.calls_to("chat.delete")] == [orphan]
    assert _triage_posts(standin) == ["D0ALICE"]


def test_a_job_claimed_too_often_is_given_up_and_its_user_told(slack_app, standin):
    services, client = _services(slack_app)
    job_id = _queue(slack_app.db, now=ASKED - timedelta(hours=1))
    with slack_app.db.transaction() as session:
        session.get(TriageJob, job_id).attempts = 5
    claim = JobClaim(slack_app.db, job_id)
    assert claim_stranded(slack_app.db, claim.token)

    finish_claimed(client, services, claim)

    assert _triage_posts(standin) == []
    [told] = [call for call in standin.calls_to("chat.postEphemeral") + standin.calls_to("chat.postMessage")]
    assert "could not finish the triage" in told.args["text"]
    assert _row(slack_app.db, job_id).status == "failed"


@pytest.fixture
def process_stopping():
    """The app's process begins to stop (undone after the test: the flag is the process's)."""
    stop_taking_work()
    yield
    stopping.clear()


def test_a_shortcut_triage_left_at_a_stop_is_posted_by_another_instance_in_the_messages_thread(slack_app, standin,
                                                                                                process_stopping):
    words = "While you're at it could you also redo the careers page and add a live chat? Launch date stays the same."
    shared = {"is_share": True, "author_name": "Jordan Lee", "author_id": "U0JORDAN", "channel_id": "C0CLIENT",
              "ts": "1700000400.000400", "text": words}
    slack_app.driver.message_shortcut({"type": "message", "ts": "1700000500.000500", "text": "thoughts?",
                                       "attachments": [shared]}, channel_id="C0INTERNAL")
    slack_app.executor.shutdown(wait=True)
    assert standin.calls_to("chat.postMessage") == []

    assert recover_stranded(slack_app.settings, slack_app.db) == 1

    [reply] = [call.args for call in standin.calls_to("chat.postMessage") if call.args.get("thread_ts")]
    assert (reply["channel"], reply["thread_ts"]) == ("C0INTERNAL", "1700000500.000500")
    assert "live chat" in json.dumps(reply["blocks"]) and "Read from the message from Jordan Lee." in json.dumps(
        reply["blocks"])


def test_a_pasted_triage_left_at_a_stop_is_posted_by_another_instance(slack_app, standin, process_stopping):
    slack_app.driver.client_texts.append(TEXT)
    slack_app.driver.view_submission(VIEW_PASTE_REQUEST, {REQUEST_INPUT_BLOCK: {REQUEST_INPUT_ACTION: {
        "type": "plain_text_input", "value": TEXT}}}, private_metadata=json.dumps({"channel_id": "D0ALICE"}))
    slack_app.executor.shutdown(wait=True)

    assert recover_stranded(slack_app.settings, slack_app.db) == 1

    assert _triage_posts(standin) == ["D0ALICE"]


def test_a_triage_finished_after_slacks_response_url_expired_still_reaches_its_user(slack_app, standin):
    standin.add_channel("C0SHARED", name="client-shared", is_ext_shared=True)
    asked = datetime.now(timezone.utc) - timedelta(minutes=40)
    queue_job(slack_app.db, JobDraft(request_id="req", team_id="T0001", user_id="U0ALICE", source="command",
                                     text=TEXT, channel_id="C0SHARED", response_url=standin.response_url("old")),
              30, new_claim_token(), now=asked)

    assert recover_stranded(slack_app.settings, slack_app.db) == 1

    assert _triage_posts(standin) == ["DU0ALICE"]  # coaching about a client goes to the DM, with the bot token
    pointer = standin.calls_to("chat.postMessage")[-1].args  # the note saying where it went, by the bot token too
    assert pointer["channel"] == "DU0ALICE" and "open it" in pointer["text"] and not pointer.get("thread_ts")
    assert standin.calls_to("response") == []  # Slack no longer takes the expired response_url
