"""Slack I/O: sending messages, draining the outbox, replying to actions, and the
actions endpoint with its request guard."""
