"""Benchmarks that print figures: serving, triage, reminders, memory and start-up (`python -m bench`)."""
