"""Wide tables: `drift-assets compare` beside the pandas + scipy script on the same files.

Writes bench/data/wide/<rows>x<columns>/{baseline,current}.{csv,parquet} once (columns
cycle float / integer 0-99 / string of three values, as the issue's bad-input
campaign had them; ``--mixed`` adds nulls, a date and a boolean column in every
eight, and strings of up to 50 values), then runs each contender in a fresh process
``--runs`` times and writes bench/wide_results.md. Both contenders are timed whole:
process start, reading both files, profiling or checking, the report.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

BENCH = Path(__file__).parent
ROOT = BENCH.parent
WIDE_DIR = BENCH / "data" / "wide"
RESULTS_MD = BENCH / "wide_results.md"
RESULTS_JSON = WIDE_DIR / "results.json"


def generate(rows: int, columns: int, *, seed: int, mixed: bool) -> pa.Table:
    rng = np.random.default_rng(seed)
    arrays = {}
    for i in range(columns):
        kind = i % (8 if mixed else 3)
        nulls = rng.random(rows) < 0.02 if mixed else None
        if kind in (0, 3):
            arrays[f"f{i}"] = pa.array(np.round(rng.normal(0, 1, rows), 4), mask=nulls)
        elif kind in (1, 4):
            arrays[f"i{i}"] = pa.array(rng.integers(0, 100, rows), mask=nulls)
        elif kind in (2, 5):
            k = 3 if not mixed else 3 + i % 48
            labels = pa.array([f"v{j}" for j in range(k)])
            codes = pa.array(rng.integers(0, k, rows).astype(np.int32), mask=nulls)
            arrays[f"s{i}"] = pa.DictionaryArray.from_arrays(codes, labels).cast(pa.string())
        elif kind == 6:
            days = rng.integers(19_000, 19_400, rows).astype("datetime64[D]")
            arrays[f"d{i}"] = pa.array(days, mask=nulls)
        else:
            arrays[f"b{i}"] = pa.array(rng.random(rows) < 0.3, mask=nulls)
    return pa.table(arrays)


def write(rows: int, columns: int, *, mixed: bool) -> Path:
    folder = WIDE_DIR / f"{rows}x{columns}{'-mixed' if mixed else ''}"
    if not (folder / "current.parquet").exists():
        folder.mkdir(parents=True, exist_ok=True)
        for seed, name in ((0, "baseline"), (1, "current")):
            table = generate(rows, columns, seed=seed, mixed=mixed)
            pa_csv.write_csv(table, folder / f"{name}.csv")
            pq.write_table(table, folder / f"{name}.parquet")
    return folder


def run_once(command: list[str]) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (user + system) and peak RSS MiB of one process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1 is "drift found"
        raise RuntimeError(f"{' '.join(command)} exited {code}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def commands(folder: Path, fmt: str) -> dict[str, list[str]]:
    baseline, current = str(folder / f"baseline.{fmt}"), str(folder / f"current.{fmt}")
    cli = [sys.executable, "-c", "from drift_assets.cli import main; main()"]
    pandas = [sys.executable, "-m", "bench.contenders.pandas_scipy_files"]
    return {
        "drift-assets compare": [*cli, "compare", baseline, current, "--format", "json"],
        "pandas + scipy": [*pandas, baseline, current],
    }


def measure(rows: int, columns: int, fmt: str, runs: int, mixed: bool) -> list[dict]:
    folder = write(rows, columns, mixed=mixed)
    measured = []
    for name, command in commands(folder, fmt).items():
        results = [run_once(command) for _ in range(runs)]
        walls = [r[0] for r in results]
        print(f"  {name} {folder.name} {fmt}: {', '.join(f'{w:.2f}' for w in walls)} s", flush=True)
        measured.append(
            {
                "contender": name,
                "table": folder.name,
                "format": fmt,
                "runs": runs,
                "wall": statistics.median(walls),
                "wall_min": min(walls),
                "wall_max": max(walls),
                "cpu": statistics.median(r[1] for r in results),
                "peak_mib": max(r[2] for r in results),
                "load": os.getloadavg()[0],
            }
        )
    return measured


def render(results: list[dict]) -> str:
    lines = [
        "## Wide tables (`python -m bench.wide`)",
        "",
        "Each row: a fresh process per run, median of the runs; wall time and CPU"
        " (user + system, all threads) from `wait4`, peak RSS of the whole process."
        " The load average is the machine's when the row was measured (2 cores, shared"
        " with other helpers' test runs: wall time there is mostly waiting for a core,"
        " so CPU time is the figure to compare).",
        "",
        "| table | file | contender | runs | wall s median (min-max) | CPU s | peak RSS MiB"
        " | load |",
        "|---|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['table']} | {r['format']} | {r['contender']} | {r['runs']} "
            f"| {r['wall']:.2f} ({r['wall_min']:.2f}-{r['wall_max']:.2f}) | {r['cpu']:.2f} "
            f"| {r['peak_mib']:.0f} | {r['load']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--shape", nargs=2, type=int, metavar=("ROWS", "COLUMNS"), required=True)
    parser.add_argument("--formats", nargs="+", choices=("csv", "parquet"), default=["csv"])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--mixed", action="store_true")
    args = parser.parse_args()
    rows, columns = args.shape
    stored = json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else []
    for fmt in args.formats:
        new = measure(rows, columns, fmt, args.runs, args.mixed)
        keys = {(r["contender"], r["table"], r["format"]) for r in new}
        stored = [r for r in stored if (r["contender"], r["table"], r["format"]) not in keys]
        stored += new
        RESULTS_JSON.write_text(json.dumps(stored, indent=1))
    RESULTS_MD.write_text(render(stored))
    print(RESULTS_MD.read_text())


if __name__ == "__main__":
    main()
