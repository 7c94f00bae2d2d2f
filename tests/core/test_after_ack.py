"""Work after the ack, Bolt's way: a listener acks and Slack has its answer while the work goes on in a Bolt lazy
listener on the app's listener executor; a failure there reaches the user privately, and so does work a stopping
process will not start; and nothing that waits on Slack comes before an ack, not even the bot token's `auth.test`."""

from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient
from slack_sdk.oauth.installation_store import Installation

from bot.settings import Settings
from bot.slack.workspaces import installation_store

from bot.slack.serve import PushbackServer
from bot.slack.triage_jobs import recover_stranded
from bot.slack.services import Services
from handlers.services import acknowledge, after_ack, stop_taking_work, stopping
from tests.conftest import SIGNING_SECRET
from tests.support.bolt import InProcessApp
from tests.support.driver import eventually

PASTE = "Hi, could you also add a French version of the site by Friday at no extra cost? Thanks, Jo"


def _in_thread(work):
    """Run `work` in a thread; returns the thread and a list that receives its result."""
    result: list = []
    thread = threading.Thread(target=lambda: result.append(work()), daemon=True)
    thread.start()
    return thread, result


def test_slack_has_its_answer_while_the_work_after_the_ack_still_waits_on_slack(slack_app, standin):
    release = standin.hold("chat.postMessage")

    thread, answered = _in_thread(lambda: slack_app.driver.slash_command(PASTE, channel_id="D0ALICE"))
    thread.join(10)

    assert answered and answered[0].status == 200 and answered[0].body == ""
    standin.wait_for("chat.postMessage")  # the triage is being posted, after the answer
    release.set()
    standin.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts"))


def test_a_failure_after_the_ack_reaches_the_user_privately_and_the_log_has_no_client_words(slack_app, standin):
    standin.add_user("U0ALICE")
    standin.fail("views.open", "invalid_arguments")

    reply = slack_app.driver.block_action("open_paste_modal", "", channel_id="C0INTERNAL")

    assert reply.status == 200
    [told] = standin.wait_for("response")
    assert told.args["response_type"] == "ephemeral" and "went wrong" in told.args["text"].lower()
    assert "listener failed team=T0001 user=U0ALICE" in slack_app.log()


def test_lazy_listeners_get_the_services_from_register_not_from_the_context(db, standin):
    """Bolt hands a lazy listener a deep copy of the request's context, which a store could not survive."""
    seen: list = []
    done = threading.Event()

    def work(services, context, command):
        seen.append((services.db is db, "db" in context, command["text"]))
        done.set()

    executor = ThreadPoolExecutor(max_workers=1)
    app = App(client=WebClient(token="xoxb-1", base_url=standin.api_url), signing_secret=SIGNING_SECRET,
              token_verification_enabled=False, request_verification_enabled=False, process_before_response=True,
              listener_executor=executor)
    app.command("/pushback")(ack=acknowledge, lazy=[after_ack(Services(settings=Settings(), db=db), work)])

    response = app.dispatch(BoltRequest(body="command=%2Fpushback&text=hi&team_id=T1&user_id=U1",
                                        headers={"content-type": ["application/x-www-form-urlencoded"]}))

    assert response.status == 200
    assert done.wait(10)
    executor.shutdown(wait=True)
    assert seen == [(True, False, "hi")]


def test_the_first_command_is_answered_while_auth_test_is_still_waiting_on_slack(app_env, standin):
    release = standin.hold("auth.test")
    app = InProcessApp(app_env, standin, SIGNING_SECRET)
    try:
        thread, answered = _in_thread(lambda: app.driver.slash_command("help"))
        thread.join(10)

        assert answered and answered[0].status == 200
        assert answered[0].json()["response_type"] == "ephemeral"
        assert "Examples" in answered[0].body
    finally:
        release.set()
        app.close()


@pytest.mark.parametrize("failure", ["server_error", "fatal_error"])
def test_a_transient_auth_test_failure_never_tells_the_user_to_reinstall(app_env, standin, failure):
    if failure == "server_error":
        standin.server_error("auth.test", times=10)
    else:
        standin.fail("auth.test", "fatal_error", times=10)
    app = InProcessApp(app_env, standin, SIGNING_SECRET)
    try:
        reply = app.driver.slash_command("help")

        assert reply.status == 200 and "Examples" in reply.body
        assert standin.calls_to("response") == []
    finally:
        app.close()


def test_a_revoked_token_is_answered_with_reinstall(app_env, standin):
    standin.fail("auth.test", "token_revoked", times=10)
    app = InProcessApp(app_env, standin, SIGNING_SECRET)
    try:
        def told_to_reinstall():
            app.driver.slash_command("help")
            return [call for call in standin.calls_to("response") if "reinstall" in str(call.args.get("text"))]

        assert eventually(told_to_reinstall, timeout=10)
    finally:
        app.close()


def test_links_to_messages_use_the_workspace_url_bolt_authorized_with(slack_app, standin):
    assert eventually(lambda: slack_app.identity.known)
    standin.add_channel("C0SHARED", is_ext_shared=True)

    slack_app.driver.slash_command(PASTE, channel_id="C0SHARED")

    [pointer] = standin.wait_for("response")
    assert "https://acme-agency.slack.com/archives/DU0ALICE/p" in pointer.args["text"]
    assert standin.calls_to("chat.getPermalink") == []
    assert len(standin.calls_to("auth.test")) == 1


def test_the_account_modal_is_acked_without_asking_slack_about_anyone(slack_app, standin):
    standin.add_user("U0ALICE", tz="Europe/Paris")
    release = standin.hold("users.info")
    values = {"name_block": {"name_input": {"type": "plain_text_input", "value": "Globex"}},
              "qbr_block": {"qbr_input": {"type": "datepicker", "selected_date": "2031-03-01"}}}
    try:
        thread, answered = _in_thread(lambda: slack_app.driver.view_submission("account_submit", values,
                                                                                private_metadata=json.dumps({})))
        thread.join(10)

        assert answered and answered[0].status == 200 and answered[0].body == ""
    finally:
        release.set()
    standin.wait_for("views.publish")


def test_an_installed_workspace_is_authorized_from_the_store_without_asking_slack(app_env, standin):
    env = {key: value for key, value in app_env.items() if key != "SLACK_BOT_TOKEN"}
    app = InProcessApp({**env, "SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "oauth-secret"}, standin,
                       SIGNING_SECRET)
    try:
        installation_store(app.settings, app.db).save(Installation(
            app_id="A0PUSHBACK", team_id="T0001", user_id="U0ALICE", bot_token="xoxb-installed", bot_id="B0BOT",
            bot_user_id="U0BOT", bot_scopes=["commands", "chat:write"]))

        reply = app.driver.slash_command(PASTE, channel_id="D0ALICE")

        assert reply.status == 200
        standin.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts"))
        assert {call.token for call in standin.calls_to("chat.postMessage")} == {"xoxb-installed"}
        assert standin.calls_to("auth.test") == []
    finally:
        app.close()


@pytest.fixture
def process_stopping():
    """Undo `stop_taking_work` after the test (the flag is the process's)."""
    yield stop_taking_work
    stopping.clear()


def test_when_the_process_stops_work_under_way_finishes_and_a_triage_not_started_is_left_to_another_instance(
        slack_app, standin, process_stopping):
    release = standin.hold("chat.postMessage")
    slack_app.driver.slash_command(PASTE, channel_id="D0ALICE", user_id="U0ALICE")
    standin.wait_for("chat.postMessage")  # Alice's triage is under way, waiting on Slack

    process_stopping()
    reply = slack_app.driver.slash_command(PASTE, channel_id="D0BOB", user_id="U0BOB")
    release.set()
    standin.wait_for("chat.postMessage", where=lambda call: call.args.get("thread_ts"))
    slack_app.executor.shutdown(wait=True)

    assert reply.status == 200
    assert {call.args["channel"] for call in standin.calls_to("chat.postMessage")} == {"D0ALICE"}
    assert standin.calls_to("response") == []  # Bob is not asked to send it again: his triage is kept
    assert recover_stranded(slack_app.settings, slack_app.db) == 1  # another instance's clock finds it at once
    assert [call.args["channel"] for call in standin.calls_to("chat.postMessage")
            if call.args.get("thread_ts")] == ["D0ALICE", "D0BOB"]


def test_when_a_triage_could_not_be_kept_a_stopping_process_asks_its_user_to_send_it_again(slack_app, standin,
                                                                                           process_stopping):
    with slack_app.db.transaction() as session:
        session.execute(text("DROP TABLE triage_jobs"))
    process_stopping()

    reply = slack_app.driver.slash_command(PASTE, channel_id="D0BOB", user_id="U0BOB")

    assert reply.status == 200
    [told] = standin.wait_for("response")
    assert told.args["response_type"] == "ephemeral" and "send it again" in told.args["text"]
    assert standin.calls_to("chat.postMessage") == []


def test_a_gunicorn_worker_that_has_stopped_serving_stops_taking_work(process_stopping, tmp_path):
    server = PushbackServer(Settings(slack_bot_token="xoxb-1", data_dir=tmp_path))

    server.cfg.worker_exit(None, None)

    assert stopping.is_set()


def test_a_button_is_acked_while_app_home_opens_wait_on_a_slow_slack(slack_app, standin):
    release = standin.hold("views.publish")
    try:
        for _ in range(8):
            assert slack_app.driver.event({"type": "app_home_opened", "user": "U0ALICE", "tab": "home"}).status == 200
        standin.wait_for("views.publish")

        thread, answered = _in_thread(lambda: slack_app.driver.block_action("triage_feedback_helpful", "1:helpful"))
        thread.join(10)

        assert answered and answered[0].status == 200
    finally:
        release.set()
    standin.wait_for("views.publish", count=8)
