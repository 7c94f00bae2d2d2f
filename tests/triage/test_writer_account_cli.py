"""`pushback triage --account NAME`: the account's scope notes and this quarter's push-backs, read from the store,
reach the language model's prompt (and the scope notes the offline triage); an unknown account is one friendly
line."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from bot.accounts import AccountDraft, add_account, log_pushback
from tests.support.model_standin import ModelStandIn, Scripted
from tests.support.process import PROJECT_ROOT, pushback_command

pytest.importorskip("openai")

TEAM = "T0001"
MODEL = "standin-7b"
REQUEST = "Hi, can you add two extra social banners to this week's batch? Thanks, Tom"
DRAFT = {"verdict": "accept_with_conditions", "reasons": ["out_of_scope"], "evidence": {},
         "reply": {"text": "Hi Tom,\n\nHappy to: at £150 each, as last time.\n\nBest, [your name]"},
         "tactics": [], "tip": "Confirm the cost in writing."}


@pytest.fixture
def model():
    standin = ModelStandIn().start()
    standin.answer(Scripted(DRAFT))
    yield standin
    standin.stop()


def _pushback(arguments: list[str], tmp_path, **env: str) -> subprocess.CompletedProcess:
    clean = {name: value for name, value in os.environ.items()
             if not name.startswith("PUSHBACK_LLM_") and name not in ("DATABASE_URL", "SLACK_BOT_TOKEN")}
    return subprocess.run([*pushback_command(), *arguments], capture_output=True, text=True, cwd=tmp_path,
                          env={**clean, "PYTHONPATH": str(PROJECT_ROOT), **env}, timeout=120)


def test_the_named_accounts_notes_and_pushbacks_reach_the_model(db, database_url, model, tmp_path):
    account = add_account(db, AccountDraft(name="Northwind", owner_id="U0ALICE", next_qbr="2027-01-15", team_id=TEAM,
                                           scope_notes="Social: 4 banners a week, extras billed."))
    log_pushback(db, team_id=TEAM, account_id=account.id, user_id="U0ALICE", triage_id=None,
                 summary="Extra banners at £150 each", verdict="accept_with_conditions", reasons=["out_of_scope"])

    done = _pushback(["triage", "--json", "--account", "northwind", "--team", TEAM, REQUEST], tmp_path,
                     DATABASE_URL=database_url, PUSHBACK_LLM_BASE_URL=model.base_url, PUSHBACK_LLM_MODEL=MODEL)

    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert printed["writer"] == "model" and "£150 each" in printed["reply"]["text"] and printed["flags"] == []
    sent = model.sent_text()
    assert "4 banners a week, extras billed" in sent and "Extra banners at £150 each" in sent


def test_an_unknown_account_is_named_in_one_friendly_line(db, database_url, tmp_path):
    done = _pushback(["triage", "--account", "Nobody Ltd", "--team", TEAM, REQUEST], tmp_path,
                     DATABASE_URL=database_url)

    assert done.returncode == 2
    assert "no account called 'Nobody Ltd'" in done.stderr and "Traceback" not in done.stderr
