"""Serving benchmark: signed `/pushback` requests at a fixed concurrency against `pushback run` and against a
bare Bolt app on gunicorn (gthread, 2 workers x 8 threads), each talking to its own Slack stand-in.

The two servers run side by side and take turns in several rounds, so a noisy moment of the machine falls on
both. Reports ack latency percentiles, thread replies per second, errors, requests over Slack's 3 s, and the
servers' CPU per request.
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

from bench.stores import fresh_postgres_schema
from tests.support.driver import SlackDriver, http_request
from tests.support.process import PROJECT_ROOT, free_port, pushback_command
from tests.support.slack_standin import SlackStandIn

SIGNING_SECRET = "bench-signing-secret"
REQUESTS, CONCURRENCY, ROUNDS = 400, 8, 5
REQUEST = ("Hi team, while you're at it could you also redo the careers page and add a live chat? "
           "Launch date stays the same. Thanks, Ben")


def percentile(values: list[float], share: float) -> float:
    """The value below which `share` of `values` fall (nearest rank)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(share * len(ordered) + 0.5) - 1))
    return ordered[index]


def _wait_ready(url: str, process: subprocess.Popen, timeout: float = 30.0) -> None:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if http_request(url, timeout=1).status in (200, 404):
                return
        except OSError:
            pass
        time.sleep(0.02)
    raise RuntimeError("server did not become ready")


def start_server(kind: str, standin: SlackStandIn, database_url: str,
                 workdir: Path) -> tuple[subprocess.Popen, str, float]:
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


def wait_until_idle(pid: int, timeout: float = 20.0, window: float = 0.5, busy_share: float = 0.05) -> float:
    """Wait until `pid` and its descendants use under `busy_share` of a core over `window` seconds: a server
    answers its health check before it has finished starting (Pushback's reminder clock is still importing and
    ticking for the first time), and that start-up is not serving. Returns the seconds waited."""
    started = time.monotonic()
    before = cpu_seconds(pid)
    while time.monotonic() - started < timeout:
        time.sleep(window)
        now = cpu_seconds(pid)
        if now - before < busy_share * window:
            break
        before = now
    return time.monotonic() - started


def load(url: str, standin: SlackStandIn, requests: int, concurrency: int) -> dict:
    """Send `requests` signed slash commands, `concurrency` at a time; wait for every thread reply. Returns the
    ack times (ms), the errors, and the thread replies with the seconds from the first request to the last reply."""
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
    return {"acks_ms": [seconds * 1000 for _, seconds in results], "errors": errors,
            "thread_replies": len(replies), "seconds": finished - started}


def summary(rounds: list[dict], cpu_ms_per_request: float) -> dict:
    """One row from a server's rounds: ack percentiles over every request of every round, the median round's
    thread replies per second, errors and requests over 3 s in all."""
    acks = [ms for one in rounds for ms in one["acks_ms"]]
    rates = [one["thread_replies"] / one["seconds"] if one["seconds"] > 0 else float("nan") for one in rounds]
    return {
        "requests": len(acks), "rounds": len(rounds), "errors": sum(one["errors"] for one in rounds),
        "over_3s": sum(1 for ms in acks if ms > 3000), "ack_p50_ms": statistics.median(acks),
        "ack_p95_ms": percentile(acks, 0.95), "ack_p99_ms": percentile(acks, 0.99),
        "replies_per_s": statistics.median(rates), "replies_per_s_low": min(rates), "replies_per_s_high": max(rates),
        "server_cpu_ms": cpu_ms_per_request,
    }


def stop(process: subprocess.Popen) -> None:
    """SIGTERM and wait."""
    process.terminate()
    try:
        process.wait(20)
    except subprocess.TimeoutExpired:
        process.kill()


SERVERS = ("bare", "pushback")


def run(smoke: bool = False, database_urls: dict[str, str] | None = None) -> list[dict]:
    """Both servers on each store, started side by side and loaded in turns (`ROUNDS` rounds, the order swapped
    each round), so a noisy moment of the machine falls on both; returns one row per (store, server)."""
    requests, concurrency, rounds = (24, 4, 1) if smoke else (REQUESTS, CONCURRENCY, ROUNDS)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        stores = {"SQLite": f"sqlite:///{workdir / 'bench.sqlite3'}"}
        stores.update(database_urls or {})
        for store, base_url in stores.items():
            url, drop_schema = (fresh_postgres_schema(base_url) if base_url.startswith("postgresql")
                                else (base_url, None))
            standins = {kind: SlackStandIn().start() for kind in SERVERS}
            servers: dict[str, tuple[subprocess.Popen, str, float]] = {}
            try:
                for kind in SERVERS:
                    servers[kind] = start_server(kind, standins[kind], url, workdir)
                results: dict[str, list[dict]] = {kind: [] for kind in SERVERS}
                cpu = dict.fromkeys(SERVERS, 0.0)
                for kind, (process, base, _) in servers.items():
                    wait_until_idle(process.pid)
                    load(base, standins[kind], min(requests, 16), concurrency)
                for turn in range(rounds):
                    for kind in (SERVERS if turn % 2 == 0 else SERVERS[::-1]):
                        process, base, _ = servers[kind]
                        before = cpu_seconds(process.pid)
                        results[kind].append(load(base, standins[kind], requests, concurrency))
                        cpu[kind] += cpu_seconds(process.pid) - before
                for kind in SERVERS:
                    cpu_ms_per_request = cpu[kind] * 1000 / (requests * rounds)
                    rows.append({"store": store, "server": kind, **summary(results[kind], cpu_ms_per_request)})
            finally:
                for process, _, _ in servers.values():
                    stop(process)
                for standin in standins.values():
                    standin.stop()
                if drop_schema is not None:
                    drop_schema()
    return rows


def table(rows: list[dict]) -> str:
    """The rows as a Markdown table, with Pushback's ratios to the bare app on the same store."""
    lines = ["| store | server | requests | errors | > 3 s | ack p50 ms | ack p95 ms | ack p99 ms | "
             "replies/s (median) | replies/s (range) | p99 vs bare | replies/s vs bare | server CPU ms/request |",
             "|---" * 13 + "|"]
    bare = {row["store"]: row for row in rows if row["server"] == "bare"}
    for row in rows:
        anchor = bare.get(row["store"])
        p99_ratio = row["ack_p99_ms"] / anchor["ack_p99_ms"] if anchor else float("nan")
        rps_ratio = row["replies_per_s"] / anchor["replies_per_s"] if anchor else float("nan")
        lines.append(f"| {row['store']} | {row['server']} | {row['requests']} | {row['errors']} | {row['over_3s']} | "
                     f"{row['ack_p50_ms']:.1f} | {row['ack_p95_ms']:.1f} | {row['ack_p99_ms']:.1f} | "
                     f"{row['replies_per_s']:.1f} | {row['replies_per_s_low']:.0f}-{row['replies_per_s_high']:.0f} | "
                     f"{p99_ratio:.2f}x | {rps_ratio:.2f}x | {row['server_cpu_ms']:.2f} |")
    return "\n".join(lines)


if __name__ == "__main__":
    print(table(run(smoke="--smoke" in sys.argv)))
