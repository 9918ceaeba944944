"""drift_assets: profile the current batch and run all three checks against a stored baseline."""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from bench.generate import parquet_paths, read_frame
from bench.measure import frame_mib, run_timed
from drift_assets.evaluation import evaluate_batch
from drift_assets.profiling.profiler import profile_dataframe, profile_source
from drift_assets.settings.dataset_file import SourceConfig
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore

DATASET = "bench"
# Pinned, so every run compares with the one baseline batch recorded in setup.
POLICY = DriftPolicy(baseline="pinned")


def profiler_for(source: str, path: Path, timings: dict[str, float]):
    """Profile ``path`` from a DataFrame or straight from the Parquet file."""
    frame = read_frame(path) if source == "frame" else None

    def profile(reference):
        start = time.perf_counter()
        if frame is not None:
            result = profile_dataframe(frame, DATASET, reference=reference, top_k=POLICY.top_k)
        else:
            config = SourceConfig(parquet=path.name)
            result = profile_source(
                config, path.parent, DATASET, reference=reference, top_k=POLICY.top_k
            )
        timings["profile_seconds"] = time.perf_counter() - start
        return result

    return profile, frame


def evaluate(store: DriftStore, profiler) -> dict[str, str]:
    evaluation = evaluate_batch(
        store, dataset=DATASET, asset_key=DATASET, policy=POLICY, run_id=None, profiler=profiler
    )
    flags: dict[str, list[str]] = {}
    for outcome in evaluation.outcomes:
        for finding in outcome.failed_columns:
            flags.setdefault(finding.column, []).append(f"{outcome.check}: {finding.summary}")
    return {name: "; ".join(reasons) for name, reasons in flags.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    parser.add_argument("--source", choices=("frame", "parquet"), required=True)
    args = parser.parse_args()
    baseline_path, current_path = parquet_paths(args.rows)
    with tempfile.TemporaryDirectory() as folder:
        store = DriftStore(Path(folder) / "store.duckdb")
        baseline_profiler, baseline_frame = profiler_for(args.source, baseline_path, {})
        evaluate(store, baseline_profiler)
        del baseline_frame, baseline_profiler
        result: dict = {}
        current_profiler, frame = profiler_for(args.source, current_path, result)
        result["input_mib"] = frame_mib(frame) if frame is not None else 0.0
        run_timed(lambda: evaluate(store, current_profiler), result)


if __name__ == "__main__":
    main()
