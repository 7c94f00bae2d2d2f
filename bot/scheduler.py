"""The clock: APScheduler runs the reminder tick every minute and the retention purge daily, in memory.

APScheduler is only the clock; the record of what is due lives in the `reminders` table, so every instance can
tick, and nothing depends on a job store surviving a restart.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
PURGE_HOURS = 24


def _guarded(name: str, job: Callable[[], object]) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a failed tick is retried by the next one; the rows are the record
            logger.exception("%s failed; the next run tries again", name)
    return run


def start_scheduler(tick: Callable[[], object], purge: Callable[[], object],
                    tick_seconds: float = TICK_SECONDS) -> BackgroundScheduler:
    """Start ticking now and every `tick_seconds`, and purging now and daily; returns the running scheduler."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": None})
    scheduler.add_job(_guarded("reminder tick", tick), IntervalTrigger(seconds=tick_seconds), id="reminder_tick",
                      next_run_time=_now())
    scheduler.add_job(_guarded("retention purge", purge), IntervalTrigger(hours=PURGE_HOURS), id="retention_purge",
                      next_run_time=_now())
    scheduler.start()
    logger.info("scheduler started: reminder tick every %ss, retention purge every %sh", tick_seconds, PURGE_HOURS)
    return scheduler


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
