"""Run each contender in its own process, several times, and write bench/results.md."""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from bench.generate import COLUMNS, SHOULD_FLAG, write

BENCH = Path(__file__).parent
ROOT = BENCH.parent
RESULTS_JSON = BENCH / "data" / "results.json"
RESULTS_MD = BENCH / "results.md"
EVIDENTLY_PYTHON = BENCH / ".venv-evidently" / "bin" / "python"
# Notes the runner copies into results.md: the optimization log, the Dagster costs
# and the wide-table rows (written by bench.dagster_cost and bench.wide).
NOTES = (
    BENCH / "optimizations.md",
    BENCH / "dagster_results.md",
    BENCH / "wide_results.md",
    BENCH / "dagster_wide_results.md",
)


@dataclass(frozen=True)
class Contender:
    key: str
    title: str
    python: Path
    module: str
    args: tuple[str, ...] = ()


CONTENDERS = {
    c.key: c
    for c in (
        Contender(
            "ours_frame",
            "drift_assets, from a DataFrame",
            Path(sys.executable),
            "bench.contenders.drift_assets_run",
            ("--source", "frame"),
        ),
        Contender(
            "ours_parquet",
            "drift_assets, from the Parquet file",
            Path(sys.executable),
            "bench.contenders.drift_assets_run",
            ("--source", "parquet"),
        ),
        Contender(
            "pandas_scipy",
            "pandas + scipy script",
            Path(sys.executable),
            "bench.contenders.pandas_scipy",
        ),
        Contender(
            "evidently",
            "Evidently DataDriftPreset",
            EVIDENTLY_PYTHON,
            "bench.contenders.evidently_preset",
        ),
    )
}
REFERENCE = "ours_frame"


def run_once(contender: Contender, rows: int) -> dict:
    """One run in a fresh process; its whole-life peak RSS comes from wait4's rusage."""
    command = [str(contender.python), "-m", contender.module, "--rows", str(rows), *contender.args]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    lines = [line for line in output.splitlines() if line.startswith("BENCH_RESULT ")]
    if process.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    result = json.loads(lines[-1].removeprefix("BENCH_RESULT "))
    result["process_peak_mib"] = usage.ru_maxrss / 1024  # Linux reports KiB
    return result


def measure(contender: Contender, rows: int, runs: int) -> dict:
    results = [run_once(contender, rows) for _ in range(runs)]
    for r in results:
        print(f"  {contender.key} {rows:>10,} rows: {r['seconds']:.3f} s", flush=True)
    seconds = [r["seconds"] for r in results]
    median = sorted(results, key=lambda r: r["seconds"])[len(results) // 2]
    return {
        **median,
        "runs": runs,
        "median_seconds": statistics.median(seconds),
        "min_seconds": min(seconds),
        "max_seconds": max(seconds),
        "process_peak_mib": max(r["process_peak_mib"] for r in results),
        **(
            {"profile_seconds": statistics.median(r["profile_seconds"] for r in results)}
            if "profile_seconds" in results[0]
            else {}
        ),
        "work_peak_above_start_mib": max(r["work_peak_above_start_mib"] for r in results),
    }


def load() -> dict:
    return json.loads(RESULTS_JSON.read_text()) if RESULTS_JSON.exists() else {}


def machine() -> dict[str, str]:
    cpuinfo = Path("/proc/cpuinfo").read_text()
    model = next(
        line.split(":", 1)[1].strip()
        for line in cpuinfo.splitlines()
        if line.startswith("model name")
    )
    mem_kib = int(Path("/proc/meminfo").read_text().split()[1])
    versions = ", ".join(
        f"{p} {metadata.version(p)}"
        for p in ("dagster", "duckdb", "pandas", "numpy", "scipy", "pyarrow")
    )
    evidently = (
        subprocess.run(
            [
                str(EVIDENTLY_PYTHON),
                "-c",
                "import evidently, pandas; print(evidently.__version__, pandas.__version__)",
            ],
            capture_output=True,
            text=True,
        ).stdout.split()
        if EVIDENTLY_PYTHON.exists()
        else ["not installed", "-"]
    )
    return {
        "cpu": f"{os.cpu_count()} x {model}",
        "ram": f"{mem_kib / 1024 / 1024:.1f} GiB",
        "os": platform.platform(),
        "python": platform.python_version(),
        "versions": versions,
        "evidently": f"evidently {evidently[0]} with pandas {evidently[1]} (bench/.venv-evidently)",
    }


def render(results: dict) -> str:
    out = ["# Benchmark results", "", "Written by `python -m bench.run`; see bench/README.md.", ""]
    out += [f"- **{k}**: {v}" for k, v in machine().items()]
    out += [
        "",
        "## Time and memory",
        "",
        "Median wall time of the work (profile + schema, null-rate and distribution checks), "
        "excluding reading the input into pandas. *Work peak* is the highest RSS reached during "
        "the work above the RSS before it (the input already loaded); *process peak* is the "
        "whole process, loading included.",
        "",
        "| contender | rows | runs | median s (min-max) | of which profiling s"
        " | work peak above input MiB | input DataFrames MiB | process peak MiB"
        " | time vs drift_assets (DataFrame) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for rows_key in sorted(results, key=int):
        by = results[rows_key]
        ours = by.get(REFERENCE)
        for key, contender in CONTENDERS.items():
            r = by.get(key)
            if not r:
                continue
            ratio = f"{r['median_seconds'] / ours['median_seconds']:.1f}x" if ours else "-"
            spread = f"{r['min_seconds']:.3f}-{r['max_seconds']:.3f}"
            profiling = f"{r['profile_seconds']:.3f}" if "profile_seconds" in r else "-"
            out.append(
                f"| {contender.title} | {int(rows_key):,} | {r['runs']} "
                f"| {r['median_seconds']:.3f} ({spread}) | {profiling} "
                f"| {r['work_peak_above_start_mib']:.0f} "
                f"| {r['input_mib']:.0f} | {r['process_peak_mib']:.0f} | {ratio} |"
            )
    out += ["", "## Targets", "", *targets(results)]
    out += ["", "## What each contender flags", "", *detection(results)]
    for note in NOTES:
        if note.exists():
            out += ["", note.read_text().strip()]
    return "\n".join(out) + "\n"


def targets(results: dict) -> list[str]:
    def get(rows: int, key: str) -> dict | None:
        return results.get(str(rows), {}).get(key)

    lines = ["| target | measured | holds |", "|---|---|---|"]

    def add(name: str, value: float | None, limit: float, unit: str, at_most: bool = True) -> None:
        if value is None:
            lines.append(f"| {name} | not measured | - |")
            return
        holds = value <= limit if at_most else value >= limit
        lines.append(f"| {name} | {value:.3g} {unit} | {'yes' if holds else '**no**'} |")

    one, ten = get(1_000_000, REFERENCE), get(10_000_000, REFERENCE)
    one_pq, ten_pq = get(1_000_000, "ours_parquet"), get(10_000_000, "ours_parquet")
    add("1M rows from a DataFrame <= 0.5 s", one and one["median_seconds"], 0.5, "s")
    add("10M rows from a DataFrame <= 5 s", ten and ten["median_seconds"], 5, "s")
    add("1M rows from Parquet <= 0.5 s", one_pq and one_pq["median_seconds"], 0.5, "s")
    add("10M rows from Parquet <= 5 s", ten_pq and ten_pq["median_seconds"], 5, "s")
    for key, floor in (("evidently", 100), ("pandas_scipy", 10)):
        other = get(1_000_000, key)
        ratio = other["median_seconds"] / one["median_seconds"] if other and one else None
        add(
            f">= {floor}x faster than {CONTENDERS[key].title} at 1M",
            ratio,
            floor,
            "x",
            at_most=False,
        )
    add(
        "10M / 1M time <= 12x (DataFrame)",
        ten and one and ten["median_seconds"] / one["median_seconds"],
        12,
        "x",
    )
    for rows, r in ((1_000_000, one), (10_000_000, ten)):
        # The input here is the current batch only: the baseline is a stored profile.
        add(
            f"work peak above input <= half the input DataFrame ({rows:,} rows)",
            r and r["work_peak_above_start_mib"] / r["input_mib"],
            0.5,
            "x input",
        )
    add(
        "10M rows from Parquet: process peak < 1 GiB",
        ten_pq and ten_pq["process_peak_mib"],
        1024,
        "MiB",
    )
    return lines


def detection(results: dict) -> list[str]:
    lines = []
    for rows_key in sorted(results, key=int):
        by = results[rows_key]
        present = [k for k in CONTENDERS if k in by]
        lines += [
            f"### {int(rows_key):,} rows",
            "",
            "| column | should flag | " + " | ".join(CONTENDERS[k].title for k in present) + " |",
            "|---|---|" + "---|" * len(present),
        ]
        for column in COLUMNS:
            cells = [by[k]["flags"].get(column, "") for k in present]
            mark = "yes" if column in SHOULD_FLAG else ""
            lines.append(
                f"| {column} | {mark} | " + " | ".join(c.replace("|", "/") for c in cells) + " |"
            )
        lines.append("")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--only", nargs="+", choices=list(CONTENDERS), default=list(CONTENDERS))
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement below 10M rows")
    parser.add_argument(
        "--big-runs", type=int, default=3, help="runs per measurement from 10M rows"
    )
    parser.add_argument(
        "--slow-runs", type=int, default=3, help="runs for pandas + scipy and Evidently"
    )
    parser.add_argument(
        "--slow-max-rows",
        type=int,
        default=1_000_000,
        help="largest size pandas + scipy and Evidently are run at",
    )
    parser.add_argument("--render-only", action="store_true")
    args = parser.parse_args()
    results = load()
    if not args.render_only:
        for rows in args.rows:
            write(rows)
            for key in args.only:
                slow = key in ("pandas_scipy", "evidently")
                if slow and rows > args.slow_max_rows:
                    continue
                runs = (
                    args.slow_runs if slow else args.big_runs if rows >= 10_000_000 else args.runs
                )
                measured = measure(CONTENDERS[key], rows, runs)
                # Re-read first: a slow contender may be measured by another runner meanwhile.
                results = load()
                results.setdefault(str(rows), {})[key] = measured
                RESULTS_JSON.write_text(json.dumps(results, indent=1))
    RESULTS_MD.write_text(render(results))
    print(RESULTS_MD.read_text())


if __name__ == "__main__":
    main()
