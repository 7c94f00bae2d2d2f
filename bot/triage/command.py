"""`pushback triage`: triage from the shell, as readable text, one JSON object, or JSON lines in and out."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import TextIO

from bot.triage import TONES, AccountContext, EmptyRequestError, TriageResult
from bot.triage.writer import Writer, triage_with

READABLE_VERDICTS = {"accept": "ACCEPT: just do it", "accept_with_conditions": "ACCEPT WITH CONDITIONS",
                     "push_back": "PUSH BACK", "decline": "DECLINE"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `pushback triage`."""
    parser.add_argument("text", nargs="?", default="-", help="the client's request; '-' or nothing reads stdin")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print one JSON object")
    output.add_argument("--jsonl", action="store_true",
                        help='read JSON lines {"id": ..., "text": ...} on stdin, write one JSON line per input')
    parser.add_argument("--tone", choices=TONES, default="neutral", help="the voice of the reply (default neutral)")
    parser.add_argument("--today", type=date.fromisoformat, default=None, metavar="YYYY-MM-DD",
                        help="the date to read deadlines against (default: today)")
    parser.add_argument("--account", metavar="NAME",
                        help="the client account the request is from: its scope notes sharpen the triage, and a "
                             "language model is also given this quarter's push-backs (reads the store)")
    parser.add_argument("--team", help="the account's Slack team id (default: the workspace of SLACK_BOT_TOKEN)")


def readable(result: TriageResult) -> str:
    """A triage as text for a terminal."""
    lines = [f"Verdict: {READABLE_VERDICTS[result.verdict]} (confidence {result.confidence:.2f})"]
    for reason in result.reasons:
        said = "; ".join(f'"{snippet}"' for snippet in result.evidence.get(reason, []))
        lines.append(f"  - {reason.replace('_', ' ')}" + (f": {said}" if said else ""))
    if len(result.asks) > 1:
        lines.append(f"\n{len(result.asks)} asks:")
        for number, ask in enumerate(result.asks, 1):
            reasons = ", ".join(ask.reasons) or "no reason to push back"
            practice = f"; {ask.practice.replace('_', ' ')}" if ask.practice else ""
            lines.append(f"  {number}. [{ask.verdict}] {ask.text[:100]} ({reasons}{practice})")
    if result.checks:
        lines += ["", "Not sure: check before you answer:"] + [f"  - {check}" for check in result.checks]
    author = f", written by {result.model}" if result.writer == "model" else ""
    lines += ["", f"Suggested reply ({result.tone}{author}):", "", result.reply.text, ""]
    lines += [f"Check: {flag}" for flag in result.flags]
    if result.tactics:
        lines.append("Tactics: " + ", ".join(result.tactics))
    lines.append(f"Tip: {result.tip}")
    lines += [f"Note: {note}" for note in result.notes]
    return "\n".join(lines)


def _jsonl(args, stdin: TextIO, stdout: TextIO, writer: Writer | None, account: AccountContext | None) -> int:
    failures = triaged = 0
    for number, line in enumerate(stdin, 1):
        if not line.strip():
            continue
        identifier = None
        try:
            item = json.loads(line)
            identifier = item.get("id") if isinstance(item, dict) else None
            if not isinstance(item, dict) or not isinstance(item.get("text"), str):
                raise ValueError('each line needs a JSON object with a "text" string')
            result = triage_with(item["text"], writer, tone=args.tone, today=args.today, account=account).to_dict()
            stdout.write(json.dumps({"id": identifier, **result}, ensure_ascii=False) + "\n")
            triaged += 1
        except (ValueError, EmptyRequestError) as error:
            failures += 1
            message = "not JSON" if isinstance(error, json.JSONDecodeError) else str(error)
            stdout.write(json.dumps({"id": identifier, "line": number, "error": message}) + "\n")
    return 1 if failures and not triaged else 0


def run(args, stdin: TextIO, stdout: TextIO, stderr: TextIO, writer: Writer | None = None,
        account: AccountContext | None = None) -> int:
    """Run `pushback triage`, the reply written by `writer` when one is given, for `account` when known; returns
    the exit code (2 when there is nothing to triage)."""
    if args.jsonl:
        return _jsonl(args, stdin, stdout, writer, account)
    text = stdin.read() if args.text == "-" else args.text
    try:
        result = triage_with(text, writer, tone=args.tone, today=args.today, account=account)
    except EmptyRequestError:
        stderr.write("Nothing to triage: give the client's request as an argument or on stdin.\n")
        return 2
    stdout.write((json.dumps(result.to_dict(), ensure_ascii=False) if args.json else readable(result)) + "\n")
    return 0
