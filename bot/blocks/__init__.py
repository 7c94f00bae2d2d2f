"""Block Kit builders: pure functions from core results to Slack's dicts, within Slack's limits."""
