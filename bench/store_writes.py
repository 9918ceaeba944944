"""Store write latency and throughput on both backends: one evaluation (a 20-column
profile and its three check results, one transaction) written alone, and by
several processes at once."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from drift_assets.checks.outcome import CheckOutcome
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.store import DriftStore

NOTES = Path(__file__).parent / "store_results.md"


def _evaluation(rows: int = 1000, columns: int = 20):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({f"c{i}": rng.normal(i, 1, rows) for i in range(columns)})
    profile = profile_dataframe(frame, "bench")
    outcomes = [
        CheckOutcome(name, True, None, "ok", metrics={"columns": columns})
        for name in ("schema_change", "null_rate", "distribution_shift")
    ]
    return profile, outcomes


def _write(store: DriftStore, profile, outcomes, run_id: str) -> None:
    store.record_evaluation(
        profile=profile,
        asset_key="bench",
        run_id=run_id,
        baseline=None,
        baseline_strategy="previous",
        outcomes=outcomes,
    )


def _writer(target: str, count: int, start, seconds) -> None:
    store = DriftStore(target, lock_timeout=600)
    profile, outcomes = _evaluation()
    store.datasets()  # connected and migrated before the clock starts
    start.wait()
    began = time.perf_counter()
    for i in range(count):
        _write(store, profile, outcomes, f"w{i}")
    seconds.put(time.perf_counter() - began)


def latency(target: str, writes: int) -> list[float]:
    store = DriftStore(target)
    profile, outcomes = _evaluation()
    _write(store, profile, outcomes, "warm-up")
    timings = []
    for i in range(writes):
        began = time.perf_counter()
        _write(store, profile, outcomes, f"r{i}")
        timings.append(time.perf_counter() - began)
    return timings


def throughput(target: str, processes: int, writes: int) -> tuple[float, int]:
    """Writes per second of ``processes`` writers together, and how many landed."""
    before = _evaluations(target)
    context = multiprocessing.get_context("spawn")
    start, seconds = context.Barrier(processes + 1), context.Queue()
    workers = [
        context.Process(target=_writer, args=(target, writes, start, seconds))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    start.wait()
    began = time.perf_counter()
    for worker in workers:
        worker.join()
    wall = time.perf_counter() - began
    return processes * writes / wall, _evaluations(target) - before


def _evaluations(target: str) -> int:
    return len(DriftStore(target).check_history(dataset="bench")) // 3


def measure(writes: int, processes: int, url: str | None) -> str:
    lines = [
        "## Store writes: one evaluation (20-column profile + 3 results, one transaction)",
        "",
        f"Written by `python -m bench.store_writes`: {writes} writes one after another"
        f" (latency), then {processes} processes writing {writes} each at once"
        " (throughput). Postgres: Debian's PostgreSQL 15 on loopback, fsync off (the test"
        " server) unless `--url` names another. Each write opens and closes its own"
        " connection, as the store does.",
        "",
        "| backend | median ms | p95 ms | writes/s, 1 process |"
        f" writes/s, {processes} processes | landed |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    with tempfile.TemporaryDirectory() as folder:
        targets = {"duckdb file": str(Path(folder) / "bench.duckdb")}
        server = None
        if url is None:
            from drift_assets_tests import postgres_server

            server = postgres_server.start()
            url = server.create_database("bench")
        targets["postgres"] = url
        try:
            for name, target in targets.items():
                timings = latency(target, writes)
                median = statistics.median(timings)
                p95 = statistics.quantiles(timings, n=20)[-1]
                rate, landed = throughput(target, processes, writes)
                lines.append(
                    f"| {name} | {median * 1000:.1f} | {p95 * 1000:.1f} | {1 / median:.0f}"
                    f" | {rate:.0f} | {landed} of {processes * writes} |"
                )
        finally:
            if server is not None:
                postgres_server.stop(server)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    lines += ["", f"Load average at the end (1, 5, 15 min): {load} on {os.cpu_count()} cores."]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--writes", type=int, default=200)
    parser.add_argument("--processes", type=int, default=4)
    parser.add_argument("--url", help="a postgresql:// URL (default: a throwaway local server)")
    args = parser.parse_args()
    NOTES.write_text(measure(args.writes, args.processes, args.url))
    print(NOTES.read_text())


if __name__ == "__main__":
    main()
