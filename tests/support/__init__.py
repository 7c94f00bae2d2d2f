"""Test support: a Slack Web API stand-in, a signed-request driver and process helpers."""
