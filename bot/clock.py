"""The clock: APScheduler runs the reminder tick every minute, the recovery of acked triages other instances left
behind every few seconds, and the retention purge daily, in memory.

APScheduler is only the clock; the record of what is due lives in the `reminders` and `triage_jobs` tables, so
every instance can tick, and nothing depends on a job store surviving a restart.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from pathlib import Path

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.interval import IntervalTrigger

logger = logging.getLogger(__name__)

TICK_SECONDS = 60
PURGE_HOURS = 24
RECOVER_SECONDS = 5  # how often acked triages left by a stopped or dead instance are looked for
STALL_TICKS = 3  # no tick completed (nor a reminder sent) for this many tick intervals: the clock has stalled
STALL_GRACE_SECONDS = 5


class Heartbeat:
    """A file the clock process touches whenever a tick completes or sends a reminder, and that the web workers
    of the same instance read for `/healthz`. One per instance: named after the process that runs the clock's
    supervisor (gunicorn's master, the web workers' parent)."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)

    @classmethod
    def of_instance(cls, data_dir: Path, instance_pid: int) -> Heartbeat:
        """The heartbeat of the instance whose clock is supervised by process `instance_pid`."""
        return cls(Path(data_dir).resolve() / f"clock-{instance_pid}.heartbeat")

    @classmethod
    def of_clock_service(cls, data_dir: Path) -> Heartbeat:
        """The heartbeat of a clock run as a service of its own (`pushback clock`), which `pushback clock --check`
        reads: one per data directory, so one per container or pod."""
        return cls(Path(data_dir).resolve() / "clock.heartbeat")

    def beat(self) -> None:
        """Note that the clock is making progress now."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.path.touch()
        except OSError as error:
            logger.warning("could not note the clock's heartbeat: %s", type(error).__name__)

    def age(self) -> float | None:
        """Seconds since the last beat, or None when the clock has never beaten here."""
        try:
            return time.time() - self.path.stat().st_mtime
        except OSError:
            return None

    def seconds_since(self, otherwise_since: float) -> float:
        """Seconds since the last beat (or since `otherwise_since`, a wall-clock time, when there was none)."""
        age = self.age()
        return time.time() - otherwise_since if age is None else age

    def remove(self) -> None:
        """Forget the file (the instance stops)."""
        try:
            os.unlink(self.path)
        except OSError:
            pass


def stall_seconds(tick_seconds: float) -> float:
    """How long without a completed tick (or a reminder sent) means the clock has stalled."""
    return STALL_TICKS * tick_seconds + STALL_GRACE_SECONDS


def _guarded(name: str, job: Callable[[], object], done: Callable[[], None] | None = None) -> Callable[[], None]:
    def run() -> None:
        try:
            job()
        except Exception:  # a failed tick is retried by the next one; the rows are the record
            logger.exception("%s failed; the next run tries again", name)
        finally:
            if done is not None:
                done()
    return run


def start_scheduler(tick: Callable[[], object], purge: Callable[[], object],
                    tick_seconds: float = TICK_SECONDS,
                    on_tick_done: Callable[[], None] | None = None,
                    recover: Callable[[], object] | None = None) -> BackgroundScheduler:
    """Start ticking now and every `tick_seconds`, recovering acked triages (`recover`, when given) now and every
    `RECOVER_SECONDS`, and purging now and daily; returns the running scheduler. `on_tick_done` is called after
    every tick, failed or not (the clock's heartbeat)."""
    scheduler = BackgroundScheduler(timezone="UTC", job_defaults={"coalesce": True, "max_instances": 1,
                                                                  "misfire_grace_time": None})
    scheduler.add_job(_guarded("reminder tick", tick, on_tick_done), IntervalTrigger(seconds=tick_seconds),
                      id="reminder_tick", next_run_time=_now())
    if recover is not None:
        scheduler.add_job(_guarded("triage recovery", recover), IntervalTrigger(seconds=RECOVER_SECONDS),
                          id="triage_recovery", next_run_time=_now())
    scheduler.add_job(_guarded("retention purge", purge), IntervalTrigger(hours=PURGE_HOURS), id="retention_purge",
                      next_run_time=_now())
    scheduler.start()
    logger.info("scheduler started: reminder tick every %ss, triage recovery every %ss, retention purge every %sh",
                tick_seconds, RECOVER_SECONDS if recover is not None else "-", PURGE_HOURS)
    return scheduler


def _now():
    from datetime import datetime, timezone

    return datetime.now(timezone.utc)
