"""Serving benchmark: signed `/pushback` requests at a fixed concurrency against `pushback run` and against a
bare Bolt app on gunicorn (gthread, 2 workers x 8 threads), both talking to the same Slack stand-in.

Reports ack latency percentiles, thread replies per second, errors, and requests over Slack's 3 s.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.driver import SlackDriver, http_request
from tests.support.process import PROJECT_ROOT, free_port, pushback_command
from tests.support.slack_standin import SlackStandIn

SIGNING_SECRET = "bench-signing-secret"
REQUEST = ("Hi team, while you're at it could you also redo the careers page and add a live chat? "
           "Launch date stays the same. Thanks, Ben")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 30.0) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if http_request(url, timeout=1).status in (200, 404):
                return time.perf_counter() - started
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("server did not become ready")


def start_server(kind: str, standin: SlackStandIn, database_url: str, workdir: Path) -> tuple[subprocess.Popen, str, float]:
    """Start `pushback` or `bare` on a free port; returns the process, its URL and seconds to ready."""
    port = free_port()
    env = {**os.environ, "SLACK_BOT_TOKEN": "xoxb-bench", "SLACK_SIGNING_SECRET": SIGNING_SECRET,
           "SLACK_API_URL": standin.api_url, "DATABASE_URL": database_url, "PORT": str(port),
           "PUSHBACK_DATA_DIR": str(workdir), "LOG_LEVEL": "WARNING", "PYTHONPATH": str(PROJECT_ROOT)}
    if kind == "pushback":
        command = [*pushback_command(), "run"]
        probe = f"http://127.0.0.1:{port}/healthz"
    else:
        command = [sys.executable, "-m", "gunicorn", "-k", "gthread", "-w", "2", "--threads", "8", "-b",
                   f"127.0.0.1:{port}", "--log-level", "warning", "bench.bare_app:wsgi"]
        probe = f"http://127.0.0.1:{port}/"
    log = open(workdir / f"{kind}.log", "wb")
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=PROJECT_ROOT, stdout=log, stderr=subprocess.STDOUT)
    _wait_ready(probe, process)
    return process, f"http://127.0.0.1:{port}", time.perf_counter() - started


def _process_tree(pid: int) -> list[int]:
    """`pid` and its descendants (gunicorn's master, its workers, the reminder clock)."""
    found = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    if children.exists():
        for child in children.read_text().split():
            found += _process_tree(int(child))
    return found


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by `pid` and its descendants; NaN where /proc is absent."""
    total = 0.0
    for member in _process_tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total if Path("/proc").exists() else float("nan")


def load(url: str, standin: SlackStandIn, requests: int, concurrency: int) -> dict:
    """Send `requests` signed slash commands, `concurrency` at a time; wait for every thread reply."""
    driver = SlackDriver(url, SIGNING_SECRET, standin)
    standin.reset_calls()

    def one(index: int):
        reply = driver.slash_command(f"{REQUEST} #{index}", user_id=f"U{index % 50:04d}", channel_id="C0INTERNAL")
        return reply.status, reply.seconds

    started = time.monotonic()
    with ThreadPoolExecutor(concurrency) as pool:
        results = list(pool.map(one, range(requests)))
    errors = sum(1 for status, _ in results if status != 200)
    expected = requests - errors
    try:
        replies = standin.wait_for("chat.postMessage", count=expected, timeout=120,
                                   where=lambda call: call.args.get("thread_ts"))
        finished = max(call.at for call in replies[:expected])
    except AssertionError:
        replies = [c for c in standin.calls_to("chat.postMessage") if c.args.get("thread_ts")]
        finished = time.monotonic()
    elapsed = finished - started
    acks = [seconds * 1000 for _, seconds in results]
    return {
        "requests": requests, "errors": errors, "over_3s": sum(1 for ms in acks if ms > 3000),
        "ack_p50_ms": statistics.median(acks), "ack_p95_ms": percentile(acks, 0.95),
        "ack_p99_ms": percentile(acks, 0.99), "thread_replies": len(replies),
        "replies_per_s": len(replies) / elapsed if elapsed > 0 else float("nan"),
    }


def stop(process: subprocess.Popen) -> None:
    """SIGTERM and wait."""
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


def run(smoke: bool = False, database_urls: dict[str, str] | None = None) -> list[dict]:
    """Both servers on each store; returns one row per (store, server)."""
    requests, concurrency = (24, 4) if smoke else (400, 8)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stores = {"SQLite": f"sqlite:///{workdir / 'bench.sqlite3'}"}
        stores.update(database_urls or {})
        for store, url in stores.items():
            for kind in ("bare", "pushback"):
                standin = SlackStandIn().start()
                process, base, ready = start_server(kind, standin, url, workdir)
                try:
                    load(base, standin, min(requests, 16), concurrency)
                    before = cpu_seconds(process.pid)
                    row = load(base, standin, requests, concurrency)
                    row["server_cpu_ms"] = (cpu_seconds(process.pid) - before) * 1000 / requests
                finally:
                    stop(process)
                    standin.stop()
                rows.append({"store": store, "server": kind, "ready_s": ready, **row})
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table, with Pushback's ratios to the bare app on the same store."""
    lines = ["| store | server | requests | errors | > 3 s | ack p50 ms | ack p95 ms | ack p99 ms | replies/s | "
             "p99 vs bare | replies/s vs bare | server CPU ms/request |", "|---" * 12 + "|"]
    bare = {row["store"]: row for row in rows if row["server"] == "bare"}
    for row in rows:
        anchor = bare.get(row["store"])
        p99_ratio = row["ack_p99_ms"] / anchor["ack_p99_ms"] if anchor else float("nan")
        rps_ratio = row["replies_per_s"] / anchor["replies_per_s"] if anchor else float("nan")
        lines.append(f"| {row['store']} | {row['server']} | {row['requests']} | {row['errors']} | {row['over_3s']} | "
                     f"{row['ack_p50_ms']:.1f} | {row['ack_p95_ms']:.1f} | {row['ack_p99_ms']:.1f} | "
                     f"{row['replies_per_s']:.1f} | {p99_ratio:.2f}x | {rps_ratio:.2f}x | {row['server_cpu_ms']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(smoke="--smoke" in sys.argv)))
