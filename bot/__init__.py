"""Pushback's Slack-free core: settings, storage, triage, scheduling and Block Kit builders."""
