"""The dataset file: datasets, their sources, check policy, alert routes, and the
vocabulary every stage shares: severity, times and durations, strict models."""
