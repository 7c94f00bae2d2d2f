"""Several `pushback run` instances sharing one database, requests spread across them and all of them ticking:
every slash command answered once, every reminder sent once."""

from __future__ import annotations

from collections import Counter

from tests.conftest import SIGNING_SECRET
from tests.support.driver import eventually
from tests.support.reminders import accounts_due_tomorrow, all_reminders_sent
from tests.support.process import AppProcess

INSTANCES = 3
COMMANDS = 30
ACCOUNTS = 40


def test_three_instances_answer_each_command_once_and_send_each_reminder_once(db, app_env, standin, tmp_path,
                                                                               fault_figures):
    created = accounts_due_tomorrow(db, ACCOUNTS)
    env = {**app_env, "PUSHBACK_TICK_SECONDS": "1", "PUSHBACK_REMINDERS_PER_SECOND": "0",
           "PUSHBACK_WEB_WORKERS": "1", "PUSHBACK_WEB_THREADS": "4"}
    instances = [AppProcess(env, standin, SIGNING_SECRET, tmp_path) for _ in range(INSTANCES)]
    try:
        for instance in instances:
            instance.start()
        for number in range(COMMANDS):
            reply = instances[number % INSTANCES].driver.slash_command(
                f"Request {number}: please take 40% off the final invoice", channel_id="D0ALICE")
            assert reply.status == 200

        threads = standin.wait_for("chat.postMessage", count=COMMANDS, timeout=60,
                                   where=lambda c: c.args.get("thread_ts"))
        assert eventually(lambda: all_reminders_sent(db, created), timeout=60)
    finally:
        for instance in instances:
            instance.stop()
    logs = [instance.log() for instance in instances]

    parents = Counter(number for c in standin.calls_to("chat.postMessage") if not c.args.get("thread_ts")
                      for number in range(COMMANDS) if f"Request {number}:" in str(c.args.get("blocks")))
    assert len(threads) == COMMANDS
    assert parents == Counter(range(COMMANDS))
    delivered = Counter(m["metadata"]["event_payload"]["reminder_id"] for channel, messages in standin.messages.items()
                        if channel.startswith("D") for m in messages
                        if (m.get("metadata") or {}).get("event_type") == "pushback_qbr_reminder")
    fault_figures(instances=INSTANCES, requests=COMMANDS, answered=len(threads), reminders_due=ACCOUNTS,
                  reminders_delivered=len(delivered), duplicates=sum(delivered.values()) - len(delivered))
    assert len(delivered) == ACCOUNTS and set(delivered.values()) == {1}
    ticking = sum("scheduler started" in log for log in logs)
    assert ticking == INSTANCES
