"""Acked triages survive the process: `pushback run` stopped (SIGTERM, as on a deploy) or killed (SIGKILL, as on an
eviction) while Slack is slow and triages are waiting, then started again on the same database, posts every acked
triage exactly once and asks no one to send theirs again."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from bot.db import Database
from bot.models import TriageJob
from bot.triage_jobs import METADATA_EVENT, UNFINISHED
from tests.conftest import SIGNING_SECRET, assert_no_client_text_logged
from tests.support.driver import eventually
from tests.support.process import AppProcess

TRIAGES = 12
SLOW_METHODS = ("chat.postMessage", "chat.getPermalink", "conversations.open", "conversations.history",
                "conversations.replies", "chat.delete")
REQUEST = "Hi Sam, can you add a French version of the site by Friday at no extra cost? Thanks, Jordan"


def _replies_per_channel(standin) -> Counter:
    """Triage replies in Slack now (a parent taken back is gone; each reply counts once), by channel."""
    messages = {channel: list(items) for channel, items in list(standin.messages.items())}
    return Counter(channel for channel, items in messages.items() for item in items
                   if item.get("thread_ts") and (item.get("metadata") or {}).get("event_type") == METADATA_EVENT)


def _unfinished(database_url: str) -> int:
    db = Database(database_url)
    try:
        with db.transaction() as session:
            return session.scalar(select(func.count()).select_from(TriageJob).where(TriageJob.status.in_(UNFINISHED)))
    finally:
        db.dispose()


@pytest.mark.parametrize("signal_name", ["SIGTERM", "SIGKILL"])
def test_every_acked_triage_is_posted_once_after_the_instance_is_stopped_and_started_again(
        signal_name, app_env, database_url, standin, tmp_path, fault_figures):
    for method in SLOW_METHODS:
        standin.delay(method, 1.0)
    first = AppProcess(app_env, standin, SIGNING_SECRET, tmp_path)
    first.start()
    channels = [f"D0USER{number:02d}" for number in range(TRIAGES)]
    try:
        acked = [first.driver.slash_command(REQUEST, user_id=channel[1:], channel_id=channel).status
                 for channel in channels]
        standin.wait_for("chat.postMessage")  # work under way, most of it still waiting
    finally:
        if signal_name == "SIGTERM":
            first.stop(timeout=60)
        else:
            first.kill()
    posted_by_first = sum(_replies_per_channel(standin).values())

    again = AppProcess(app_env, standin, SIGNING_SECRET, tmp_path)
    again.start()
    try:
        finished = eventually(lambda: _unfinished(database_url) == 0, timeout=150, interval=0.5)
    finally:
        again.stop(timeout=60)
    replies = _replies_per_channel(standin)
    told_to_resend = [call for call in standin.calls_to("response") if "send it again" in str(call.args)]
    fault_figures(acked=len(acked), posted_before_restart=posted_by_first, posted=len(replies),
                  duplicates=sum(replies.values()) - len(replies), told_to_resend=len(told_to_resend))
    assert acked == [200] * TRIAGES
    assert finished, f"{_unfinished(database_url)} acked triage(s) never finished"
    assert posted_by_first < TRIAGES  # the instance went while triages were still waiting
    assert replies == Counter(dict.fromkeys(channels, 1))
    assert told_to_resend == []
    for process in (first, again):
        assert_no_client_text_logged(process.log(), [REQUEST])
