"""One module per contender; each runs once in its own process and reports one JSON line."""
