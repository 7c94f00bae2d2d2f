"""The message reader on each shape a client's words reach Slack in: plain text, blocks, attachments, emails."""

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.slack.message_reader import (
    ATTACHMENT,
    BLOCKS,
    EMAIL,
    SHARED_MESSAGE,
    TEXT,
    Reading,
    blocks_text,
    display_name,
    first_name,
    read_message,
    with_sign_off,
)
from bot.triage import clean_message

BODY = "Hi Sam,\n\nCould you add a French version of the site by Friday? No extra budget, I'm afraid.\n"
HISTORY = "\nOn Mon, 30 Nov 2026 at 10:00, Sam <sam@agency.example> wrote:\n> The English site launches on the 14th.\n"


def _email(**overrides):
    file = {
        "id": "F0EMAIL", "filetype": "email", "mode": "email", "subject": "Re: French version",
        "from": [{"address": "jordan@client.example", "name": "Jordan Lee",
                  "original": "Jordan Lee <jordan@client.example>"}],
        "to": [{"address": "sam@agency.example", "name": "Sam", "original": "Sam <sam@agency.example>"}],
        "cc": [{"address": "cfo@client.example", "name": "Pat", "original": "Pat <cfo@client.example>"}],
        "plain_text": BODY + HISTORY, "preview_plain_text": "Hi Sam, Could you add a French",
        "headers": {"date": "Mon, 7 Dec 2026 09:12:00 +0000", "message_id": "<1@client.example>"},
    }
    file.update(overrides)
    return file


def _section(*elements):
    return {"type": "rich_text_section", "elements": list(elements)}


def _text(text, **style):
    return {"type": "text", "text": text, **({"style": style} if style else {})}


# --- text and blocks ---------------------------------------------------------------------------------------------

def test_a_messages_own_text_is_read_as_it_is():
    assert read_message({"text": "Can you add a page by Friday?"}) == Reading(
        text="Can you add a page by Friday?", source=TEXT)


def test_text_that_repeats_its_blocks_is_read_once():
    message = {"text": "Can you add a page by Friday?",
               "blocks": [{"type": "rich_text", "elements": [_section(_text("Can you add a page by Friday?"))]}]}

    assert read_message(message) == Reading(text="Can you add a page by Friday?", source=TEXT)


def test_rich_text_sections_lists_quotes_and_preformatted_are_read():
    blocks = [{"type": "rich_text", "elements": [
        _section(_text("Two things before launch, "), {"type": "user", "user_id": "U0SAM"}, _text(":\n")),
        {"type": "rich_text_list", "style": "bullet", "elements": [
            _section(_text("add a "), _text("French", bold=True), _text(" version")),
            _section(_text("redo the "), {"type": "link", "url": "https://client.example/careers", "text": "careers"},
                     _text(" page"))]},
        {"type": "rich_text_list", "style": "ordered", "indent": 1, "elements": [_section(_text("by Friday"))]},
        {"type": "rich_text_quote", "elements": [_text("No extra budget.")]},
        {"type": "rich_text_preformatted", "elements": [_text("launch: 14 Dec")]},
        _section({"type": "emoji", "name": "pray", "unicode": "1f64f"}, {"type": "broadcast", "range": "here"}),
    ]}]

    assert blocks_text(blocks) == ("Two things before launch, <@U0SAM>:\n- add a French version\n"
                                   "- redo the careers page\n  1. by Friday\nNo extra budget.\nlaunch: 14 Dec\n🙏@here")
    assert read_message({"text": "", "blocks": blocks}).source == BLOCKS


def test_section_text_fields_and_headers_are_read_and_the_rest_is_not():
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "New client request"}},
        {"type": "section", "text": {"type": "mrkdwn", "text": "*Request:* add a French version by Friday"},
         "fields": [{"type": "mrkdwn", "text": "*Client:*\nAcme"}, {"type": "plain_text", "text": "No budget"}]},
        {"type": "divider"},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "Sent by Workflow Builder"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open"}}]},
    ]

    assert blocks_text(blocks) == ("New client request\n\n*Request:* add a French version by Friday\n*Client:*\nAcme\n"
                                   "No budget")


def test_a_summary_text_loses_to_the_fuller_words_in_the_blocks():
    message = {"text": "New request from Acme", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Acme asks: can you add a French version by Friday?"}}]}

    assert read_message(message) == Reading(text="Acme asks: can you add a French version by Friday?",
                                            source=BLOCKS)


def test_blocks_that_are_only_a_heading_lose_to_the_fuller_text():
    message = {"text": "Can you add a French version by Friday at no extra cost?",
               "blocks": [{"type": "header", "text": {"type": "plain_text", "text": "Client request"}}]}

    assert read_message(message).source == TEXT


def test_malformed_blocks_are_skipped_not_fatal():
    assert blocks_text([None, "x", {"type": "rich_text", "elements": [None, {"type": "rich_text_list"}]},
                        {"type": "section", "text": "not an object", "fields": "nor this"}]) == ""
    assert read_message(None) == Reading()
    assert read_message({"text": None, "blocks": "x", "attachments": [1], "files": "y"}) == Reading()


# --- attachments ---------------------------------------------------------------------------------------------

def test_a_shared_message_is_read_with_its_author_as_the_sender():
    shared = {"is_share": True, "author_name": "Jordan Lee", "author_id": "U0JORDAN",
              "fallback": "[December 7th, 2026 9:12 AM] Jordan Lee: Could you add a French version",
              "text": "Could you add a French version of the site by Friday?",
              "message_blocks": [{"team": "T0", "channel": "C0", "ts": "1.2", "message": {"blocks": [
                  {"type": "rich_text", "elements": [_section(_text("Could you add a French version of the site by "
                                                                    "Friday?"))]}]}}]}

    assert read_message({"text": "", "attachments": [shared]}) == Reading(
        text="Could you add a French version of the site by Friday?", source=SHARED_MESSAGE,
        sender_name="Jordan Lee")


def test_a_colleagues_note_around_a_shared_message_gives_way_to_the_clients_words():
    shared = {"is_share": True, "author_name": "Jordan Lee",
              "text": "Could you add a French version of the site by Friday? No extra budget."}

    reading = read_message({"text": "thoughts?", "attachments": [shared]})

    assert reading.source == SHARED_MESSAGE and reading.text.startswith("Could you add a French version")


def test_a_link_preview_never_wins_over_the_messages_own_words():
    unfurl = {"from_url": "https://client.example/blog", "title": "Our blog",
              "text": "A long description of the client's blog with many many words in it, more than the message"}

    assert read_message({"text": "Can we add a page by Friday?", "attachments": [unfurl]}) == Reading(
        text="Can we add a page by Friday?", source=TEXT)


def test_a_mail_apps_post_reads_like_the_email_with_its_subject_and_sender():
    post = {"author_name": "Jordan Lee <jordan@client.example>", "title": "Re: French version",
            "text": "Any chance we can have it by Friday?", "fallback": "New email from Jordan Lee"}

    assert read_message({"text": "", "attachments": [post]}) == Reading(
        text="Subject: Re: French version\n\nAny chance we can have it by Friday?", source=ATTACHMENT,
        subject="Re: French version", sender_name="Jordan Lee", sender_address="jordan@client.example")


def test_only_the_first_of_several_shared_messages_is_read_and_they_are_counted():
    first = {"is_share": True, "author_name": "Jordan Lee", "text": "Please add a French version."}
    second = {"is_share": True, "author_name": "Pat Kim", "text": "And a German one, thanks."}

    reading = read_message({"text": "", "attachments": [first, second]})

    assert (reading.text, reading.sender_name, reading.items) == ("Please add a French version.", "Jordan Lee", 2)


# --- emails ---------------------------------------------------------------------------------------------------

def test_a_forwarded_email_keeps_its_subject_sender_date_and_body_and_no_address_list():
    reading = read_message({"type": "message", "subtype": "file_share", "text": "", "files": [_email()]})

    assert reading == Reading(
        text="Subject: Re: French version\n\n" + (BODY + HISTORY).strip(), source=EMAIL,
        subject="Re: French version", sender_name="Jordan Lee", sender_address="jordan@client.example",
        date="Mon 7 Dec 2026, 09:12", items=1, file_id="F0EMAIL", needs_full_email=False)
    assert "cfo@client.example" not in reading.text and "sam@agency.example>" not in reading.text.split("On Mon")[0]


def test_an_email_with_only_a_preview_asks_for_the_whole_file_and_reads_it_once_fetched():
    preview = _email(plain_text=None, has_more=True)
    message = {"text": "", "files": [preview]}

    partial = read_message(message)
    whole = read_message(message, {"F0EMAIL": _email()})

    assert partial.needs_full_email and partial.text == "Subject: Re: French version\n\nHi Sam, Could you add a French"
    assert not whole.needs_full_email and whole.text == "Subject: Re: French version\n\n" + (BODY + HISTORY).strip()


def test_an_email_cut_short_in_the_payload_asks_for_the_whole_file():
    assert read_message({"files": [_email(plain_text=BODY[:40], has_more=True)]}).needs_full_email
    assert not read_message({"files": [_email(plain_text=BODY[:40], has_more=True)]},
                            {"F0EMAIL": _email(plain_text=BODY[:40], has_more=True)}).needs_full_email


def test_an_email_with_nothing_in_the_payload_is_still_fetched():
    bare = {"id": "F0EMAIL", "filetype": "email", "subject": ""}

    assert read_message({"text": "", "files": [bare]}) == Reading(source=EMAIL, file_id="F0EMAIL",
                                                                   needs_full_email=True)


def test_an_email_forwarded_by_a_colleague_is_the_clients_inside():
    body = ("FYI, see below.\n\n---------- Forwarded message ---------\nFrom: Jordan Lee <jordan@client.example>\n"
            "Date: Mon, 7 Dec 2026 at 09:12\nSubject: Re: French version\nTo: Sam <sam@agency.example>\n\n" + BODY)
    forwarded = _email(subject="Fwd: Re: French version", plain_text=body,
                       **{"from": [{"address": "sam@agency.example", "name": "Sam Colleague",
                                    "original": "Sam Colleague <sam@agency.example>"}]})

    reading = read_message({"files": [forwarded]})

    assert (reading.subject, reading.sender_name, reading.sender_address) == (
        "Re: French version", "Jordan Lee", "jordan@client.example")


def test_outlooks_last_comma_first_names_are_said_first_name_first():
    reading = read_message({"files": [_email(**{"from": [{"address": "jordan@client.example", "name": "Lee, Jordan",
                                                          "original": "\"Lee, Jordan\" <jordan@client.example>"}]})]})

    assert reading.sender_name == "Jordan Lee" and reading.first_name == "Jordan"
    assert display_name("\"Lee, Jordan\"") == "Jordan Lee" and first_name("Lee, Jordan") == "Jordan"
    assert first_name("") == "" and first_name("Madonna") == "Madonna"


def test_the_first_of_several_files_that_is_an_email_is_read_and_the_files_counted():
    other = _email(id="F0OTHER", subject="Second email", plain_text="Another ask entirely, please.")
    image = {"id": "F0IMG", "filetype": "png", "name": "screenshot.png"}

    reading = read_message({"text": "", "files": [image, _email(), other]})

    assert (reading.file_id, reading.subject, reading.items) == ("F0EMAIL", "Re: French version", 3)


def test_files_that_are_not_emails_have_nothing_to_read():
    files = [{"id": "F0PDF", "filetype": "pdf", "name": "brief.pdf", "title": "brief.pdf"},
             {"id": "F0IMG", "filetype": "png", "name": "mockup.png"}]

    assert read_message({"text": "", "files": files}) == Reading()


def test_an_email_with_no_date_header_takes_the_files_time():
    reading = read_message({"files": [_email(headers={}, created=1_796_000_000)]})

    assert reading.date == "Mon 30 Nov 2026, 00:53 UTC"
    assert read_message({"files": [_email(headers={"date": "not a date"})]}).date == "not a date"
    assert read_message({"files": [_email(headers={}, created=float("inf"))]}).date == ""


# --- signing the request for the reply's greeting --------------------------------------------------------------

def test_an_unsigned_request_is_signed_above_its_quoted_history():
    text = "Subject: Re: French version\n\n" + (BODY + HISTORY).strip()

    signed = with_sign_off(text, "Jordan Lee")

    assert signed == ("Subject: Re: French version\n\nHi Sam,\n\nCould you add a French version of the site by "
                      "Friday? No extra budget, I'm afraid.\n\nThanks,\nJordan\n\n" + HISTORY.strip())


def test_a_nameless_sign_off_gets_the_name_under_it():
    assert with_sign_off("Can you add a French version by Friday?\n\nCheers!", "Jordan Lee") == (
        "Can you add a French version by Friday?\n\nCheers!\nJordan")


def test_a_request_already_signed_by_the_sender_is_left_alone():
    text = "Can you add a French version by Friday?\n\nThanks,\nJordan Lee\nHead of Marketing, Client Co"

    assert with_sign_off(text, "Jordan Lee") == text
    assert with_sign_off(text, "") == text
    assert with_sign_off("", "Jordan Lee") == ""


def test_a_forwarded_emails_sign_off_goes_under_the_clients_words_not_the_forwarders_note():
    text = ("FYI\n\n---------- Forwarded message ---------\nFrom: Jordan Lee <jordan@client.example>\n"
            "Subject: Re: French version\n\nCould you add a French version by Friday?\n" + HISTORY)

    assert with_sign_off(text, "Jordan Lee") == (
        "FYI\n\n---------- Forwarded message ---------\nFrom: Jordan Lee <jordan@client.example>\n"
        "Subject: Re: French version\n\nCould you add a French version by Friday?\n\nThanks,\nJordan\n\n"
        + HISTORY.lstrip("\n"))


def test_signing_never_changes_the_words_the_triage_reads():
    texts = ["Subject: Re: French version\n\n" + (BODY + HISTORY).strip(), "Can you add a page?\n\nCheers!",
             "Please add a page.\n\nBest,\nPat", "Add a page.\n-- \nSent from my phone", "> only history"]

    for text in texts:
        assert clean_message(with_sign_off(text, "Jordan Lee")).text == clean_message(text).text


_KEYS = ["type", "text", "elements", "blocks", "attachments", "files", "fields", "unicode", "indent", "offset",
         "filetype", "plain_text", "from", "headers", "date", "message_blocks", "message", "is_share", "author_name",
         "title", "subject", "id", "has_more", "created"]
_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["rich_text", "rich_text_section", "rich_text_list", "text", "emoji", "section", "email"]),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.sampled_from(_KEYS), children, max_size=6),
    max_leaves=30)


@settings(max_examples=300, deadline=None)
@given(_JSON)
def test_any_payload_at_all_is_read_without_an_error(payload):
    reading = read_message(payload)

    assert isinstance(reading.text, str) and isinstance(with_sign_off(reading.text, reading.sender_name), str)
