"""QBR reminders, Slack-free: when each is due (`plan`), the pending rows that match each account's next QBR
(`schedule`), and the tick that claims and sends the due ones through a sender handed in (`tick`)."""
