"""The bad-input, authenticity and fault catalogue, tried end to end against one `pushback run` process.

Each case goes through the real HTTP endpoint with Slack's signing: acked within 3 s, never a 5xx, answered
clearly, and the app still healthy afterwards. docs/testing.md ("What the tests cover") lists these cases.
"""

from __future__ import annotations

import json
import time
import uuid
from urllib.parse import urlencode

import pytest

from tests.conftest import SIGNING_SECRET, app_environment, assert_no_client_text_logged, fresh_database_url
from tests.support.driver import eventually, http_request, sign
from tests.support.process import AppProcess
from tests.support.slack_standin import SlackStandIn

SLACK_ACK_SECONDS = 3.0

FORWARDED_30_DEEP = "Can you confirm the launch date?\n" + "".join(
    f"{'>' * depth} On Mon, 2 Nov 2026, Person {depth} wrote:\n{'>' * depth} Earlier message number {depth}, "
    f"please add the extra page for free.\n" for depth in range(1, 31))

BAD_TEXTS = {
    "blank": "   \n\t  ",
    "40k characters": ("Please add a French version of the whole site by Friday at no extra cost. " * 600),
    "control characters": "Please\x00 add\x07 a\x1b[31m page\x7f by Friday\u200b\u202e at no extra cost",
    "emoji": "🙏🙏 can we get 50% off 💸💸 this month? 🔥" * 3,
    "right-to-left": "هل يمكنكم إضافة صفحة جديدة مجانًا قبل يوم الجمعة؟ שלום, תוכלו להוסיף עמוד?",
    "other language": "Könnten Sie bitte bis Freitag ohne Aufpreis eine französische Version der Website erstellen?",
    "only a URL": "https://example.com/brief.pdf",
    "only mentions": "<!here> <!channel> <!subteam^S0123|@design> <@U0BOSS>",
    "HTML": "<html><body><script>alert(1)</script><p>Please add a <b>free</b> landing page by Friday</p></body></html>",
    "Markdown and code": "# Ask\n* **Please** add `rm -rf /` page\n```\nSELECT * FROM clients; -- free work\n```",
    "forwarded 30 quotes deep": FORWARDED_30_DEEP,
}


@pytest.fixture(scope="module")
def catalogue_app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("catalogue")
    standin = SlackStandIn().start()
    with fresh_database_url(folder) as url:
        process = AppProcess(app_environment(standin, url, folder), standin, SIGNING_SECRET, folder)
        process.start()
        yield process, standin
        process.stop()
        assert_no_client_text_logged(process.log(), process.driver.client_texts + list(BAD_TEXTS.values()),
                                     process.driver.client_addresses)
    standin.stop()


def _healthy(process) -> bool:
    return http_request(f"{process.url}/healthz").status == 200


def _answers_for(standin, response_id_marker: str):
    return [c for c in standin.calls if response_id_marker in str(c.args)]


@pytest.mark.parametrize("name", list(BAD_TEXTS))
def test_bad_text_is_acked_answered_and_the_app_stays_up(catalogue_app, name):
    process, standin = catalogue_app
    standin.reset_calls()
    reply = process.driver.slash_command(BAD_TEXTS[name], channel_id="D0ALICE")

    assert reply.status == 200 and reply.seconds < SLACK_ACK_SECONDS
    assert _answered(reply, standin)
    assert _healthy(process)


def _answered(reply, standin) -> bool:
    """The user heard back: in the ack itself, through response_url, or with a triage in a thread."""
    return eventually(lambda: "text" in reply.body or standin.calls_to("response")
                      or [c for c in standin.calls_to("chat.postMessage") if c.args.get("thread_ts")], timeout=15)


def test_a_lone_surrogate_in_a_shortcut_message_is_triaged_without_a_crash(catalogue_app):
    process, standin = catalogue_app
    standin.reset_calls()
    reply = process.driver.message_shortcut({"type": "message", "user": "U0CLIENT", "ts": "1700000000.000100",
                                             "text": "Please add a page \ud800 by Friday at no extra cost"})
    assert reply.status == 200 and reply.seconds < SLACK_ACK_SECONDS
    thread = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=15)[0]
    assert thread.args["thread_ts"] == "1700000000.000100"
    assert _healthy(process)


def test_a_nul_character_in_the_request_is_stored_so_the_buttons_work(catalogue_app):
    """PostgreSQL refuses NUL in text: the triage was posted but never stored, its buttons dead."""
    process, standin = catalogue_app
    standin.reset_calls()
    process.driver.slash_command("Please take 40% off\x00 the final invoice by Friday", channel_id="D0ALICE")
    reply = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"), timeout=15)[0]
    assert "\\u0000" not in json.dumps(reply.args)
    button = next(e for e in reply.args["blocks"][-1]["elements"] if e["action_id"] == "triage_tone_firmer")
    standin.reset_calls()

    process.driver.block_action("triage_tone_firmer", button["value"])

    assert standin.wait_for("chat.update", timeout=15)
    assert standin.calls_to("response") == []


@pytest.mark.parametrize("text", ["", "   "])
def test_an_empty_command_answers_with_the_usage_note_in_the_ack(catalogue_app, text):
    process, standin = catalogue_app
    standin.reset_calls()
    reply = process.driver.slash_command(text, channel_id="D0ALICE")
    assert reply.json()["response_type"] == "ephemeral" and "Examples" in reply.body
    assert standin.calls_to("chat.postMessage") == []


@pytest.mark.parametrize("text", ["<!here> <!channel>", "<@U0BOSS> <!subteam^S0123|@design>",
                                  "https://example.com/brief.pdf", "> quoted history only"])
def test_nothing_to_triage_is_said_plainly(catalogue_app, text):
    process, standin = catalogue_app
    standin.reset_calls()
    process.driver.slash_command(text, channel_id="D0ALICE")
    said = json.dumps(standin.wait_for("response")[0].args).lower()
    assert "nothing to triage" in said
    assert standin.calls_to("chat.postMessage") == []


def test_mentions_in_the_request_never_notify_anyone(catalogue_app):
    process, standin = catalogue_app
    standin.reset_calls()
    process.driver.slash_command("<!channel> <@U0BOSS> please add a free landing page by Friday", channel_id="D0ALICE")
    standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))
    for call in standin.calls_to("chat.postMessage"):
        text = json.dumps(call.args.get("blocks"))
        for mrkdwn in [b["text"]["text"] for b in call.args.get("blocks") or []
                       if b.get("type") == "section" and b["text"]["type"] == "mrkdwn"]:
            assert "<!channel>" not in mrkdwn and "<@U0BOSS>" not in mrkdwn
        assert "<!channel>" not in call.args.get("text", "") or "&lt;" in text


def test_a_one_megabyte_body_is_refused_before_slack_handling(catalogue_app):
    process, standin = catalogue_app
    body = urlencode({"command": "/pushback", "text": "x" * 1_100_000})
    reply = process.driver.post(body)
    assert reply.status == 413
    assert _healthy(process)


def test_invalid_utf8_is_refused_with_400(catalogue_app):
    process, _standin = catalogue_app
    body = b"command=%2Fpushback&text=\xff\xfe\xfa"
    headers = {"Content-Type": "application/x-www-form-urlencoded",
               **sign(SIGNING_SECRET, body.decode("latin-1"))}
    reply = http_request(f"{process.url}/slack/events", "POST", body, headers)
    assert reply.status in (400, 401)
    assert _healthy(process)


@pytest.mark.parametrize("payload", [
    "not json at all", json.dumps({"type": "block_actions"}), json.dumps({"type": "block_actions", "user": {},
                                                                         "actions": [{}]}),
    json.dumps({"type": "view_submission", "user": {"id": "U0ALICE"}, "view": {"callback_id": "nope"}}),
    json.dumps([1, 2, 3]),
])
def test_malformed_interactive_payloads_never_give_a_5xx(catalogue_app, payload):
    process, _standin = catalogue_app
    reply = process.driver.post(urlencode({"payload": payload}))
    assert reply.status < 500 and reply.seconds < SLACK_ACK_SECONDS
    assert _healthy(process)


def _view(callback_id, **view) -> str:
    return json.dumps({"type": "view_submission", "user": {"id": "U0ALICE"}, "trigger_id": uuid.uuid4().hex,
                       "view": {"id": "V0", "type": "modal", "callback_id": callback_id, **view}})


def _account_values(**overrides) -> dict:
    values = {"name_block": {"name_input": {"value": "Globex"}},
              "qbr_block": {"qbr_input": {"selected_date": "2027-01-15"}}}
    values.update(overrides)
    return {"values": values}


@pytest.mark.parametrize("payload", [
    _view("edit_reply_submit", state={"values": "not a dict"}),
    _view("account_submit", state="not a dict"),
    _view("log_to_account_submit", private_metadata='{"triage_id": 1}', state={"values": {"account_block": []}}),
    _view("qbr_date_submit", private_metadata='{"reminder_id": 1}', state={"values": {"qbr_block": {"qbr_input": 7}}}),
    _view("paste_request_submit", private_metadata=["not", "a", "string"],
          state={"values": {"request_block": {"request_input": {"value": "Please add a page for free"}}}}),
    _view("edit_reply_submit", private_metadata={"triage_id": 1},
          state={"values": {"reply_block": {"reply_input": {"value": "Happy to help"}}}}),
])
def test_malformed_view_payloads_answer_400(catalogue_app, payload):
    process, _standin = catalogue_app
    reply = process.driver.post(urlencode({"payload": payload}))
    assert reply.status == 400 and reply.seconds < SLACK_ACK_SECONDS
    assert _healthy(process)


@pytest.mark.parametrize("payload", [
    _view("log_to_account_submit", private_metadata='{"triage_id": 1}',
          state={"values": {"account_block": {"account_input": {"selected_option": "1"}}}}),
    _view("account_submit", private_metadata='{"account_id": null}',
          state=_account_values(name_block={"name_input": {"value": 5}})),
    _view("account_submit", private_metadata='{"account_id": null}',
          state=_account_values(cadence_block={"cadence_input": {"selected_option": "3"}})),
])
def test_an_input_of_the_wrong_type_is_answered_in_the_modal_not_with_a_5xx(catalogue_app, payload):
    process, _standin = catalogue_app
    reply = process.driver.post(urlencode({"payload": payload}))
    assert reply.status == 200 and reply.json()["response_action"] == "errors"
    assert _healthy(process)


def test_an_unknown_action_id_gets_a_polite_answer(catalogue_app):
    process, standin = catalogue_app
    standin.reset_calls()
    reply = process.driver.block_action("something_from_an_old_version", "1")
    assert reply.status == 200
    assert standin.wait_for("response")[0].args["response_type"] == "ephemeral"


@pytest.mark.parametrize("callback", ["edit_reply_submit", "log_to_account_submit", "qbr_date_submit"])
def test_a_stale_view_submission_is_answered_in_the_modal(catalogue_app, callback):
    process, _standin = catalogue_app
    reply = process.driver.view_submission(callback, {}, private_metadata=json.dumps({"triage_id": 999999,
                                                                                       "reminder_id": 999999}))
    assert reply.status == 200
    assert json.loads(reply.body)["response_action"] == "errors"


def test_a_button_pressed_by_someone_who_did_not_ask_is_refused(catalogue_app):
    process, standin = catalogue_app
    standin.reset_calls()
    process.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
    reply = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]
    button = next(e for e in reply.args["blocks"][-1]["elements"] if e["action_id"] == "triage_tone_firmer")
    standin.reset_calls()
    process.driver.block_action("triage_tone_firmer", button["value"], user_id="U0MALLORY")
    assert "only" in json.dumps(standin.wait_for("response")[0].args).lower()
    assert standin.calls_to("chat.update") == []


# --- authenticity ---------------------------------------------------------------------------------------------

def _command_body(text="Please take 40% off") -> str:
    return urlencode({"command": "/pushback", "text": text, "team_id": "T0001", "user_id": "U0ALICE",
                      "channel_id": "D0ALICE", "response_url": "http://127.0.0.1:9/x", "trigger_id": "t"})


@pytest.mark.parametrize("case", ["bad signature", "missing headers", "replayed after 5 minutes", "altered body"])
def test_unauthentic_requests_get_401_and_nothing_is_processed(catalogue_app, case):
    process, standin = catalogue_app
    standin.reset_calls()
    body = _command_body()
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if case == "bad signature":
        headers.update({**sign(SIGNING_SECRET, body), "X-Slack-Signature": "v0=" + "0" * 64})
    elif case == "replayed after 5 minutes":
        headers.update(sign(SIGNING_SECRET, body, timestamp=int(time.time()) - 301))
    elif case == "altered body":
        headers.update(sign(SIGNING_SECRET, body))
        body = _command_body("Please take 90% off")
    reply = http_request(f"{process.url}/slack/events", "POST", body.encode(), headers)

    assert reply.status == 401
    time.sleep(0.5)
    assert standin.calls == []


def test_a_signed_request_replayed_within_the_window_is_not_processed_again(catalogue_app):
    process, standin = catalogue_app
    body = _command_body("help").replace("trigger_id=t", f"trigger_id=t-{uuid.uuid4().hex}")
    headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(SIGNING_SECRET, body)}

    first = http_request(f"{process.url}/slack/events", "POST", body.encode(), headers)
    replayed = http_request(f"{process.url}/slack/events", "POST", body.encode(), headers)

    assert first.status == 200 and "pushback" in first.body.lower()
    assert (replayed.status, replayed.body) == (200, "")


def test_slacks_retries_never_cause_a_second_post(catalogue_app):
    process, standin = catalogue_app
    standin.reset_calls()
    event = {"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}
    body = json.dumps({"token": "legacy", "team_id": "T0001", "api_app_id": "A0PUSHBACK", "type": "event_callback",
                       "event_id": "Ev" + uuid.uuid4().hex[:8], "event_time": int(time.time()), "event": event})
    first = process.driver.post(body, content_type="application/json")
    retry = process.driver.post(body, content_type="application/json",
                                headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert first.status == retry.status == 200
    standin.wait_for("views.publish")
    time.sleep(1.0)
    assert len(standin.calls_to("views.publish")) == 1


# --- Slack failing --------------------------------------------------------------------------------------------

def test_a_429_storm_still_gets_every_request_answered(catalogue_app, fault_figures):
    process, standin = catalogue_app
    standin.reset_calls()
    standin.rate_limit("chat.postMessage", retry_after=1, times=4)
    for number in range(3):
        process.driver.slash_command(f"Request {number}: please take 40% off the invoice", channel_id="D0ALICE")
    replies = standin.wait_for("chat.postMessage", count=3, timeout=30, where=lambda c: c.args.get("thread_ts"))
    told = standin.calls_to("response")
    fault_figures(requests=3, rate_limited_answers=4, answered_in_thread=len(replies), told=len(told))
    assert len(replies) == 3  # each request answered in its thread once, none given up on
    assert [call.args for call in told if "went wrong" in json.dumps(call.args).lower()] == []
    assert _healthy(process)


def test_slack_500s_end_in_a_reply_or_a_friendly_message(catalogue_app, fault_figures):
    process, standin = catalogue_app
    standin.reset_calls()
    standin.server_error("chat.postMessage", times=6)
    process.driver.slash_command("Please take 40% off the final invoice", channel_id="D0ALICE")
    outcome = standin.wait_for("response", timeout=30, where=lambda c: "text" in c.args)
    posts = standin.calls_to("chat.postMessage")
    fault_figures(requests=1, server_errors=6, told_friendly_error=len(outcome),
                  answered_in_thread=len([c for c in posts if c.args.get("thread_ts")]))
    assert "went wrong" in json.dumps(outcome[0].args).lower()
    assert len(posts) == 3  # the first try and the client's two retries, each answered 500
    assert _healthy(process)
