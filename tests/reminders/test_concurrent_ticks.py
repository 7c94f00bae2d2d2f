"""Several processes ticking at once over many due reminders: each reminder reaches Slack exactly once."""

from __future__ import annotations

import os
import subprocess
from collections import Counter
from datetime import datetime, timezone

from bot.accounts import import_accounts
from tests.conftest import BOT_TOKEN
from tests.support.process import PROJECT_ROOT, pushback_command

ACCOUNTS = 60


def _delivered(standin) -> Counter:
    return Counter(message["metadata"]["event_payload"]["reminder_id"]
                   for channel, messages in standin.messages.items() if channel.startswith("D")
                   for message in messages if (message.get("metadata") or {}).get("event_type"))


def test_four_processes_ticking_at_once_send_each_reminder_exactly_once(db, database_url, standin, tmp_path,
                                                                       fault_figures):
    rows = "\n".join(f"Client {n},U0OWNER{n:03d},2027-01-15" for n in range(ACCOUNTS))
    report = import_accounts(db, f"name,owner,qbr\n{rows}\n", "T0001",
                             now=datetime(2026, 12, 1, tzinfo=timezone.utc))
    assert len(report.created) == ACCOUNTS and not report.errors
    env = {**os.environ, "SLACK_BOT_TOKEN": BOT_TOKEN, "SLACK_API_URL": standin.api_url,
           "DATABASE_URL": database_url, "PUSHBACK_DATA_DIR": str(tmp_path), "PUSHBACK_REMINDERS_PER_SECOND": "0"}
    command = [*pushback_command(), "reminders", "run-due", "--now", "2027-01-14T12:00:00Z"]

    ticks = [subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(4)]
    outputs = [tick.communicate(timeout=120) for tick in ticks]

    assert [tick.returncode for tick in ticks] == [0, 0, 0, 0], outputs
    delivered = _delivered(standin)
    fault_figures(ticking_processes=4, reminders_due=ACCOUNTS * 2, reminders_delivered=len(delivered),
                  duplicates=sum(delivered.values()) - len(delivered))
    assert len(delivered) == ACCOUNTS * 2
    assert set(delivered.values()) == {1}
    printed_sent = sum(out.count("sent ") for out, _err in outputs)
    assert printed_sent == ACCOUNTS * 2
