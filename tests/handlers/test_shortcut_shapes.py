""""Push back on this" on each shape a client's words reach Slack in, through the app in process (`slack_app`).

A forwarded email (whole, or only a preview the app fetches with files.info), words only in rich_text or section
blocks, a shared message, a mail app's post, an email in a Slack Connect channel, and a message with only files.
Each test reads the thread reply (or the DM and the private note) as the user would, and the app's log is
searched afterwards for every client word and email address (see `slack_app`).
"""

import json

import pytest
from sqlalchemy import select

from bot.db import Database
from bot.models import Triage
from bot.triage_store import recent_triages
from tests.support.driver import eventually

TS = "1700000500.000500"
BODY = ("Hi Sam,\n\nAny chance we could have this live by Friday as well? There's no extra budget for it on our "
        "side, I'm afraid.\n")
HISTORY = ("\nOn Mon, 30 Nov 2026 at 10:00, Sam Rivers <sam.rivers@agency.example> wrote:\n"
           "> The English site launches on the 14th. Next up: the careers page redesign.\n")
SENDER = {"address": "jordan.lee@client-co.example", "name": "Jordan Lee",
          "original": "Jordan Lee <jordan.lee@client-co.example>"}
RECIPIENTS = {
    "to": [{"address": "sam.rivers@agency.example", "name": "Sam Rivers",
            "original": "Sam Rivers <sam.rivers@agency.example>"}],
    "cc": [{"address": "finance-lead@client-co.example", "name": "Pat Okafor",
            "original": "Pat Okafor <finance-lead@client-co.example>"},
           {"address": "ops-desk@client-co.example", "name": "", "original": "ops-desk@client-co.example"}],
}


def _email_file(**overrides):
    """An email forwarded to Slack, as Slack describes it in a message's `files`."""
    file = {"id": "F0EMAIL", "created": 1_796_000_000, "name": "Re: French version", "title": "Re: French version",
            "mimetype": "text/html", "filetype": "email", "pretty_type": "Email", "mode": "email",
            "subject": "Re: French version", "from": [SENDER], **RECIPIENTS, "plain_text": BODY + HISTORY,
            "preview": "<p>Hi Sam,</p>", "preview_plain_text": "Hi Sam, Any chance we could have this",
            "headers": {"date": "Mon, 7 Dec 2026 09:12:00 +0000", "message_id": "<a1@client-co.example>",
                        "reply_to": None, "in_reply_to": "<z9@agency.example>"},
            "has_more": False, "sent_to_self": False}
    file.update(overrides)
    return file


def _forwarded(*files):
    return {"type": "message", "subtype": "file_share", "ts": TS, "user": "U0ALICE", "text": "", "upload": False,
            "files": list(files)}


def _thread_reply(standin, timeout=15):
    return standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=timeout)[0].args


def _seen(blocks) -> str:
    return json.dumps(blocks, ensure_ascii=False)


def _notes(blocks) -> list[str]:
    """The context lines under the reply (the tip and the notes), as plain text."""
    start = next((i for i, block in enumerate(blocks) if "Suggested reply" in _seen(block)), 0)
    return [element["text"] for block in blocks[start:] if block["type"] == "context" for element in block["elements"]]


def _suggested_reply(blocks) -> str:
    index = next(i for i, block in enumerate(blocks) if "Suggested reply" in _seen(block))
    return "".join(element.get("text", "") for part in blocks[index + 1]["elements"] for element in part["elements"])


def _assert_greets(blocks, first_name: str) -> None:
    """Where the suggested reply opens with a greeting, it is to the sender by first name."""
    opening = _suggested_reply(blocks).split("\n", 1)[0]
    if opening.split(" ", 1)[0].rstrip(",").lower() in ("hi", "hello", "dear", "hey"):
        assert first_name in opening, opening


def _assert_no_address_list(*payloads) -> None:
    for payload in payloads:
        seen = _seen(payload)
        assert "finance-lead@client-co.example" not in seen and "ops-desk@client-co.example" not in seen


def _stored(database_url):
    """The stored triage, and the client's text stored with it."""
    db = Database(database_url)
    try:
        [record] = eventually(lambda: [t for t in recent_triages(db, "T0001", "U0ALICE") if t.reply_ts])
        with db.engine.connect() as connection:
            text = connection.execute(select(Triage.request_text).where(Triage.id == record.id)).scalar_one()
        return record, text
    finally:
        db.dispose()


def test_a_forwarded_email_is_triaged_in_its_thread_with_its_subject_and_sender(slack_app, standin, database_url):
    slack_app.driver.message_shortcut(_forwarded(_email_file()), channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    assert reply["channel"] == "C0INTERNAL" and reply["thread_ts"] == TS
    seen = _seen(reply["blocks"])
    assert "Push back" in seen and "Would be late" in seen and "no extra budget" in seen
    assert "French" in seen  # the body only says "this": the subject names the ask
    assert "careers" not in seen  # the quoted history is context, not the ask
    assert ("Read from the email “Re: French version” from Jordan Lee <jordan.lee@client-co.example>, "
            "sent Mon 7 Dec 2026, 09:12.") in _notes(reply["blocks"])
    _assert_greets(reply["blocks"], "Jordan")
    _assert_no_address_list(reply)
    assert standin.calls_to("files.info") == [] and standin.calls_to("response") == []
    record, text = _stored(database_url)
    assert record.channel_id == "C0INTERNAL" and record.result["notes"][0].startswith("Read from the email")
    assert text == "Subject: Re: French version\n\n" + (BODY + HISTORY).strip()


def test_an_email_with_only_a_preview_is_fetched_whole_with_files_info(slack_app, standin):
    standin.add_file(_email_file())
    slack_app.driver.remember_client_words(_email_file())
    preview = _email_file(plain_text=None, has_more=True)

    slack_app.driver.message_shortcut(_forwarded(preview), channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    [fetched] = standin.calls_to("files.info")
    assert fetched.args["file"] == "F0EMAIL" and fetched.token == "xoxb-test-token"
    seen = _seen(reply["blocks"])
    assert "no extra budget" in seen and "by Friday" in seen  # words only the whole email has
    assert "only the start" not in seen
    assert "Jordan Lee <jordan.lee@client-co.example>" in seen
    _assert_greets(reply["blocks"], "Jordan")


def test_an_email_slack_will_not_give_whole_is_triaged_from_its_preview_and_says_so(slack_app, standin):
    standin.fail("files.info", "missing_scope")
    preview = _email_file(plain_text=None, has_more=True,
                          preview_plain_text="Hi Sam, could you add a French version by Friday at no extra cost")

    slack_app.driver.message_shortcut(_forwarded(preview), channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    assert len(standin.calls_to("files.info")) == 1
    notes = _notes(reply["blocks"])
    assert any("only the start of this email" in note for note in notes), notes
    assert "at no extra cost" in _seen(reply["blocks"])
    assert "files.info refused team=T0001 user=U0ALICE" in slack_app.log() and "missing_scope" in slack_app.log()


def test_words_only_in_rich_text_blocks_are_triaged(slack_app, standin):
    def section(*texts):
        return {"type": "rich_text_section", "elements": [{"type": "text", "text": text} for text in texts]}

    message = {"type": "message", "ts": TS, "bot_id": "B0WORKFLOW", "text": "", "blocks": [{"type": "rich_text",
               "elements": [section("Two more things before launch:\n"),
                            {"type": "rich_text_list", "style": "bullet", "elements": [
                                section("add a French version of the whole site"), section("redo the careers page")]},
                            section("Launch date stays the same and there's no budget left.")]}]}
    slack_app.driver.remember_client_words(message)

    slack_app.driver.message_shortcut(message, channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    assert reply["thread_ts"] == TS
    seen = _seen(reply["blocks"])
    assert "Out of scope" in seen and "2 asks in this message" in seen
    assert "French version" in seen and "careers page" in seen
    assert _notes(reply["blocks"])[1:] == []  # the tip only: a message's own words need no note


def test_words_only_in_a_section_are_triaged_and_the_summary_text_not_twice(slack_app, standin):
    message = {"type": "message", "ts": TS, "bot_id": "B0FORMS", "text": "New client request", "blocks": [
        {"type": "section", "text": {"type": "mrkdwn", "text": "Acme asks: could you also add a live chat to the "
                                                               "site by Friday at no extra cost?"},
         "fields": [{"type": "mrkdwn", "text": "*Client:*\nAcme"}]},
        {"type": "actions", "elements": [{"type": "button", "text": {"type": "plain_text", "text": "Open"}}]}]}
    slack_app.driver.remember_client_words(message)

    slack_app.driver.message_shortcut(message, channel_id="C0INTERNAL")

    seen = _seen(_thread_reply(standin)["blocks"])
    assert "Out of scope" in seen and "live chat" in seen and "no extra cost" in seen
    assert "New client request" not in seen and "asks in this message" not in seen


def test_a_shared_message_is_triaged_with_its_author_named(slack_app, standin):
    words = "While you're at it could you also redo the careers page and add a live chat? Launch date stays the same."
    shared = {"is_share": True, "author_name": "Jordan Lee", "author_id": "U0JORDAN", "channel_id": "C0CLIENT",
              "ts": "1700000400.000400", "text": words, "fallback": f"[December 7th, 2026] Jordan Lee: {words[:40]}",
              "message_blocks": [{"team": "T0CLIENT", "channel": "C0CLIENT", "ts": "1700000400.000400",
                                  "message": {"blocks": [{"type": "rich_text", "elements": [
                                      {"type": "rich_text_section", "elements": [{"type": "text", "text": words}]},
                                  ]}]}}]}

    slack_app.driver.message_shortcut({"type": "message", "ts": TS, "text": "thoughts?", "attachments": [shared]},
                                        channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    seen = _seen(reply["blocks"])
    assert "Out of scope" in seen and "live chat" in seen
    assert "Read from the message from Jordan Lee." in _notes(reply["blocks"])
    _assert_greets(reply["blocks"], "Jordan")


def test_a_mail_apps_post_is_triaged_with_its_subject_and_sender(slack_app, standin):
    post = {"author_name": "Jordan Lee <jordan.lee@client-co.example>", "title": "Re: French version",
            "text": "Any chance we could have this live by Friday as well? There's no extra budget for it, I'm afraid.",
            "fallback": "New email from Jordan Lee: Re: French version", "footer": "Mail", "mrkdwn_in": ["text"]}

    slack_app.driver.message_shortcut({"type": "message", "ts": TS, "bot_id": "B0MAIL", "text": "",
                                         "attachments": [post]}, channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    seen = _seen(reply["blocks"])
    assert "Push back" in seen and "French" in seen and "by Friday" in seen
    assert "Read from “Re: French version” from Jordan Lee <jordan.lee@client-co.example>." in _notes(reply["blocks"])
    _assert_greets(reply["blocks"], "Jordan")


@pytest.mark.parametrize("channel", [{"channel_id": "C0SHARED", "is_ext_shared": True},
                                     {"channel_id": "C0NOBOT", "is_member": False}], ids=["slack_connect", "no_bot"])
def test_an_email_where_the_client_could_read_the_triage_is_answered_only_to_the_user(slack_app, standin,
                                                                                        database_url, channel):
    channel_id = channel.pop("channel_id")
    standin.add_channel(channel_id, **channel)

    slack_app.driver.message_shortcut(_forwarded(_email_file()), channel_id=channel_id)

    reply = _thread_reply(standin)
    assert reply["channel"] == "DU0ALICE"
    assert [c for c in standin.calls_to("chat.postMessage") if c.args["channel"] == channel_id] == []
    [parent] = [c.args for c in standin.calls_to("chat.postMessage") if not c.args.get("thread_ts")]
    assert parent["channel"] == "DU0ALICE"
    quoted = _seen(parent["blocks"])
    assert f"{channel_id}/p1700000500000500" in quoted
    assert "Subject: Re: French version" in quoted and "Any chance we could have this live by Friday" in quoted
    assert "Thanks,\\nJordan" not in quoted  # the quote is the email as written; only the triage reads it signed
    pointer = standin.wait_for("response")[0].args
    assert pointer["response_type"] == "ephemeral" and "French" not in pointer["text"]
    assert "Jordan Lee <jordan.lee@client-co.example>" in _seen(reply["blocks"])
    _assert_greets(reply["blocks"], "Jordan")
    _assert_no_address_list(parent, reply, pointer)
    assert _stored(database_url)[1].startswith("Subject: Re: French version\n\nHi Sam,")


def test_several_emails_triage_the_first_and_say_so(slack_app, standin):
    second = _email_file(id="F0SECOND", subject="Invoice", plain_text="Please take 30% off the invoice.")

    slack_app.driver.message_shortcut(_forwarded(_email_file(), second), channel_id="C0INTERNAL")

    reply = _thread_reply(standin)
    notes = _notes(reply["blocks"])
    assert ("That message holds 2 files: I triaged the first email. Forward or paste another on its own to "
            "triage it.") in notes
    assert "Invoice" not in _seen(reply["blocks"]) and "30%" not in _seen(reply["blocks"])


def test_a_message_with_only_files_explains_what_pushback_can_read(slack_app, standin):
    files = [{"id": "F0IMG", "name": "mockup.png", "filetype": "png", "mimetype": "image/png", "mode": "hosted"},
             {"id": "F0PDF", "name": "brief.pdf", "filetype": "pdf", "mimetype": "application/pdf", "mode": "hosted"}]

    slack_app.driver.message_shortcut({"type": "message", "subtype": "file_share", "ts": TS, "text": "",
                                         "files": files}, channel_id="C0INTERNAL")

    said = standin.wait_for("response")[0].args
    assert said["response_type"] == "ephemeral"
    assert "no text I can read" in said["text"] and "email forwarded to Slack" in said["text"]
    assert "shared message" in said["text"] and "images, PDFs" in said["text"]
    assert standin.calls_to("chat.postMessage") == [] and standin.calls_to("files.info") == []
