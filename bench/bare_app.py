"""The anchor for the serving benchmark: a bare Bolt app that only acks `/pushback`, posts a parent message and
one thread reply, served by gunicorn the same way. Configured by the same environment variables as Pushback."""

import os

from slack_bolt import App
from slack_bolt.adapter.wsgi import SlackRequestHandler
from slack_sdk import WebClient

client = WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"])
app = App(client=client, signing_secret=os.environ["SLACK_SIGNING_SECRET"])


def bare_command(ack, command, client):
    """Ack, then a parent message and one reply in its thread."""
    ack()
    parent = client.chat_postMessage(channel=command["channel_id"], text=command["text"][:3000])
    client.chat_postMessage(channel=command["channel_id"], thread_ts=parent["ts"], text="reply")


app.command("/pushback")(bare_command)
wsgi = SlackRequestHandler(app)
