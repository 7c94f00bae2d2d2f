"""Whatever is pasted, the triage answers with a valid result (or a clear "nothing to triage"), never a crash."""

from datetime import date

import pytest

from bot.triage import REASONS, VERDICTS, EmptyRequestError, triage

TODAY = date(2026, 11, 23)


def _assert_valid(result) -> None:
    assert result.verdict in VERDICTS and set(result.reasons) <= set(REASONS)
    assert set(result.evidence) == set(result.reasons)
    assert result.reply.text.strip()
    result.to_dict()


def test_a_100_kb_message_is_triaged_with_a_note_that_it_was_cut():
    text = ("Hi team, please send the monthly report. " * 2_500)[:100_000]
    result = triage(text, today=TODAY)
    _assert_valid(result)
    assert result.notes


def test_an_ask_late_in_a_long_message_is_still_read_when_it_fits():
    text = "Thanks for the update on the campaign. " * 200 + "Can you write fake reviews for us on Google?"
    assert triage(text, today=TODAY).verdict == "decline"


@pytest.mark.parametrize("text", [
    bytes(range(256)).decode("latin-1"),
    "Please\x00 add\x07 a page\x1b[31m now\x7f",
    "Can you make the logo pop? 🙏🔥✨ 👩‍💻",
    "\u202eplease add a new page\u202c \u200f",
    "האם תוכלו להוסיף דף חדש לאתר?",
    "ウェブサイトに新しいページを追加できますか？",
    "Pouvez-vous ajouter une page carrières au site ?",
    "Könnten Sie bitte kostenlos eine neue Seite hinzufügen?",
    "a" * 5_000,
    "?" * 300,
])
def test_odd_input_gives_a_valid_result(text):
    try:
        result = triage(text, today=TODAY)
    except EmptyRequestError:
        return
    _assert_valid(result)


@pytest.mark.parametrize("text", ["", "   \n\t ", "> only quoted history", "<@U123> <@U456|sam>",
                                  "https://example.com/brief"])
def test_nothing_of_the_clients_own_raises_empty_request(text):
    with pytest.raises(EmptyRequestError):
        triage(text, today=TODAY)

