"""What the shortcut tells the user about how it read a message, and what the triage is given to read."""

from bot.slack.message_reader import ATTACHMENT, EMAIL, SHARED_MESSAGE, TEXT, Reading
from bot.slack.triage_flow import TriageAsk, triage_input
from handlers.shortcuts import reading_notes


def _ask(text: str, sender_name: str = "") -> TriageAsk:
    return TriageAsk(team_id="T0", user_id="U0", text=text, source="shortcut", origin_channel_id="C0",
                     sender_name=sender_name)


def test_an_email_is_named_with_its_subject_sender_and_date():
    reading = Reading(text="Subject: Re: French version\n\nBy Friday?", source=EMAIL, subject="Re: French version",
                      sender_name="Jordan Lee", sender_address="jordan@client.example", date="Mon 7 Dec 2026, 09:12",
                      file_id="F0")

    assert reading_notes(reading) == ("Read from the email “Re: French version” from Jordan Lee "
                                      "<jordan@client.example>, sent Mon 7 Dec 2026, 09:12.",)


def test_an_email_read_from_its_preview_among_several_files_says_both():
    reading = Reading(text="By Friday?", source=EMAIL, sender_address="jordan@client.example", items=3,
                      file_id="F0", needs_full_email=True)

    assert reading_notes(reading) == (
        "Read from the email “(no subject)” from jordan@client.example.",
        "Slack gave me only the start of this email, so that is what I triaged. If the rest matters, paste it into "
        "/pushback.",
        "That message holds 3 files: I triaged the first email. Forward or paste another on its own to triage it.",
    )


def test_a_shared_message_or_a_mail_apps_post_names_its_sender():
    assert reading_notes(Reading(text="x", source=SHARED_MESSAGE, sender_name="Jordan Lee", items=2)) == (
        "Read from the message from Jordan Lee.",
        "That message holds 2 attachments: I triaged the first. Share or paste another on its own to triage it.")
    assert reading_notes(Reading(text="x", source=ATTACHMENT, subject="Re: French version",
                                 sender_name="Jordan Lee")) == ("Read from “Re: French version” from Jordan Lee.",)


def test_a_messages_own_words_need_no_note():
    assert reading_notes(Reading(text="Can you add a page?", source=TEXT)) == ()


def test_the_triage_reads_the_request_signed_by_its_sender_while_the_request_stays_as_written():
    ask = _ask("Subject: Re: French version\n\nCould you add a French version by Friday?", "Jordan Lee")

    assert triage_input(ask) == ("Subject: Re: French version\n\nCould you add a French version by Friday?"
                                 "\n\nThanks,\nJordan")
    assert ask.text == "Subject: Re: French version\n\nCould you add a French version by Friday?"
    assert triage_input(_ask("Please add a page. Thanks, Ben")) == "Please add a page. Thanks, Ben"
