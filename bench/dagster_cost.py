"""One dataset's materialization plus its drift checks inside Dagster, and where the time goes."""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from dagster import (
    DagsterEventType,
    DagsterInstance,
    Definitions,
    ExecutorDefinition,
    JobDefinition,
    define_asset_job,
    execute_job,
    in_process_executor,
    multiprocess_executor,
    reconstructable,
)

from bench.generate import write
from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY, build_dataset_asset
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.dataset_file import DatasetConfig, SourceConfig
from drift_assets.settings.policy import DriftPolicy

NOTES = Path(__file__).parent / "dagster_results.md"
# The step process rebuilds the job from these, so both executors run the same definition.
FOLDER_ENV, DB_ENV = "BENCH_DATA_FOLDER", "BENCH_STORE"
JOB = "bench_job"


# Dagster caches a reconstructed job per function: one function per file and executor.
def baseline_job() -> JobDefinition:
    return _job("baseline.parquet", in_process_executor)


def in_process_job() -> JobDefinition:
    return _job("current.parquet", in_process_executor)


def multiprocess_job() -> JobDefinition:
    return _job("current.parquet", multiprocess_executor)


def _job(file_name: str, executor: ExecutorDefinition) -> JobDefinition:
    path = Path(os.environ[FOLDER_ENV]) / file_name
    dataset = DatasetConfig(
        name="bench",
        source=SourceConfig(parquet=path.name),
        schedule=None,
        policy=DriftPolicy(baseline="pinned"),
    )
    defs = Definitions(
        assets=[build_dataset_asset(dataset, path.parent)],
        jobs=[define_asset_job(JOB, selection="*")],
        resources={STORE_RESOURCE_KEY: DriftStoreResource(database=os.environ[DB_ENV])},
        executor=executor,
    )
    return defs.resolve_job_def(JOB)


def materialize(instance: DagsterInstance, job: Callable[[], JobDefinition]) -> dict[str, float]:
    """Run the job once; the phases come from the run's own event timestamps."""
    start = time.time()
    result = execute_job(reconstructable(job), instance=instance)
    end = time.time()
    assert result.success, f"{job.__name__} failed"
    first: dict[DagsterEventType | str, float] = {}
    for entry in instance.all_logs(result.run_id):
        if entry.dagster_event is not None:
            first.setdefault(entry.dagster_event.event_type, entry.timestamp)
        elif entry.user_message.startswith(CHECK_NAMES):
            # The asset logs each outcome right after evaluate_batch returns.
            first.setdefault("evaluated", entry.timestamp)
    step_start, step_end = first[DagsterEventType.STEP_START], first[DagsterEventType.STEP_SUCCESS]
    evaluated = first["evaluated"]
    return {
        "total": end - start,
        "before the step (run start, step launch, imports)": step_start - start,
        "step: resource, store, profile, checks (evaluate_batch)": evaluated - step_start,
        "step: materialization and check events": step_end - evaluated,
        "after the step (run end, event log)": end - step_end,
    }


def measure(rows: int, runs: int, folder: Path | None = None, multiprocess: bool = True) -> str:
    """``folder`` holds another baseline.parquet / current.parquet pair (a wide one)."""
    shape = f"{rows:,} rows" if folder is None else folder.name
    if folder is None:
        folder = write(rows)[0].parent
    os.environ[FOLDER_ENV] = str(folder)
    lines = [
        f"## Inside Dagster ({shape} from Parquet)",
        "",
        "Written by `python -m bench.dagster_cost`: median of "
        f"{runs} runs of a one-asset job (the asset profiles the Parquet file and reports its "
        "three checks against a pinned baseline), wall time split by the run's event timestamps.",
        "",
        "| executor | phase | seconds |",
        "|---|---|---:|",
    ]
    with tempfile.TemporaryDirectory() as home:
        os.environ[DB_ENV] = str(Path(home) / "store.duckdb")
        with DagsterInstance.local_temp(home) as instance:
            materialize(instance, baseline_job)  # records and pins the baseline
            executors = [("in_process", in_process_job), ("multiprocess", multiprocess_job)]
            for executor, job in executors[: 2 if multiprocess else 1]:
                timings = [materialize(instance, job) for _ in range(runs)]
                for phase in timings[0]:
                    median = statistics.median(t[phase] for t in timings)
                    lines.append(f"| {executor} | {phase} | {median:.3f} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="a wide pair from bench.wide instead")
    parser.add_argument("--out", type=Path, default=NOTES)
    parser.add_argument("--in-process-only", action="store_true")
    args = parser.parse_args()
    args.out.write_text(measure(args.rows, args.runs, args.folder, not args.in_process_only))
    print(args.out.read_text())


if __name__ == "__main__":
    main()
