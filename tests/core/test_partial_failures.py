"""A triage half posted is reported as it is: a parent whose reply Slack refused is taken back (or the user is told
it stayed), and a response_url that cannot be reached falls back to the DM."""

from __future__ import annotations

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.web import SlackResponse

from bot.settings import Settings
from bot.slack.delivery import tell_user
from bot.slack.services import Services
from bot.slack.triage_flow import TriageAsk, triage_and_deliver
from tests.conftest import BOT_TOKEN

REQUEST = "Please take 40% off the final invoice and add a French version by Friday"


class RepliesRefused(WebClient):
    """The stand-in's Slack, except that a threaded reply in `channel` is refused with `error`, and deleting a
    message there fails when `delete_fails`."""

    def __init__(self, standin, channel: str, error: str, delete_fails: bool = False) -> None:
        super().__init__(token=BOT_TOKEN, base_url=standin.api_url)
        self.channel, self.error, self.delete_fails = channel, error, delete_fails

    def _refuse(self, error: str):
        data = {"ok": False, "error": error}
        raise SlackApiError(error, SlackResponse(client=self, http_verb="POST", api_url=self.base_url, req_args={},
                                                 data=data, headers={}, status_code=200))

    def chat_postMessage(self, **kwargs):  # noqa: N802 - Slack's method name
        if kwargs.get("thread_ts") and kwargs.get("channel") == self.channel:
            self._refuse(self.error)
        return super().chat_postMessage(**kwargs)

    def chat_delete(self, **kwargs):
        if self.delete_fails:
            self._refuse("cant_delete_message")
        return super().chat_delete(**kwargs)


def _ask(standin, name: str) -> TriageAsk:
    return TriageAsk(team_id="T0001", user_id="U0ALICE", text=REQUEST, source="command",
                     origin_channel_id="C0INTERNAL", response_url=standin.response_url(name))


def _services(db, standin) -> Services:
    return Services(settings=Settings(slack_bot_token=BOT_TOKEN, slack_api_url=standin.api_url), db=db)


def _told(standin) -> str:
    return " ".join(str(call.args.get("text")) for call in standin.calls_to("response"))


def test_a_parent_whose_reply_failed_is_taken_back_so_nothing_posted_is_true(db, standin):
    client = RepliesRefused(standin, "C0INTERNAL", "fatal_error")

    triage_and_deliver(client, _services(db, standin), _ask(standin, "taken-back"))

    assert standin.messages["C0INTERNAL"] == []
    assert "nothing was posted" in _told(standin)


def test_a_parent_that_cannot_be_taken_back_is_reported_not_denied(db, standin):
    client = RepliesRefused(standin, "C0INTERNAL", "fatal_error", delete_fails=True)

    triage_and_deliver(client, _services(db, standin), _ask(standin, "stays"))

    assert len(standin.messages["C0INTERNAL"]) == 1
    told = _told(standin)
    assert "nothing was posted" not in told and "<#C0INTERNAL>" in told


def test_a_reply_refused_in_the_thread_goes_to_the_dm_without_leaving_the_parent_behind(db, standin):
    client = RepliesRefused(standin, "C0INTERNAL", "cannot_reply_to_message")

    triage_and_deliver(client, _services(db, standin), _ask(standin, "to-dm"))

    assert standin.messages["C0INTERNAL"] == []
    assert [message.get("thread_ts") is not None for message in standin.messages["DU0ALICE"]] == [False, True]
    assert "stays there" not in _told(standin)


def test_an_unreachable_response_url_falls_back_to_the_dm(standin):
    client = WebClient(token=BOT_TOKEN, base_url=standin.api_url)

    tell_user("http://127.0.0.1:9/unreachable", client, "U0ALICE", None, "Your triage is in our DM.")

    [sent] = standin.wait_for("chat.postMessage")
    assert (sent.args["channel"], sent.args["text"]) == ("DU0ALICE", "Your triage is in our DM.")
