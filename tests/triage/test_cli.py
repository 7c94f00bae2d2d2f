"""`pushback triage` from the shell: text, stdin, --json, --jsonl with bad lines, --tone, nothing to triage."""

import json

from tests.support.cli import run_pushback

REQUEST = "Could you add a French version of the site by Friday at no extra cost?"


def _triage(*args, stdin=""):
    return run_pushback("triage", *args, stdin=stdin, dropped=())


def test_text_argument_prints_a_readable_triage():
    result = _triage(REQUEST, "--today", "2026-11-23")
    assert result.returncode == 0
    assert result.stdout.startswith("Verdict: ACCEPT WITH CONDITIONS")
    assert '"at no extra cost"' in result.stdout and "Suggested reply (neutral)" in result.stdout


def test_stdin_and_dash_read_the_request():
    assert "Verdict:" in _triage(stdin=REQUEST).stdout
    assert "Verdict:" in _triage("-", stdin=REQUEST).stdout


def test_json_prints_one_object_with_every_field():
    result = json.loads(_triage(REQUEST, "--json", "--tone", "firm").stdout)
    assert {"verdict", "reasons", "evidence", "asks", "reply", "tactics", "tip", "tone"} <= set(result)
    assert result["tone"] == "firm" and set(result["reply"]) >= {"acknowledge", "reason", "alternative", "text"}


def test_jsonl_keeps_ids_and_names_a_malformed_line_while_the_rest_go_on():
    lines = "\n".join([json.dumps({"id": "a", "text": REQUEST}), "{not json", json.dumps({"id": "c"}),
                       json.dumps({"id": "d", "text": "   "}), json.dumps({"id": 5, "text": "Send the report."})])
    result = _triage("--jsonl", stdin=lines + "\n")
    outputs = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0
    assert [o.get("id") for o in outputs] == ["a", None, "c", "d", 5]
    assert outputs[0]["verdict"] == "accept_with_conditions" and isinstance(outputs[0]["reasons"], list)
    assert outputs[1] == {"id": None, "line": 2, "error": "not JSON"}
    assert "text" in outputs[2]["error"] and outputs[2]["line"] == 3
    assert "Nothing to triage" in outputs[3]["error"]
    assert outputs[4]["verdict"] == "accept"


def test_nothing_to_triage_exits_2_with_a_clear_line():
    result = _triage("   ")
    assert result.returncode == 2
    assert result.stderr.strip() == "Nothing to triage: give the client's request as an argument or on stdin."
    assert _triage(stdin="> only quoted history\n").returncode == 2



def test_the_readable_triage_shows_its_confidence_the_practice_and_what_to_check():
    declined = _triage("1) Send the logo files.\n2) Backdate the contract to 1 October please.", "--today",
                       "2026-12-07").stdout
    assert declined.startswith("Verdict: DECLINE (confidence 0.95)")
    assert "(unethical_or_illegal; alter record)" in declined


def test_an_unsure_triage_lists_what_to_check_before_the_reply():
    from bot.triage import TriageResult
    from bot.triage.command import readable

    unsure = TriageResult.from_dict({
        "verdict": "accept_with_conditions", "reasons": ["out_of_scope"], "evidence": {"out_of_scope": ["a page"]},
        "asks": [], "reply": {"acknowledge": "", "reason": "", "alternative": "", "text": "Let me check."},
        "tactics": [], "tip": "", "tone": "neutral", "confidence": 0.41, "checks": ["Is this in the SOW?"]})
    text = readable(unsure)
    assert "(confidence 0.41)" in text
    assert text.index("check before you answer:\n  - Is this in the SOW?") < text.index("Suggested reply")
