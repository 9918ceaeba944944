"""A/B: profile_dataframe against the sort-based prototype, on the same data in one process."""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from bench.array_profiling import profile_numeric, profile_strings, run_columns
from bench.generate import parquet_paths, read_frame
from bench.measure import measured
from drift_assets.config import SourceConfig
from drift_assets.logical_types import logical_type
from drift_assets.profile import ColumnProfile, DatasetProfile, LogicalType
from drift_assets.profiling import profile_dataframe, profile_source


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


def prototype_parquet(path: Path, columns: list[Planned]) -> list[ColumnProfile]:
    """Read one column at a time, so memory holds about one column per thread."""

    def task(c: Planned):
        def run() -> ColumnProfile:
            column = pq.read_table(path, columns=[c.name], use_threads=False).column(0)
            if c.logical_type is LogicalType.STRING:
                return profile_strings(c, column, top_k=50, id_like_ratio=0.95)
            # Nulls or integers make to_numpy build a fresh float64 copy: ours to sort.
            values = column.to_numpy()
            owned = values.flags.writeable or values.dtype != np.float64
            values = values.astype(np.float64, copy=False)
            return profile_numeric(c, values, bins=100, id_like_ratio=0.95, owned=owned)

        return run

    return run_columns([task(c) for c in columns], threads=2)


def compare(ours: DatasetProfile, theirs: list[ColumnProfile]) -> None:
    """The same counts in the reference's edges and the same top values."""
    for a, b in zip(ours.columns, theirs, strict=True):
        assert (a.numeric and a.numeric.reference_counts) == (
            b.numeric and b.numeric.reference_counts
        ), a.name
        assert a.categorical == b.categorical, a.name


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
    parser.add_argument("--source", choices=("frame", "parquet"), default="frame")
    args = parser.parse_args()
    baseline_path, current_path = parquet_paths(args.rows)
    if args.source == "parquet":
        # No DataFrame anywhere, so the peaks below are the profilers' own.
        reference = profile_source(
            SourceConfig(parquet=baseline_path.name), baseline_path.parent, "ab"
        )
        source = SourceConfig(parquet=current_path.name)
        empty = pq.read_schema(current_path).empty_table()
        columns = plan(empty.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get), reference)
        ours = profile_source(source, current_path.parent, "ab", reference=reference)
        compare(ours, prototype_parquet(current_path, columns))
        folder = current_path.parent
        before = median_seconds(
            lambda: profile_source(source, folder, "ab", reference=reference), args.runs
        )
        peaks = {}
        with measured(peaks):
            after = median_seconds(lambda: prototype_parquet(current_path, columns), args.runs)
        peak = peaks["rss_at_start_mib"] + peaks["work_peak_above_start_mib"]
        print(
            f"{args.rows:,} rows from Parquet: profile_source {before:.3f} s,"
            f" sort-based prototype {after:.3f} s (process peak while it ran: {peak:.0f} MiB)"
        )
        return
    reference = profile_dataframe(read_frame(baseline_path), "ab")
    current = read_frame(current_path)
    columns = plan(current, reference)
    compare(profile_dataframe(current, "ab", reference=reference), prototype(current, columns))
    before = median_seconds(
        lambda: profile_dataframe(current, "ab", reference=reference), args.runs
    )
    after = median_seconds(lambda: prototype(current, columns), args.runs)
    print(
        f"{args.rows:,} rows: profile_dataframe {before:.3f} s, sort-based prototype {after:.3f} s"
    )


if __name__ == "__main__":
    main()
