"""Triage engine speed on one core: p50/p99 for a 1 KB request and a 20 KB email thread, triages per second,
and import plus first triage in a fresh process."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

from tests.support.process import PROJECT_ROOT

REQUEST = (
    "Hi Sam,\n\nHope you had a good weekend. Following our call, a few things from our side:\n\n"
    "- Could you add a French version of the pricing page before the launch on Friday? Our sales team in Lyon "
    "needs it for a trade show.\n"
    "- Please also take 20% off this month's invoice, since the campaign started late.\n"
    "- And can you send the updated media plan by Thursday?\n\n"
    "Let me know if any of this is a problem.\n\nBest,\nJordan Miles\nHead of Marketing, Northwind\n"
    "+44 20 7946 0000\n"
)
QUOTED_TURN = (
    "On Tue, 3 Nov 2026 at 10:14, Sam Carter <sam@agency.example> wrote:\n"
    "> Thanks Jordan, we have the brief and the team is on it. The retainer covers two rounds of revisions\n"
    "> on each deliverable, and we will share the first drafts next week as agreed in the statement of work.\n"
    "> Let us know if anything changes on your side before then.\n"
    "-----Original Message-----\n"
    "From: Jordan Miles\nSent: Monday, 2 November 2026 16:02\nSubject: RE: Launch plan\n"
    "> Could you also look at the newsletter template when you have a moment? No rush on that one.\n"
)


def _sized(text: str, size: int) -> str:
    body = text
    while len(body.encode()) < size:
        body += "\n" + QUOTED_TURN
    return body.encode()[:size].decode(errors="ignore")


def _one_core() -> tuple[str, set[int] | None]:
    """Pin this process to one core, as the targets ask; say which, and what it had before."""
    if hasattr(os, "sched_setaffinity"):
        before = os.sched_getaffinity(0)
        core = sorted(before)[0]
        os.sched_setaffinity(0, {core})
        return f"core {core}", before
    return "unpinned", None


def _latencies(text: str, runs: int) -> list[float]:
    from bot.triage import triage

    triage(text)
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        triage(text)
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


FIRST_TRIAGE = (
    "import time; started = time.perf_counter(); from bot.triage import triage; "
    "triage('Please take 20% off the final invoice.'); print(time.perf_counter() - started)"
)


def import_and_first_triage(runs: int) -> list[float]:
    """Seconds for a fresh interpreter to import the engine and triage one request (interpreter start excluded)."""
    return [float(subprocess.run([sys.executable, "-c", FIRST_TRIAGE], cwd=PROJECT_ROOT, capture_output=True,
                                 text=True, check=True).stdout) for _ in range(runs)]


def run(smoke: bool = False) -> list[dict]:
    """Rows for BENCHMARKS.md: one per input size, then import plus first triage."""
    pinned, before = _one_core()
    runs = 30 if smoke else 2000
    rows = []
    try:
        for label, size, target in (("1 KB request", 1024, 5.0), ("20 KB email thread", 20 * 1024, 25.0)):
            timings = _latencies(_sized(REQUEST, size), runs if size < 4096 else runs // 4)
            p99 = _percentile(timings, 0.99)
            rows.append({"input": label, "runs": len(timings), "p50_ms": statistics.median(timings),
                         "p99_ms": p99, "triages_per_s": 1000 / statistics.mean(timings),
                         "target": f"p99 <= {target:g} ms", "met": "yes" if p99 <= target else "NO", "cpu": pinned})
    finally:
        if before is not None:
            os.sched_setaffinity(0, before)
    firsts = import_and_first_triage(1 if smoke else 5)
    first = statistics.median(firsts)
    rows.append({"input": "import + first triage (fresh process)", "runs": len(firsts), "p50_ms": first * 1000,
                 "p99_ms": max(firsts) * 1000, "triages_per_s": "", "target": "<= 1000 ms",
                 "met": "yes" if first <= 1.0 else "NO", "cpu": "own process"})
    return rows
