"""`python -m bench`: every benchmark on this machine, written to BENCHMARKS.md (`--smoke`: tiny sizes, for CI).

Figures sit beside their anchors measured in the same run, because these machines are noisy.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

PG_URL_VARIABLE = "PUSHBACK_BENCH_POSTGRES_URL"
DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
SECTIONS = ("serving", "triage", "quality", "replies", "reminders", "memory")
NOTES = Path(__file__).with_name("profiling.md")


def _postgres_url() -> str | None:
    url = os.environ.get(PG_URL_VARIABLE, DEFAULT_PG_URL)
    if not url:
        return None
    try:
        from sqlalchemy import create_engine, text

        engine = create_engine(url, connect_args={"connect_timeout": 2})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return url
    except Exception:  # noqa: BLE001 - no server: the PostgreSQL rows are skipped and said so
        return None


def _machine() -> str:
    cpu = "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (f"{platform.system()} {platform.machine()}, {os.cpu_count()} cores ({cpu}), {memory:.0f} GiB, "
            f"Python {platform.python_version()}")


def _markdown_rows(rows: list[dict]) -> str:
    if not rows:
        return "(none)"
    keys = list(rows[0])
    lines = ["| " + " | ".join(keys) + " |", "|" + "---|" * len(keys)]
    for row in rows:
        cells = [f"{value:.2f}" if isinstance(value, float) else str(value) for value in row.values()]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks and write the report."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--smoke", action="store_true", help="tiny sizes, to keep the benchmark code working")
    parser.add_argument("--output", default="BENCHMARKS.md", help="where to write the report (default BENCHMARKS.md)")
    parser.add_argument("--only", choices=SECTIONS, action="append", help="run only these sections")
    args = parser.parse_args(argv)
    sections = args.only or list(SECTIONS)
    pg_url = _postgres_url()
    started = time.perf_counter()
    parts = [f"# Benchmarks\n\nMeasured with `python -m bench{' --smoke' if args.smoke else ''}` on "
             f"{datetime.date.today().isoformat()}: {_machine()}. PostgreSQL: "
             f"{'127.0.0.1:5432' if pg_url else 'not reachable, its rows were skipped'}.\n"]
    if "serving" in sections:
        from bench import serving

        rows = serving.run(smoke=args.smoke, database_urls={"PostgreSQL": pg_url} if pg_url else None)
        parts.append("## Serving: signed `/pushback` at concurrency 8, `pushback run` against a bare Bolt app\n\n"
                     "Both behind gunicorn (gthread, 2 workers x 8 threads), each with its own Slack stand-in on "
                     "loopback (HTTP/1.1 with keep-alive, as Slack's servers). The bare app only acks and posts a "
                     "parent and one thread reply; Pushback also triages, stores the triage, checks the channel and "
                     "builds the blocks. The two run side by side: each is left to finish starting (until idle) and "
                     f"warmed with 16 requests, then they take turns, {serving.ROUNDS} rounds of "
                     f"{serving.REQUESTS} requests each, the order swapped every round. Ack percentiles are over every "
                     "request; replies per second is the median round's, with the slowest and fastest rounds beside "
                     "it. Ratios compare with the bare app on the same store in the same run.\n\n"
                     f"{serving.table(rows)}\n")
        print(serving.table(rows), flush=True)
    if "triage" in sections:
        from bench import triage

        rows = triage.run(smoke=args.smoke)
        parts.append(f"## Triage engine, one core\n\n{_markdown_rows(rows)}\n")
        print(_markdown_rows(rows), flush=True)
    if "quality" in sections:
        from bench import quality

        rows, reliability = quality.run(smoke=args.smoke)
        parts.append("## Triage quality\n\nScored by `../shared/eval/score.py` (bars: " + quality.BARS + "). The "
                     "shared dev set's figures are also what `pushback triage --jsonl < ../shared/eval/dev.jsonl > "
                     "pred.jsonl && python3 ../shared/eval/score.py ../shared/eval/dev.jsonl pred.jsonl` prints; the "
                     "cues were tuned on it. The other sets in `tests/triage/` are never trained or tuned on: "
                     "`unseen2-4` were written blind to the engine; `heldout_r13p` (unethical and unfair practices, "
                     "with lawful look-alikes) and `heldout_r13o` (the other reasons, 40% acceptable requests) are "
                     "the held-out thirds of round 13, grounded in public articles, forums and regulator guidance; "
                     "`heldout_r14w` (agency voices), `heldout_r15k` (B2B key accounts), `heldout_r16a` and "
                     "`heldout_r16b` (agency and B2B, written by helpers who never saw the code or the examples) are "
                     "the held-out parts of later rounds, grounded the same way. "
                     "Beside the engine: the cues and the catalogue of practices alone (learned reader off), and the "
                     "plain baseline (TF-IDF + logistic regression on the same examples, `bench/baseline.py`)."
                     f"\n\n{_markdown_rows(rows)}\n\nHow well the confidence is calibrated, over the held-out sets "
                     "(not the dev set): per band of the triage's `confidence`, how many requests and the share whose "
                     "verdict was right. Below 0.5 a triage lists what to check and the reply holds.\n\n"
                     f"{_markdown_rows(reliability)}\n")
        print(_markdown_rows(rows), flush=True)
        print(_markdown_rows(reliability), flush=True)
    if "replies" in sections:
        from bench import replies

        rows = replies.run(smoke=args.smoke)
        parts.append("## Reply quality\n\nThe suggested replies checked by `../shared/eval/replies.py` (targets: "
                     + replies.TARGETS + "): `specific`, replies to requests needing a condition or a no that name "
                     "something from the request; `greeted`, signed requests greeted by name; `misfit`, paragraphs "
                     "about money or reviews the request never raised; `top_closer`, the share of the commonest last "
                     "line. The panel is our own 32 requests, read and graded by hand in the notes below.\n\n"
                     f"{_markdown_rows(rows)}\n")
        print(_markdown_rows(rows), flush=True)
    if "reminders" in sections:
        from bench import reminders

        rows = reminders.run(smoke=args.smoke, database_urls=[pg_url] if pg_url else None)
        parts.append("## QBR reminders\n\nAccounts with QBRs spread over 90 days and five timezones. `schedule_s`: "
                     "creating every account's reminders; `claim_200_ms`: one tick's find-and-claim of up to 200 due "
                     "reminders; dispatch: reminder DMs per second to the Slack stand-in over HTTP, unpaced and paced "
                     "to `PUSHBACK_REMINDERS_PER_SECOND` (5 per workspace).\n\n"
                     f"{_markdown_rows(rows)}\n")
        print(_markdown_rows(rows), flush=True)
    if "memory" in sections:
        from bench import memory

        figures = memory.run(smoke=args.smoke)
        parts.append(f"## Memory and start-up\n\n{_markdown_rows([figures])}\n")
        print(_markdown_rows([figures]), flush=True)
    parts.append(f"Whole run: {time.perf_counter() - started:.0f} s.\n")
    if not args.only:
        parts.append(NOTES.read_text(encoding="utf-8"))
    Path(args.output).write_text("\n".join(parts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
