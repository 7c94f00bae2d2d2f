"""The guards on a model's draft, with no model: what leaves the process is masked, a lenient verdict never
replaces a confident or practice-backed one, evidence must quote the client, invented amounts and dates become
placeholders the user is told to fill in, and an answer that is not a triage is refused."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.triage import AccountContext, triage, with_tone
from bot.triage.guards import InvalidAnswer, guarded, replace_invented, verdict_floor
from bot.triage.writer import mask_contacts

TODAY = date(2026, 12, 7)
FAKE_REVIEWS = ("Hi team, could you post 30 five-star reviews of our new blender on Amazon from staff accounts? "
                "Thanks, Priya")
EXTRA_BANNERS = ("Hi, can you add two extra social banners to next month's batch? It's in the quote we signed. "
                 "Thanks, Tom")


def _answer(verdict: str, text: str = "Hi Priya, thanks for asking.", **extra) -> dict:
    return {"verdict": verdict, "reasons": extra.pop("reasons", []), "evidence": extra.pop("evidence", {}),
            "reply": {"acknowledge": "Thanks for asking.", "reason": "", "alternative": "", "text": text}, **extra}


def test_contacts_are_masked_but_amounts_and_dates_stay():
    masked = mask_contacts("Call me on +44 20 7946 0958 or (555) 123-4567, or write to jo.b@acme.co.uk. "
                           "Budget £12,000 for 1,000,000 impressions by 21 March, ref 2026-12-07.")
    assert "7946" not in masked and "123-4567" not in masked and "acme" not in masked
    assert masked.count("[phone]") == 2 and "[email]" in masked
    assert "£12,000" in masked and "1,000,000" in masked and "21 March" in masked and "2026-12-07" in masked


def test_a_recognised_unethical_practice_is_never_answered_below_decline():
    offline = triage(FAKE_REVIEWS, today=TODAY)
    assert offline.verdict == "decline" and verdict_floor(offline) == "decline"
    for lenient in ("accept", "accept_with_conditions", "push_back"):
        with pytest.raises(InvalidAnswer):
            guarded(offline, _answer(lenient), FAKE_REVIEWS, None)
    assert guarded(offline, _answer("decline"), FAKE_REVIEWS, None).verdict == "decline"


def test_a_confident_offline_verdict_is_the_floor_and_the_model_may_be_stricter():
    offline = triage(EXTRA_BANNERS, today=TODAY)
    assert offline.verdict == "accept" and offline.confidence >= 0.6
    stricter = guarded(offline, _answer("accept_with_conditions", reasons=["strains_team_or_suppliers"]),
                       EXTRA_BANNERS, None)
    assert stricter.verdict == "accept_with_conditions" and stricter.reasons == ["strains_team_or_suppliers"]


def test_evidence_is_kept_only_when_it_quotes_the_client_verbatim():
    offline = triage(FAKE_REVIEWS, today=TODAY)
    answer = _answer("decline", reasons=["unethical_or_illegal"], evidence={"unethical_or_illegal": [
        "post 30 five-star   reviews of our new blender", "buy fake followers", 42]})
    evidence = guarded(offline, answer, FAKE_REVIEWS, None).evidence["unethical_or_illegal"]
    assert "post 30 five-star   reviews of our new blender" in evidence
    assert "buy fake followers" not in evidence and 42 not in evidence


def test_an_invented_amount_or_date_becomes_a_placeholder_the_user_is_told_about():
    offline = triage(EXTRA_BANNERS, today=TODAY)
    draft = "Hi Tom, happy to: two extra banners for £450, ready by 3 April."
    result = guarded(offline, _answer("accept", draft), EXTRA_BANNERS, None)
    assert result.reply.text == "Hi Tom, happy to: two extra banners for [price], ready by [date]."
    assert len(result.flags) == 2
    assert any("£450" in flag for flag in result.flags) and any("3 April" in flag for flag in result.flags)


def test_amounts_and_dates_from_the_request_or_the_account_are_kept():
    request = "Can you run the $12k campaign from March 21 instead? Thanks, Tom"
    account = AccountContext(name="Acme", scope_notes="Retainer £3,500 a month; QBR 14/01.")
    draft, flags = replace_invented("Yes: $12,000 from 21 March, inside the £3.5k retainer; see you on 14 January.",
                                    [request, account.name, account.scope_notes])
    assert flags == []
    assert draft == "Yes: $12,000 from 21 March, inside the £3.5k retainer; see you on 14 January."


def test_an_amount_from_this_quarters_pushbacks_is_the_accounts_and_kept():
    offline = triage(EXTRA_BANNERS, today=TODAY)
    account = AccountContext(name="Acme", pushbacks=("03 Nov 2026: push_back (out_of_scope): banners at £150 each",))
    draft = "Hi Tom, happy to: £150 each, as last month."
    assert guarded(offline, _answer("accept_with_conditions", draft), EXTRA_BANNERS, account).flags == []
    assert guarded(offline, _answer("accept_with_conditions", draft), EXTRA_BANNERS, replace(account, pushbacks=())
                   ).reply.text == "Hi Tom, happy to: [price] each, as last month."


@pytest.mark.parametrize("answer", [None, [], "accept", {"verdict": "maybe", "reply": {"text": "Hi"}},
                                    {"verdict": "accept"}, {"verdict": "accept", "reply": {"text": "  "}},
                                    {"verdict": "accept", "reply": ["Hi"]}],
                         ids=["null", "list", "string", "unknown verdict", "no reply", "blank reply", "reply list"])
def test_an_answer_that_is_not_a_triage_is_refused(answer):
    with pytest.raises(InvalidAnswer):
        guarded(triage(EXTRA_BANNERS, today=TODAY), answer, EXTRA_BANNERS, None)


def test_only_the_catalogues_tactics_are_kept_and_a_new_tone_is_the_offline_engines_again():
    offline = triage(EXTRA_BANNERS, today=TODAY)
    written = guarded(offline, _answer("accept", "Hi Tom, gladly.", tactics=["examples", "flattery"]),
                      EXTRA_BANNERS, None, ("examples", "better_solution"))
    assert written.tactics == ["examples"]
    modelled = with_tone(replace(written, writer="model", model="m", flags=["fill in [price]"]), "firm")
    assert (modelled.writer, modelled.model, modelled.flags) == ("offline", "", [])
    assert modelled.reply == with_tone(offline, "firm").reply
