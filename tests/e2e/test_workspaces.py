"""Many workspaces: Slack's OAuth install flow against the stand-in, tokens per team, isolation, uninstall."""

import re
from urllib.parse import urlencode

import pytest
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from sqlalchemy import create_engine

from tests.conftest import SIGNING_SECRET
from tests.support.driver import SlackDriver, eventually, http_request
from tests.support.process import AppProcess


@pytest.fixture
def multi_workspace_app(app_env, standin, tmp_path):
    env = {key: value for key, value in app_env.items() if key != "SLACK_BOT_TOKEN"}
    env.update({"SLACK_CLIENT_ID": "111.222", "SLACK_CLIENT_SECRET": "oauth-secret"})
    process = AppProcess(env, standin, SIGNING_SECRET, tmp_path)
    process.start()
    yield process
    process.stop()


def _install(app, standin, team_id: str, name: str) -> str:
    code = f"code-{team_id}"
    token = standin.add_workspace(team_id, name, code)
    page = http_request(f"{app.url}/slack/install")
    assert page.status == 200
    state = re.search(r"state=([\w-]+)", page.body).group(1)
    done = http_request(f"{app.url}/slack/oauth_redirect?{urlencode({'code': code, 'state': state})}",
                        headers={"Cookie": f"slack-app-oauth-state={state}"})
    assert done.status == 200, done.body
    return token


def test_install_flow_stores_each_workspace_and_uses_its_own_token(multi_workspace_app, standin):
    alpha = _install(multi_workspace_app, standin, "T0001", "Acme Agency")
    beta = _install(multi_workspace_app, standin, "T0002", "Beta Studio")
    assert len(standin.calls_to("oauth.v2.access")) == 2

    SlackDriver(multi_workspace_app.url, SIGNING_SECRET, standin, team_id="T0002").slash_command(
        "Please take 40% off the final invoice", user_id="U0BETA", channel_id="D0BETA")

    reply = standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))[0]
    assert reply.token == beta != alpha


def test_a_workspace_never_sees_another_workspaces_triages(multi_workspace_app, standin):
    _install(multi_workspace_app, standin, "T0001", "Acme Agency")
    _install(multi_workspace_app, standin, "T0002", "Beta Studio")
    alpha = SlackDriver(multi_workspace_app.url, SIGNING_SECRET, standin, team_id="T0001")
    beta = SlackDriver(multi_workspace_app.url, SIGNING_SECRET, standin, team_id="T0002")
    alpha.slash_command("Please take 40% off the final invoice", user_id="U0SAME", channel_id="D0SAME")
    standin.wait_for("chat.postMessage", where=lambda c: c.args.get("thread_ts"))

    def alpha_home_shows_the_thread() -> bool:
        standin.reset_calls()
        alpha.event({"type": "app_home_opened", "user": "U0SAME", "tab": "home"})
        return "open thread" in str(standin.wait_for("views.publish")[0].args["view"])

    assert eventually(alpha_home_shows_the_thread)
    standin.reset_calls()
    beta.event({"type": "app_home_opened", "user": "U0SAME", "tab": "home"})
    beta_home = standin.wait_for("views.publish")[0]
    assert beta_home.token == "xoxb-t0002-installed"
    assert "open thread" not in str(beta_home.args["view"])
    assert "None yet" in str(beta_home.args["view"])

def test_uninstall_deletes_the_workspaces_tokens(multi_workspace_app, standin, database_url):
    _install(multi_workspace_app, standin, "T0002", "Beta Studio")
    beta = SlackDriver(multi_workspace_app.url, SIGNING_SECRET, standin, team_id="T0002")
    store = SQLAlchemyInstallationStore(client_id="111.222", engine=create_engine(database_url))
    assert store.find_bot(enterprise_id=None, team_id="T0002") is not None

    assert beta.event({"type": "app_uninstalled"}).status == 200

    assert eventually(lambda: store.find_bot(enterprise_id=None, team_id="T0002") is None)
    standin.reset_calls()
    reply = beta.slash_command("Please take 40% off the final invoice", user_id="U0BETA", channel_id="D0BETA")

    assert reply.status == 200
    told = standin.wait_for("response")[0]
    assert "install" in str(told.args).lower()
    assert standin.calls_to("chat.postMessage") == []
