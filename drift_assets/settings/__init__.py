"""The dataset file: datasets, their sources, check policy, alert routes and severity."""
