"""Memory and start-up: the triage engine's RSS idle and after 10k triages, and `pushback run` launch to ready."""

from __future__ import annotations

import resource
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.support.process import PROJECT_ROOT

TRIAGE_RSS_SCRIPT = """
import resource, sys
def rss_mb():
    with open('/proc/self/status') as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) / 1024
import bot.triage as engine
from handlers.app import create_app
engine.triage("warm up the caches please")
idle = rss_mb()
samples = [
    "Could you add a French version of the site? Launch date stays the same.",
    "Please take 40% off the final invoice, our budget was cut.",
    "Can a few of you leave us Google reviews to get our rating up?",
    "Hi, quick one: please send the status update before Thursday. Thanks!",
]
for index in range(int(sys.argv[1])):
    engine.triage(samples[index % len(samples)] + f" ref {index}")
print(f"{idle:.1f} {rss_mb():.1f} {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f}")
"""


def triage_rss(triages: int) -> dict:
    """RSS of a process that imported the app and the engine, idle and after `triages` triages."""
    output = subprocess.run([sys.executable, "-c", TRIAGE_RSS_SCRIPT, str(triages)], cwd=PROJECT_ROOT,
                            capture_output=True, text=True, check=True).stdout.split()
    idle, after, peak = (float(value) for value in output)
    return {"triages": triages, "rss_idle_mb": idle, "rss_after_mb": after, "rss_peak_mb": peak}


def pushback_start(runs: int) -> list[float]:
    """Seconds from launching `pushback run` to `/healthz` answering 200, `runs` times (fresh SQLite each)."""
    from bench.serving import start_server, stop
    from tests.support.slack_standin import SlackStandIn

    timings = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            standin = SlackStandIn().start()
            process, _url, ready = start_server("pushback", standin, f"sqlite:///{Path(tmp) / 'start.sqlite3'}",
                                                Path(tmp))
            timings.append(ready)
            stop(process)
            standin.stop()
    return timings


def server_rss_mb(pid: int) -> float:
    """RSS of a process and its children in MB (a gunicorn master and its workers)."""
    total = 0
    pids = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        pids += [int(child) for child in children.read_text().split()]
    for each in pids:
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1])
    return total / 1024


def run(smoke: bool = False) -> dict:
    """Both measurements."""
    import statistics

    starts = pushback_start(1 if smoke else 5)
    return {**triage_rss(200 if smoke else 10_000), "start_median_s": statistics.median(starts),
            "start_max_s": max(starts), "start_runs": len(starts),
            "bench_process_peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


if __name__ == "__main__":
    print(run(smoke="--smoke" in sys.argv))
