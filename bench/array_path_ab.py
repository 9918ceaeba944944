"""A/B: profile_dataframe against the sort-based prototype, on the same data in one process."""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa

from bench.array_profiling import profile_numeric, profile_strings, run_columns
from bench.generate import parquet_paths, read_frame
from drift_assets.logical_types import logical_type
from drift_assets.profile import ColumnProfile, DatasetProfile, LogicalType
from drift_assets.profiling import profile_dataframe


@dataclass(frozen=True)
class Planned:
    index: int
    name: str
    physical_type: str
    logical_type: LogicalType
    reference_edges: tuple[float, ...] | None
    reference_shape: tuple[int, ...] | None
    reference_values: tuple[str, ...] | None


def plan(df: pd.DataFrame, reference: DatasetProfile) -> list[Planned]:
    types = duckdb.connect().from_df(df.head(0)).types
    planned = []
    for i, (name, duckdb_type) in enumerate(zip(df.columns, types, strict=True)):
        base = reference.column(name)
        histogram = base.numeric.histogram if base.numeric else None
        planned.append(
            Planned(
                i,
                name,
                str(duckdb_type),
                logical_type(duckdb_type),
                histogram.edges if histogram else None,
                histogram.counts if histogram else None,
                tuple(v for v, _ in base.categorical.top) if base.categorical else None,
            )
        )
    return planned


def prototype(df: pd.DataFrame, columns: list[Planned]) -> list[ColumnProfile]:
    def task(c: Planned):
        column = df[c.name]
        if c.logical_type is LogicalType.STRING:
            return lambda: profile_strings(c, pa.array(column.array), top_k=50, id_like_ratio=0.95)
        # Integer columns are converted into a fresh array, which may be sorted in place.
        owned = column.dtype != np.float64
        values = column.to_numpy(dtype=np.float64, na_value=np.nan)
        return lambda: profile_numeric(c, values, bins=100, id_like_ratio=0.95, owned=owned)

    return run_columns([task(c) for c in columns], threads=2)


def median_seconds(work, runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    baseline_path, current_path = parquet_paths(args.rows)
    reference = profile_dataframe(read_frame(baseline_path), "ab")
    current = read_frame(current_path)
    columns = plan(current, reference)
    ours = profile_dataframe(current, "ab", reference=reference)
    for a, b in zip(ours.columns, prototype(current, columns), strict=True):
        # The same counts in the reference's edges and the same top values.
        assert (a.numeric and a.numeric.reference_counts) == (
            b.numeric and b.numeric.reference_counts
        )
        assert a.categorical == b.categorical, a.name
    before = median_seconds(
        lambda: profile_dataframe(current, "ab", reference=reference), args.runs
    )
    after = median_seconds(lambda: prototype(current, columns), args.runs)
    print(
        f"{args.rows:,} rows: profile_dataframe {before:.3f} s, sort-based prototype {after:.3f} s"
    )


if __name__ == "__main__":
    main()
