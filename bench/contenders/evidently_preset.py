"""Evidently's DataDriftPreset, run in its own virtual environment (it needs pandas < 3)."""

from __future__ import annotations

import argparse

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset

from bench.generate import parquet_paths
from bench.measure import frame_mib, run_timed


def check(baseline: pd.DataFrame, current: pd.DataFrame) -> dict[str, str]:
    snapshot = Report([DataDriftPreset()]).run(current, baseline)
    flags = {}
    for metric in snapshot.dict()["metrics"]:
        config = metric["config"]
        if not config["type"].endswith("ValueDrift"):
            continue
        method, threshold, value = config["method"], config["threshold"], metric["value"]
        # Evidently reads a p-value method's threshold as "below is drift",
        # a distance's as "at or above".
        drifted = value < threshold if "p_value" in method else value >= threshold
        if drifted:
            flags[config["column"]] = f"{method} {value:.3g}"
    return flags


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args()
    baseline_path, current_path = parquet_paths(args.rows)
    baseline, current = pd.read_parquet(baseline_path), pd.read_parquet(current_path)
    result = {"input_mib": frame_mib(baseline) + frame_mib(current)}
    run_timed(lambda: check(baseline, current), result)


if __name__ == "__main__":
    main()
