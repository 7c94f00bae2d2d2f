"""`pushback run` as a real process: acks a signed slash command fast, refuses bad signatures, stays healthy."""

from tests.support.driver import http_request


def test_signed_slash_command_is_acked_well_within_three_seconds(running_app, standin):
    reply = running_app.driver.slash_command("hello")

    assert reply.status == 200
    assert reply.seconds < 1.5
    answer = standin.wait_for("response")[0]
    assert answer.args["response_type"] == "ephemeral"


def test_bad_signature_is_refused_and_nothing_is_processed(running_app, standin):
    reply = running_app.driver.post("command=%2Fpushback&text=hello", headers={"X-Slack-Signature": "v0=bad"})

    assert reply.status == 401
    assert standin.calls_to("response") == []


def test_healthz_reports_the_database(running_app):
    reply = http_request(f"{running_app.url}/healthz")

    assert reply.status == 200
    assert reply.json() == {"status": "ok"}


def test_sigterm_stops_the_server_cleanly(running_app):
    assert running_app.stop() == 0
