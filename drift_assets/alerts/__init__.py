"""What happens to a failed check, decided without I/O: routing, messages, action
buttons and the transitions people apply (the clock is passed in)."""
