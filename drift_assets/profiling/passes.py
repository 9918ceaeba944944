"""The passes over one relation that measure every column of a batch.

This is the only step that reads rows. Per batch:

1. DuckDB aggregates over a group of columns at a time (``column_counts``): row
   count, non-null counts and HyperLogLog distinct estimates.
2. For a STRING or INTEGER column whose estimate is too close to the ID-like
   threshold to trust (HyperLogLog is off by up to ~6%): the exact distinct share of
   the rows whose value hashes into one bucket (all copies of a value share a
   bucket, so the share is unbiased; every row when there are at most 100k).
3. One numpy pass over the numeric columns: min, max, mean and std (merged chunk by
   chunk, numerically stable), and exact counts in the reference's edges, or in
   fresh equi-depth edges when there are none (quantiles of a row sample: drawn by
   numpy from memory, or one sampled DuckDB query). A DataFrame's numeric columns
   (numpy, nullable or Arrow-backed), and a Parquet source's plain integer and float
   columns (read from the files by pyarrow one column at a time), are scanned by a
   thread beside the DuckDB queries, which the main thread joins when they are
   done; other columns stream out of DuckDB as Arrow batches, read one batch ahead.
   Binning with a lookup table (``_Bins``) costs about a quarter of the CPU of the
   binary search in DuckDB's ``histogram(x, edges)``, which was the largest cost of
   profiling.
4. One GROUP BY per group of categorical columns (``top_values``): each one's top
   K + 1 values by count, the reference's top values and the exact number of values. Above a
   million distinct values a sketch (approx_top_k) picks candidates and only those
   are counted.

Only a column whose reference edges fit the batch badly (it drifted far) is sampled
and counted a second time. So with a reference, a batch is read by query 1, one
numeric pass and one GROUP BY per group of categorical columns.

Conventions:

- NaN is missing: it counts as null, like pandas' ``isna``, and is left out of
  distinct counts and histograms.
- Infinities are values: they are counted in the histogram's tail bins (-inf in the
  first, +inf in the last), but min, max, mean and std are over finite values only,
  and None when there are none or when they overflow.
- Numeric-like columns are measured as doubles: dates, datetimes and durations in
  (epoch) seconds.
- Histograms use the interior quantiles i/bins (i = 1..bins-1) as edges, deduplicated
  (heavy ties collapse), so there are at most ``bins`` bins. A column without finite
  values has no histogram.
- Column positions are 0-based. Distinct counts of grouped categorical columns are
  exact, others are estimates, never above the non-null count. An ID-like column
  (STRING or INTEGER, at least 20 non-null values, distinct share >=
  ``id_like_ratio``) gets a ``skip_reason`` and no histogram, top values or
  reference counts.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor

import duckdb
import numpy as np
import pyarrow as pa

from drift_assets.profiling.column_counts import ColumnCounts, Measured
from drift_assets.profiling.column_plan import (
    EXACT_TOP_LIMIT,
    ColumnPlan,
    projected,
    quote_identifier,
    width_groups,
)
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    ColumnProfile,
    Histogram,
    NumericSummary,
)
from drift_assets.profiling.held_rows import HeldRows
from drift_assets.profiling.numeric_pass import (
    CHUNK_ROWS,
    EDGE_SAMPLE_ROWS,
    SAMPLE_SEED,
    Bins,
    Edges,
    InMemory,
    NumericPass,
    arrow_floats,
    chunks,
    distinct_edges,
    edges_fit,
    quantile_cuts,
    sample_values,
)
from drift_assets.profiling.read_ahead import read_ahead
from drift_assets.profiling.top_values import TopValues

# Rows per Arrow batch streamed from DuckDB.
_BATCH_ROWS = 1 << 18
# Columns one query measures, and values (rows x columns) one streamed batch or
# sample holds: a wide batch is read by several narrow queries, so neither a
# query's binding nor its memory grows with the width.
_QUERY_COLUMNS = 128
_QUERY_CELLS = 1 << 23


class Profiler:
    """Runs the passes over one relation and assembles its column profiles."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        view: str,
        columns: list[ColumnPlan],
        *,
        arrays: Mapping[int, InMemory],
        top_k: int,
        bins: int,
        id_like_ratio: float,
        held: HeldRows | None = None,
        beside: duckdb.DuckDBPyConnection | None = None,
    ) -> None:
        """``beside``: a cursor that sees ``view``, where a tall batch's top values
        run beside its numeric stream (a wide CSV has one DuckDB thread: a core
        was idle)."""
        self.conn = conn
        self.view = quote_identifier(view)
        self.columns = columns
        self.arrays = arrays
        self.held = held
        self.beside = beside
        self.top_values = TopValues(beside or conn, self.view, top_k, held)
        self.counts = ColumnCounts(conn, self.view, id_like_ratio, held)
        self.quantiles = [i / bins for i in range(1, bins)]
        self.plans = {c.index: c for c in columns}

    def run(self) -> tuple[int, list[ColumnProfile]]:
        numeric = [c for c in self.columns if c.logical_type.is_numeric]
        # The numpy pass over in-memory columns needs nothing from DuckDB, so a thread
        # starts on it beside the queries (both release the GIL while they work), and
        # the main thread takes the columns still waiting once its queries are done.
        waiting = deque(c for c in numeric if c.index in self.arrays)
        passes: dict[int, NumericPass] = {}

        def scan_waiting() -> None:
            while True:
                try:
                    c = waiting.popleft()
                except IndexError:
                    return
                passes[c.index] = self._scan_array(c)

        with ThreadPoolExecutor(max_workers=1) as pool:
            helper = pool.submit(scan_waiting)
            try:
                row_count, measured = self.counts.measure(self.columns)
                streamed = [
                    c for c in numeric if c.index not in self.arrays and measured[c.index].non_null
                ]
                if row_count <= CHUNK_ROWS:
                    # A short batch's columns are fetched once, in groups, and scanned
                    # as in-memory columns are: one query a group instead of three
                    # (sample, values, recount), the same values in the same order.
                    self.arrays = {**self.arrays, **self._fetch(streamed, row_count)}
                    waiting.extend(streamed)
                    categorical = self._top_values(measured)
                elif self.beside is not None:
                    # Top values and the numeric stream read disjoint columns and
                    # leave the other's counts alone, so they run side by side.
                    with ThreadPoolExecutor(max_workers=1) as side:
                        tops = side.submit(self._top_values, measured)
                        try:
                            passes |= self._scan_stream(streamed, measured, row_count)
                        except BaseException:
                            self.beside.interrupt()
                            raise
                        categorical = tops.result()
                else:
                    passes |= self._scan_stream(streamed, measured, row_count)
                    categorical = self._top_values(measured)
            except BaseException:
                waiting.clear()  # so a failed query does not wait for the whole numpy pass
                raise
            scan_waiting()
            helper.result()
        summaries = self._numeric(row_count, measured, passes)
        profiles = [
            ColumnProfile(
                name=c.name,
                logical_type=c.logical_type,
                physical_type=c.physical_type,
                position=c.index,
                null_count=row_count - measured[c.index].non_null,
                distinct_count=measured[c.index].distinct,
                numeric=summaries.get(c.index),
                categorical=categorical.get(c.index),
                skip_reason=measured[c.index].skip_reason,
            )
            for c in self.columns
        ]
        return row_count, profiles

    def _scan_array(self, c: ColumnPlan) -> NumericPass:
        """Pass 3 over an in-memory column. An ID-like integer column is binned too,
        since that is only known from query 1; its counts are then dropped."""
        values = self.arrays[c.index]
        if c.reference_edges is not None:
            numeric = NumericPass(c.reference_edges, fresh=False)
        else:
            edges = self._quantile_edges({c.index: sample_values(values)})
            numeric = NumericPass(edges.get(c.index), fresh=True)
        for chunk in chunks(values):
            numeric.add(chunk)
        return numeric

    def _scan_stream(
        self, columns: list[ColumnPlan], measured: dict[int, Measured], row_count: int
    ) -> dict[int, NumericPass]:
        """Pass 3 over the other numeric columns, streamed from DuckDB in one query."""
        counted = [c for c in columns if not measured[c.index].skip_reason]
        unbinned = [c for c in counted if c.reference_edges is None]
        # Edges drawn from every row are quantiles of the very values the pass
        # streams: those columns are streamed once, a group at a time, and binned
        # after their edges are cut (100k x 1,000 mixed CSV: a read of ~600 columns).
        every_row = row_count <= 2 * EDGE_SAMPLE_ROWS
        fresh = {} if every_row else self._fresh_edges(unbinned, row_count)
        passes = {}
        for c in columns:
            if measured[c.index].skip_reason:
                passes[c.index] = NumericPass(None, fresh=False)
            elif c.reference_edges is not None:
                passes[c.index] = NumericPass(c.reference_edges, fresh=False)
            elif not every_row:
                passes[c.index] = NumericPass(fresh.get(c.index), fresh=True)
        for index, values in self._stream(list(passes), row_count):
            passes[index].add(values)
        if every_row:
            passes |= self._scan_unbinned(unbinned, row_count)
        return passes

    def _scan_unbinned(self, columns: list[ColumnPlan], row_count: int) -> dict[int, NumericPass]:
        """Pass 3 over columns whose fresh edges come from all their values: each
        group's chunks held while its edges are cut from them, then binned."""
        passes = {}
        for group in width_groups(columns, _per_query(min(row_count, _BATCH_ROWS))):
            held: dict[int, list[np.ndarray]] = {c.index: [] for c in group}
            for index, values in self._stream([c.index for c in group], row_count):
                held[index].append(values)
            edges = self._quantile_edges({i: np.concatenate(v) for i, v in held.items() if v})
            for index, values in held.items():
                passes[index] = NumericPass(edges.get(index), fresh=True)
                for chunk in values:
                    passes[index].add(chunk)
        return passes

    def _numeric(
        self, row_count: int, measured: dict[int, Measured], passes: dict[int, NumericPass]
    ) -> dict[int, NumericSummary]:
        """Numeric summaries. A column whose reference edges fit the batch badly is
        counted again in fresh edges."""
        histograms: dict[int, Histogram] = {}
        refit = []
        for c in self.columns:
            numeric, m = passes.get(c.index), measured[c.index]
            if numeric is None or numeric.bins is None or m.skip_reason or not m.non_null:
                continue
            counts = numeric.bins.counts
            if numeric.fresh:
                histograms[c.index] = Histogram(numeric.edges or (), counts)
                continue
            m.reference_counts = counts
            if sum(counts) and edges_fit(counts, c.reference_shape or ()):
                # Its own histogram in the reference's edges costs no further pass.
                histograms[c.index] = Histogram(numeric.edges or (), counts)
            else:
                refit.append(c)
        if refit:
            edges = self._fresh_edges(refit, row_count)
            histograms.update(
                (index, Histogram(edges[index], counts))
                for index, counts in self._count(edges, row_count).items()
            )
        return {
            c.index: NumericSummary(
                *(passes[c.index].moments() if c.index in passes else (None,) * 4),
                histogram=histograms.get(c.index),
                reference_counts=measured[c.index].reference_counts,
            )
            for c in self.columns
            if c.logical_type.is_numeric
        }

    def _fresh_edges(self, columns: list[ColumnPlan], row_count: int) -> dict[int, Edges]:
        """Equi-depth edges from the finite values of a row sample (all rows when few),
        drawn in numpy from in-memory columns and by DuckDB for the others."""
        samples = {
            c.index: sample_values(self.arrays[c.index]) for c in columns if c.index in self.arrays
        }
        streamed = [c for c in columns if c.index not in self.arrays]
        sampled = row_count > 2 * EDGE_SAMPLE_ROWS
        per_query = _per_query(EDGE_SAMPLE_ROWS if sampled else row_count)
        for group in width_groups(streamed, per_query):
            source = projected(group, self.view)
            if sampled:
                # Row-level sampling: a block sample of sorted data misses whole ranges.
                percent = 100 * EDGE_SAMPLE_ROWS / row_count
                source += f" USING SAMPLE {percent:.6f}% (bernoulli, {SAMPLE_SEED})"
            values = ", ".join(f"v{c.index}" for c in group)
            table = self.conn.sql(f"SELECT {values} FROM {source}").to_arrow_table()
            for c, column in zip(group, table.columns, strict=True):
                samples[c.index] = arrow_floats(column)
        return self._quantile_edges(samples)

    def _quantile_edges(self, samples: dict[int, np.ndarray]) -> dict[int, Edges]:
        edges = {}
        for index, values in samples.items():
            values = values[np.isfinite(values)]
            if len(values):
                edges[index] = distinct_edges(quantile_cuts(values, self.quantiles))
        return edges

    def _count(self, edges: dict[int, Edges], row_count: int) -> dict[int, tuple[int, ...]]:
        """Exact counts in the given edges, for the few columns counted twice."""
        bins = {index: Bins(cuts) for index, cuts in edges.items()}
        for index, counter in bins.items():
            if index in self.arrays:
                for chunk in chunks(self.arrays[index]):
                    counter.add(chunk[~np.isnan(chunk)])
        for index, values in self._stream([i for i in bins if i not in self.arrays], row_count):
            bins[index].add(values[~np.isnan(values)])
        return {index: counter.counts for index, counter in bins.items()}

    def _fetch(self, columns: list[ColumnPlan], row_count: int) -> dict[int, np.ndarray]:
        """The columns' values as float64 arrays (NaN for nulls), a query per group.
        Plain integers and floats are read as they are and widened by pyarrow (a
        bare column binds at a fraction of the cost of its projection); dates,
        durations and decimals through their v{i}. Held rows' plain columns are
        read from them, without a query."""
        fetched = {}
        plain = [c for c in columns if c.plain_number]
        if self.held is not None:
            for c in plain:
                column = self.held.column(c.index)
                fetched[c.index] = arrow_floats(column.cast(pa.float64(), safe=False))
            plain = []
        for group in width_groups(plain, _per_query(row_count)):
            query = f"SELECT {', '.join(c.sql for c in group)} FROM {self.view}"
            for c, column in zip(group, self.conn.sql(query).to_arrow_table().columns, strict=True):
                fetched[c.index] = arrow_floats(column.cast(pa.float64(), safe=False))
        others = [c for c in columns if not c.plain_number]
        for group in width_groups(others, _per_query(row_count)):
            values = ", ".join(f"v{c.index}" for c in group)
            table = self.conn.sql(f"SELECT {values} FROM {projected(group, self.view)}")
            for c, column in zip(group, table.to_arrow_table().columns, strict=True):
                fetched[c.index] = arrow_floats(column)
        return fetched

    def _stream(self, indexes: list[int], row_count: int) -> Iterator[tuple[int, np.ndarray]]:
        """The columns' values as float64 arrays (NaN for nulls), batch by batch: one
        query per group of columns, each column's chunks in order."""
        plans = [self.plans[index] for index in indexes]
        for group in width_groups(plans, _per_query(min(row_count, _BATCH_ROWS))):
            columns = ", ".join(f"v{c.index}" for c in group)
            query = f"SELECT {columns} FROM {projected(group, self.view)}"
            with self.conn.sql(query).to_arrow_reader(_BATCH_ROWS) as reader:
                for batch in read_ahead(reader):
                    for c, values in zip(group, batch.columns, strict=True):
                        array = arrow_floats(values)
                        for start in range(0, len(array), CHUNK_ROWS):
                            yield c.index, array[start : start + CHUNK_ROWS]

    def _top_values(self, measured: dict[int, Measured]) -> dict[int, CategoricalSummary]:
        """Queries 4. A GROUP BY also counts the distinct values exactly, which settles
        the ID-like question for columns that skipped the estimate."""
        tops: dict[int, CategoricalSummary] = {}
        sketched: list[ColumnPlan] = []
        grouped: list[ColumnPlan] = []
        for c in self.columns:
            m = measured[c.index]
            if not c.logical_type.is_categorical or m.skip_reason:
                continue
            if m.non_null == 0:
                tops[c.index] = self.top_values.summary(c, 0, [], {}, complete=True)
            elif m.distinct > EXACT_TOP_LIMIT:
                sketched.append(c)
            else:
                grouped.append(c)
        non_null = {index: m.non_null for index, m in measured.items()}
        estimates = {index: m.distinct for index, m in measured.items()}
        counted = self.top_values.grouped(grouped, non_null, estimates)
        for c in grouped:
            summary, distinct = counted[c.index]
            m = measured[c.index]
            m.distinct = distinct
            m.skip_reason = self.counts.id_like(c, m.non_null, distinct)
            if not m.skip_reason:
                tops[c.index] = summary
        if sketched:
            non_null = {c.index: measured[c.index].non_null for c in sketched}
            tops.update(self.top_values.sketched(sketched, non_null))
        return tops


def _per_query(rows: int) -> int:
    """Columns one query reads when each holds ``rows`` values (at least one)."""
    return max(1, min(_QUERY_COLUMNS, _QUERY_CELLS // max(1, rows)))
