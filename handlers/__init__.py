"""Slack surfaces: each module turns Slack payloads into core calls and core results into Block Kit."""
