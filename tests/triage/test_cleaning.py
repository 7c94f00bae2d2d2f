"""Cleaning a pasted message: the new text to triage, with quoted history, signatures and markup set apart."""

from bot.triage import clean_message, split_asks

EMAIL = """Hi Sam,

Could you add a careers page before launch?

Best regards,
Jordan Miles
Head of Marketing | Northwind
This email and any attachments are confidential and intended solely for the addressee.

On Tue, 3 Nov 2026 at 10:14, Sam Carter <sam@agency.example> wrote:
> The retainer covers two pages.
> Thanks"""


def test_greeting_signature_footer_and_quoted_reply_are_not_new_text():
    cleaned = clean_message(EMAIL)
    assert cleaned.text == "Could you add a careers page before launch?"
    assert "retainer covers two pages" in cleaned.history


def test_outlook_original_message_and_forward_headers_are_history():
    text = ("Please keep the launch date.\n\n-----Original Message-----\nFrom: Sam\nSent: Monday\n"
            "Subject: Launch\n\nAdding the page moves the launch by a week.")
    cleaned = clean_message(text)
    assert cleaned.text == "Please keep the launch date."
    assert "moves the launch" in cleaned.history


def test_gt_quoted_lines_are_history_even_in_the_middle():
    cleaned = clean_message("Sounds good.\n> Can you do it for free?\nSee you Friday.")
    assert "for free" not in cleaned.text and "for free" in cleaned.history


def test_slack_markup_reads_as_a_person_would():
    cleaned = clean_message("<@U123|jordan> see <https://x.example/brief|the brief> &amp; <!here> <#C1|general>")
    assert cleaned.text == "@jordan see the brief & @here #general"


def test_control_characters_and_lone_surrogates_leave_valid_text():
    cleaned = clean_message("Please\x00 add\x07 a page \ud800 now")
    assert "\x00" not in cleaned.text and "\x07" not in cleaned.text
    cleaned.text.encode("utf-8")


def test_a_huge_message_is_cut_with_a_note():
    cleaned = clean_message("Please add a page. " * 10_000)
    assert len(cleaned.text) <= 20_000
    assert cleaned.notes and "first" in cleaned.notes[0]


def test_several_asks_are_split_one_request_each():
    asks = split_asks("Thanks for the update. Could you send the report? Also, please add a French page.\n"
                      "- and can you move the call to Friday?")
    assert len(asks) == 3
    for request in ("send the report", "add a French page", "move the call to Friday"):
        assert sum(request in ask for ask in asks) == 1


def test_a_single_line_request_is_one_ask():
    assert split_asks("Take 40% off the invoice") == ["Take 40% off the invoice"]


def test_a_forwarded_message_is_history_and_the_note_above_it_is_the_request():
    text = ("FYI see below from our CFO. Could you send her the updated quote?\n\n"
            "---------- Forwarded message ---------\nFrom: Helen Ward <h.ward@northgate.example>\n"
            "Date: Fri, 20 Nov 2026 at 16:40\nSubject: Print quote\n\nCan the agency do it for free?")
    cleaned = clean_message(text)
    assert cleaned.text == "FYI see below from our CFO. Could you send her the updated quote?"
    assert "for free" in cleaned.history


def test_a_confidentiality_notice_and_a_phone_signature_are_not_asks():
    text = ("Hi Tom,\n\nA couple of small copy tweaks on pages 4 and 9, attached.\n\nBest regards,\nHannah\n\n"
            "CONFIDENTIALITY NOTICE: This e-mail and any attachments are intended solely for the addressee. If you "
            "are not the intended recipient, please notify the sender and delete it.")
    assert clean_message(text).text == "A couple of small copy tweaks on pages 4 and 9, attached."
    assert clean_message("Can you fix the banner?\n\nSent from my iPhone").text == "Can you fix the banner?"


def test_html_entities_and_mailto_links_from_slack_are_decoded():
    cleaned = clean_message("Use &lt;b&gt; tags &amp; the <mailto:a@b.example|a@b.example> address")
    assert cleaned.text == "Use <b> tags & the a@b.example address"
