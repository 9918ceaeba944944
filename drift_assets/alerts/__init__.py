"""Failed asset checks to Slack: pick up, route, outbox, deliver."""
