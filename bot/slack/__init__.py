"""The Slack adapter: all that speaks to Slack through slack_sdk or Bolt, apart from the listeners in `handlers/`."""
