"""Benchmark: drift_assets against pandas + scipy and Evidently on the same data."""
