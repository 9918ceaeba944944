"""Profiling: a DataFrame, a DuckDB relation or a configured source -> ``DatasetProfile``.

This is the only step that reads rows. Per batch:

1. One DuckDB aggregate over all columns: row count, non-null counts and
   HyperLogLog distinct estimates.
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
4. One GROUP BY per categorical column: its top K + 1 values by count, the
   reference's top values and the exact number of values. Above a million distinct
   values a sketch (approx_top_k) picks candidates and only those are counted.

Only a column whose reference edges fit the batch badly (it drifted far) is sampled
and counted a second time. So with a reference, a batch is read by query 1, one
numeric pass and one GROUP BY per categorical column.

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

import math
import queue
import tempfile
import threading
import uuid
from collections import deque
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from duckdb.sqltypes import DuckDBPyType

from drift_assets.config import SourceConfig
from drift_assets.logical_types import logical_type
from drift_assets.profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    Histogram,
    LogicalType,
    NumericSummary,
)
from drift_assets.sources import (
    SourceError,
    describe_source,
    file_format,
    open_source,
    register_dataframe,
)

_MIN_ID_LIKE_VALUES = 20
# HyperLogLog estimates closer than this to the ID-like threshold are checked.
_DISTINCT_ESTIMATE_MARGIN = 0.1
# Rows (about) in the hash bucket whose exact distinct share stands for the column.
_DISTINCT_SAMPLE_ROWS = 100_000
# Above this many distinct values a full GROUP BY costs seconds and memory per column.
_EXACT_TOP_LIMIT = 1_000_000
# Fresh edges are quantiles of a row sample of about this many rows (all rows below
# twice that). Edges need only be roughly equi-depth: counts are exact.
_EDGE_SAMPLE_ROWS = 100_000
_SAMPLE_SEED = 20240601
# Reference edges are kept for this batch's own histogram unless a tail bin holds
# _TAIL_SLACK more than its expected share, or an inner bin more than
# _INNER_BIN_FACTOR times it (expected: the equal share, or the reference's own share
# of that bin when ties made it larger).
_TAIL_SLACK = 0.10
_INNER_BIN_FACTOR = 5.0
# DuckDB's memory when profiling a source: a 10M-row, 20-column Parquet file then
# peaks at about 650 MiB of resident memory in all, instead of ~800 MiB.
_MEMORY_LIMIT = "512MB"
# Rows per Arrow batch streamed from DuckDB, rows per chunk read from memory (so the
# temporaries stay in cache), cells of the binning lookup table, and the most edges
# one cell may hold before a binary search is cheaper.
_BATCH_ROWS = 1 << 18
_CHUNK_ROWS = 1 << 16
_CELLS = 1 << 16
_MAX_CELL_CHECKS = 8

# Columns measured in the same units, so the reference's edges apply to this batch.
_UNITS = {
    LogicalType.INTEGER: "number",
    LogicalType.FLOAT: "number",
    LogicalType.DECIMAL: "number",
    LogicalType.DATE: "epoch",
    LogicalType.DATETIME: "epoch",
    LogicalType.DATETIME_TZ: "epoch",
    LogicalType.DURATION: "seconds",
}

_Edges = tuple[float, ...]
# A DataFrame column numpy reads in place: a numpy array, or a pandas nullable or
# Arrow-backed numeric array.
_InMemory = np.ndarray | pd.api.extensions.ExtensionArray
# A Parquet source's reader options that change which columns or values a file gives.
_PARQUET_REMAPPING_OPTIONS = ("hive_partitioning", "hive_types_autocast")


def profile_dataframe(
    df: pd.DataFrame,
    dataset: str,
    *,
    reference: DatasetProfile | None = None,
    top_k: int = 50,
    bins: int = 100,
    id_like_ratio: float = 0.95,
    profiled_at: datetime | None = None,
) -> DatasetProfile:
    """Profile a DataFrame, scanned in place by a fresh in-memory DuckDB.

    A DataFrame without columns gives a profile of its row count and no columns.
    """
    if df.shape[1] == 0:
        return DatasetProfile(dataset, len(df.index), (), _timestamp(profiled_at))
    with duckdb.connect(":memory:") as conn:
        return _profile(
            conn,
            register_dataframe(conn, df),
            dataset,
            reference=reference,
            top_k=top_k,
            bins=bins,
            id_like_ratio=id_like_ratio,
            profiled_at=profiled_at,
            arrays=_numpy_columns(df),
        )


def profile_source(
    source: SourceConfig,
    base_dir: Path,
    dataset: str,
    *,
    reference: DatasetProfile | None = None,
    top_k: int = 50,
    bins: int = 100,
    id_like_ratio: float = 0.95,
    profiled_at: datetime | None = None,
) -> DatasetProfile:
    """Profile a configured source from its files, never building a DataFrame.

    Parquet is scanned in place by every query (columnar: each reads only its
    columns); its plain integer and float columns are read for the numpy pass by
    pyarrow, one column at a time, beside DuckDB's queries instead of after them
    (DuckDB decodes a row group on one thread, so at 1M rows in one row group
    streaming them out of DuckDB took longer than all its queries). CSV and SQL
    sources are read once into a temporary table first, because every query would
    parse the CSV again (about a second per million rows) or run the SQL again.
    DuckDB's memory is capped at ``_MEMORY_LIMIT``; beyond it it spills to a private
    temporary folder. Raises ``SourceError`` when the source cannot be opened or its
    rows cannot be read (say a malformed CSV line deep in the file).
    """
    label = describe_source(source, base_dir)
    with (
        tempfile.TemporaryDirectory(prefix="drift_assets_spill_") as spill,
        duckdb.connect(
            ":memory:", config={"memory_limit": _MEMORY_LIMIT, "temp_directory": spill}
        ) as conn,
    ):
        conn.execute("SET file_search_path = ?", [str(base_dir)])
        relation = open_source(conn, source, base_dir)
        try:
            arrays: Mapping[int, _InMemory] = {}
            if file_format(source, base_dir) != "parquet":
                table = f"__drift_rows_{uuid.uuid4().hex}"
                relation.to_table(table)
                relation = conn.table(table)
            else:
                arrays = _parquet_columns(conn, source, base_dir, relation)
            return _profile(
                conn,
                relation,
                dataset,
                reference=reference,
                top_k=top_k,
                bins=bins,
                id_like_ratio=id_like_ratio,
                profiled_at=profiled_at,
                arrays=arrays,
            )
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
            pa.ArrowException,
            OSError,
        ) as exc:
            raise SourceError(f"{label}: {exc}") from exc


def profile_relation(
    conn: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    dataset: str,
    *,
    reference: DatasetProfile | None = None,
    top_k: int = 50,
    bins: int = 100,
    id_like_ratio: float = 0.95,
    profiled_at: datetime | None = None,
) -> DatasetProfile:
    """Profile a relation of ``conn`` (the queries are in the module docstring)."""
    return _profile(
        conn,
        relation,
        dataset,
        reference=reference,
        top_k=top_k,
        bins=bins,
        id_like_ratio=id_like_ratio,
        profiled_at=profiled_at,
        arrays={},
    )


def _profile(
    conn: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    dataset: str,
    *,
    reference: DatasetProfile | None,
    top_k: int,
    bins: int,
    id_like_ratio: float,
    profiled_at: datetime | None,
    arrays: Mapping[int, _InMemory],
) -> DatasetProfile:
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    if not 0 < id_like_ratio <= 1:
        raise ValueError(f"id_like_ratio must be in (0, 1], got {id_like_ratio}")
    columns = [
        _Column.plan(index, name, duckdb_type, reference)
        for index, (name, duckdb_type) in enumerate(
            zip(relation.columns, relation.types, strict=True)
        )
    ]
    # A temporary view, so parameterized SQL can read the relation while nothing is
    # written to the caller's database.
    view = f"__drift_profile_{uuid.uuid4().hex}"
    conn.register(view, relation)
    try:
        profiler = _Profiler(
            conn,
            view,
            columns,
            arrays=arrays,
            top_k=top_k,
            bins=bins,
            id_like_ratio=id_like_ratio,
        )
        row_count, profiles = profiler.run()
    finally:
        conn.unregister(view)
    return DatasetProfile(dataset, row_count, tuple(profiles), _timestamp(profiled_at))


def _numpy_columns(df: pd.DataFrame) -> dict[int, _InMemory]:
    """Numeric columns numpy can read in place, by position: plain numpy arrays, and
    pandas' nullable (Int64, Float64) or Arrow-backed numbers, converted a chunk at a
    time. Reading them here spares DuckDB streaming them out again."""
    arrays: dict[int, _InMemory] = {}
    for index in range(df.shape[1]):
        column = df.iloc[:, index]
        if column.dtype.kind in "iuf":
            in_numpy = isinstance(column.dtype, np.dtype)
            arrays[index] = column.to_numpy() if in_numpy else column.array
    return arrays


def _parquet_columns(
    conn: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    base_dir: Path,
    relation: duckdb.DuckDBPyRelation,
) -> _ParquetColumns:
    """The relation's integer and float columns that pyarrow reads as DuckDB does: the
    same plain integer or float type, under the same name, in every local file.
    Anything else (a column missing from a file or typed differently in another,
    which DuckDB would fill or cast; hive partition columns; remote files) is left to
    DuckDB."""
    location = str(Path(base_dir) / Path(source.location).expanduser())
    if "://" in location or any(source.options.get(o) for o in _PARQUET_REMAPPING_OPTIONS):
        return _ParquetColumns([], {})
    if source.kind == "glob":
        rows = conn.execute("SELECT file FROM glob(?)", [location]).fetchall()
        files = sorted(file for (file,) in rows)
    else:
        files = [location]
    schemas = [pq.read_schema(file) for file in files]
    names = {}
    for index, (name, duckdb_type) in enumerate(zip(relation.columns, relation.types, strict=True)):
        # pyarrow reads a dotted name as a path into nested columns.
        if logical_type(duckdb_type) not in (LogicalType.INTEGER, LogicalType.FLOAT) or "." in name:
            continue
        found = {
            schema.field(name).type if schema.get_field_index(name) >= 0 else None
            for schema in schemas
        }
        if len(found) == 1 and _plain_number(found.pop()):
            names[index] = name
    return _ParquetColumns(files, names)


def _plain_number(arrow_type: pa.DataType | None) -> bool:
    return arrow_type is not None and (
        pa.types.is_integer(arrow_type)
        or pa.types.is_float32(arrow_type)
        or pa.types.is_float64(arrow_type)
    )


class _ParquetColumns(Mapping[int, np.ndarray]):
    """Parquet columns by position as float64 (NaN for nulls), each read from the
    files when asked for and a row group at a time, so memory holds one column and
    one row group of it per scanning thread, never the whole batch."""

    def __init__(self, files: list[str], names: dict[int, str]) -> None:
        self.files = files
        self.names = names

    def __getitem__(self, index: int) -> np.ndarray:
        name = self.names[index]
        # One file open at a time: a glob may match thousands.
        values = np.empty(sum(pq.read_metadata(file).num_rows for file in self.files))
        start = 0
        for file in self.files:
            with pq.ParquetFile(file) as parquet:
                for group in range(parquet.num_row_groups):
                    chunk = parquet.read_row_group(group, columns=[name]).column(0)
                    # Integers with nulls come as float64 with NaN, the others are
                    # widened here, as DuckDB casts them to DOUBLE.
                    values[start : start + len(chunk)] = chunk.to_numpy()
                    start += len(chunk)
        return values

    def __contains__(self, index: object) -> bool:
        return index in self.names

    def __iter__(self) -> Iterator[int]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)


def quote_identifier(name: str) -> str:
    """A SQL identifier for any column name (embedded double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class _Column:
    """One column's plan: what to measure, and against which part of the reference."""

    index: int
    name: str
    physical_type: str
    logical_type: LogicalType
    # The reference's edges and its own counts in them, when comparable.
    reference_edges: _Edges | None = None
    reference_shape: tuple[int, ...] | None = None
    # The reference's top values, when comparable.
    reference_values: tuple[str, ...] | None = None
    # Few distinct values are expected (booleans, or a string column with few in the
    # reference): its GROUP BY runs without a distinct estimate first and counts them.
    few_values: bool = False

    @classmethod
    def plan(
        cls, index: int, name: str, duckdb_type: DuckDBPyType, reference: DatasetProfile | None
    ) -> _Column:
        kind = logical_type(duckdb_type)
        column = cls(index, name, str(duckdb_type), kind, few_values=kind is LogicalType.BOOLEAN)
        base = reference.column(name) if reference is not None else None
        if base is None:
            return column
        histogram = base.numeric.histogram if base.numeric else None
        if (
            kind.is_numeric
            and histogram
            and _UNITS.get(base.logical_type) == _UNITS[kind]
            and _usable_edges(histogram.edges)
        ):
            column = replace(
                column, reference_edges=histogram.edges, reference_shape=histogram.counts
            )
        if kind.is_categorical and base.categorical is not None:
            column = replace(
                column,
                reference_values=tuple(value for value, _ in base.categorical.top),
                few_values=column.few_values or base.distinct_count <= _EXACT_TOP_LIMIT // 2,
            )
        return column

    @property
    def sql(self) -> str:
        return quote_identifier(self.name)

    @property
    def text_sql(self) -> str:
        """The column as the strings its categories are named by ('true'/'false')."""
        return self.sql if self.physical_type == "VARCHAR" else f"CAST({self.sql} AS VARCHAR)"

    def projection(self) -> list[str]:
        """This column's part of the projection the queries read: c{i} is the column
        (NaN made NULL once, here), v{i} its value as a double (numeric-like only)."""
        i, column = self.index, self.sql
        if self.logical_type is LogicalType.FLOAT:
            return [
                f"CASE WHEN isnan({column}) THEN NULL ELSE {column} END AS c{i}",
                f"CAST(c{i} AS DOUBLE) AS v{i}",
            ]
        if self.logical_type in (LogicalType.INTEGER, LogicalType.DECIMAL):
            return [f"{column} AS c{i}", f"CAST({column} AS DOUBLE) AS v{i}"]
        if self.logical_type.is_numeric:
            # Dates, datetimes and intervals: epoch() gives (fractional) seconds.
            return [f"{column} AS c{i}", f"epoch({column}) AS v{i}"]
        return [f"{column} AS c{i}"]


@dataclass
class _Measured:
    """What the DuckDB queries found about one column."""

    non_null: int
    distinct: int = 0
    skip_reason: str | None = None
    reference_counts: tuple[int, ...] | None = None


class _Aggregate:
    """One ungrouped SELECT of many aggregates and their parameters: one pass."""

    def __init__(self) -> None:
        self.expressions: list[str] = []
        self.params: list[Any] = []

    def add(self, expression: str, *params: Any) -> int:
        """Add an aggregate; returns its position in the result row."""
        self.expressions.append(expression)
        self.params.extend(params)
        return len(self.expressions) - 1

    def run(self, conn: duckdb.DuckDBPyConnection, source: str) -> tuple[Any, ...]:
        query = f"SELECT {', '.join(self.expressions)} FROM {source}"
        # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open and
        # refuses further work on the connection until it is drained.
        (row,) = conn.execute(query, self.params).fetchall()
        return row


class _NumericPass:
    """Moments and bin counts of one numeric column, fed chunk by chunk.

    Each chunk's mean and sum of squared deviations are merged into the running ones
    (Chan et al.), which stays accurate where a plain sum of squares cancels (epoch
    seconds around 1.7e9 with a spread of seconds, say).
    """

    def __init__(self, edges: _Edges | None, *, fresh: bool) -> None:
        self.edges = edges
        self.fresh = fresh
        self.bins = _Bins(edges) if edges else None
        self.n = 0
        self.mean = 0.0
        self.squares = 0.0
        self.low = math.inf
        self.high = -math.inf

    def add(self, values: np.ndarray) -> None:
        """Add float64 values, NaN for nulls."""
        missing = np.isnan(values)
        if missing.any():
            values = values[~missing]
        finite = np.isfinite(values)
        self._add_moments(values if finite.all() else values[finite])
        if self.bins is not None:
            self.bins.add(values)

    def _add_moments(self, values: np.ndarray) -> None:
        n = len(values)
        if not n:
            return
        with np.errstate(over="ignore", invalid="ignore"):
            mean = float(values.mean())
            squares = float(np.square(values - mean).sum())
        total = self.n + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.squares += squares + delta * delta * self.n * n / total
        self.n = total
        self.low = min(self.low, float(values.min()))
        self.high = max(self.high, float(values.max()))

    def moments(self) -> tuple[float | None, float | None, float | None, float | None]:
        """min, max, mean and (sample) std of the finite values."""
        if not self.n:
            return None, None, None, None
        mean = _finite(self.mean)
        std = (
            _finite(math.sqrt(self.squares / (self.n - 1)))
            if self.n > 1 and mean is not None
            else None
        )
        return self.low, self.high, mean, std


class _Profiler:
    """Runs the passes over one relation and assembles its column profiles."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        view: str,
        columns: list[_Column],
        *,
        arrays: Mapping[int, _InMemory],
        top_k: int,
        bins: int,
        id_like_ratio: float,
    ) -> None:
        self.conn = conn
        self.view = quote_identifier(view)
        self.columns = columns
        self.arrays = arrays
        self.top_k = top_k
        self.id_like_ratio = id_like_ratio
        self.quantiles = [i / bins for i in range(1, bins)]
        projection = [part for c in columns for part in c.projection()]
        self.source = f"(SELECT {', '.join(projection)} FROM {self.view})"

    def run(self) -> tuple[int, list[ColumnProfile]]:
        numeric = [c for c in self.columns if c.logical_type.is_numeric]
        # The numpy pass over in-memory columns needs nothing from DuckDB, so a thread
        # starts on it beside the queries (both release the GIL while they work), and
        # the main thread takes the columns still waiting once its queries are done.
        waiting = deque(c for c in numeric if c.index in self.arrays)
        passes: dict[int, _NumericPass] = {}

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
                row_count, measured = self._measure()
                streamed = [
                    c for c in numeric if c.index not in self.arrays and measured[c.index].non_null
                ]
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

    def _measure(self) -> tuple[int, dict[int, _Measured]]:
        """Query 1 (and 2): non-null and distinct counts, and the ID-like decision."""
        query = _Aggregate()
        rows = query.add("count(*)")
        slots: dict[int, dict[str, int]] = {}
        for c in self.columns:
            slot = slots[c.index] = {"non_null": query.add(f"count(c{c.index})")}
            if not c.few_values:
                slot["distinct"] = query.add(f"approx_count_distinct(c{c.index})")
        result = query.run(self.conn, self.source)
        measured = {}
        for c in self.columns:
            slot = slots[c.index]
            m = measured[c.index] = _Measured(int(result[slot["non_null"]]))
            if "distinct" in slot:
                m.distinct = self._distinct(c, m.non_null, result[slot["distinct"]])
                m.skip_reason = self._id_like(c, m.non_null, m.distinct)
        return int(result[rows]), measured

    def _distinct(self, c: _Column, non_null: int, estimate: int) -> int:
        """The HyperLogLog estimate, or query 2's share where the estimate could put
        the column on the wrong side of the ID-like threshold."""
        if (
            c.logical_type not in (LogicalType.STRING, LogicalType.INTEGER)
            or non_null < _MIN_ID_LIKE_VALUES
            or abs(estimate / non_null - self.id_like_ratio) >= _DISTINCT_ESTIMATE_MARGIN
        ):
            return min(int(estimate), non_null)
        buckets = max(1, non_null // _DISTINCT_SAMPLE_ROWS)
        sampled = f" AND hash({c.sql}) % {buckets} = 0" if buckets > 1 else ""
        ((distinct, rows),) = self.conn.execute(
            f"SELECT count(DISTINCT {c.sql}), count(*) FROM {self.view}"
            f" WHERE {c.sql} IS NOT NULL{sampled}"
        ).fetchall()
        if not rows:
            return min(int(estimate), non_null)
        return min(round(distinct / rows * non_null), non_null)

    def _id_like(self, c: _Column, non_null: int, distinct: int) -> str | None:
        if c.logical_type not in (LogicalType.STRING, LogicalType.INTEGER):
            return None
        if non_null < _MIN_ID_LIKE_VALUES or distinct / non_null < self.id_like_ratio:
            return None
        return f"id-like: {distinct / non_null:.1%} of values distinct"

    def _scan_array(self, c: _Column) -> _NumericPass:
        """Pass 3 over an in-memory column. An ID-like integer column is binned too,
        since that is only known from query 1; its counts are then dropped."""
        values = self.arrays[c.index]
        if c.reference_edges is not None:
            numeric = _NumericPass(c.reference_edges, fresh=False)
        else:
            edges = self._quantile_edges({c.index: _sample(values)})
            numeric = _NumericPass(edges.get(c.index), fresh=True)
        for chunk in _chunks(values):
            numeric.add(chunk)
        return numeric

    def _scan_stream(
        self, columns: list[_Column], measured: dict[int, _Measured], row_count: int
    ) -> dict[int, _NumericPass]:
        """Pass 3 over the other numeric columns, streamed from DuckDB in one query."""
        counted = [c for c in columns if not measured[c.index].skip_reason]
        fresh = self._fresh_edges([c for c in counted if c.reference_edges is None], row_count)
        passes = {}
        for c in columns:
            if measured[c.index].skip_reason:
                passes[c.index] = _NumericPass(None, fresh=False)
            elif c.reference_edges is not None:
                passes[c.index] = _NumericPass(c.reference_edges, fresh=False)
            else:
                passes[c.index] = _NumericPass(fresh.get(c.index), fresh=True)
        for index, values in self._stream(list(passes)):
            passes[index].add(values)
        return passes

    def _numeric(
        self, row_count: int, measured: dict[int, _Measured], passes: dict[int, _NumericPass]
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
            if sum(counts) and _edges_fit(counts, c.reference_shape or ()):
                # Its own histogram in the reference's edges costs no further pass.
                histograms[c.index] = Histogram(numeric.edges or (), counts)
            else:
                refit.append(c)
        if refit:
            edges = self._fresh_edges(refit, row_count)
            histograms.update(
                (index, Histogram(edges[index], counts))
                for index, counts in self._count(edges).items()
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

    def _fresh_edges(self, columns: list[_Column], row_count: int) -> dict[int, _Edges]:
        """Equi-depth edges from the finite values of a row sample (all rows when few),
        drawn in numpy from in-memory columns and by DuckDB for the others."""
        samples = {
            c.index: _sample(self.arrays[c.index]) for c in columns if c.index in self.arrays
        }
        streamed = [c for c in columns if c.index not in self.arrays]
        if streamed:
            source = self.source
            if row_count > 2 * _EDGE_SAMPLE_ROWS:
                # Row-level sampling: a block sample of sorted data misses whole ranges.
                percent = 100 * _EDGE_SAMPLE_ROWS / row_count
                source += f" USING SAMPLE {percent:.6f}% (bernoulli, {_SAMPLE_SEED})"
            values = ", ".join(f"v{c.index}" for c in streamed)
            table = self.conn.sql(f"SELECT {values} FROM {source}").to_arrow_table()
            for c, column in zip(streamed, table.columns, strict=True):
                samples[c.index] = column.to_numpy()
        return self._quantile_edges(samples)

    def _quantile_edges(self, samples: dict[int, np.ndarray]) -> dict[int, _Edges]:
        edges = {}
        for index, values in samples.items():
            values = values[np.isfinite(values)]
            if len(values):
                # The smallest value whose cumulative share reaches each quantile.
                cuts = np.quantile(values, self.quantiles, method="inverted_cdf")
                edges[index] = _edges(cuts.tolist())
        return edges

    def _count(self, edges: dict[int, _Edges]) -> dict[int, tuple[int, ...]]:
        """Exact counts in the given edges, for the few columns counted twice."""
        bins = {index: _Bins(cuts) for index, cuts in edges.items()}
        for index, counter in bins.items():
            if index in self.arrays:
                for chunk in _chunks(self.arrays[index]):
                    counter.add(chunk[~np.isnan(chunk)])
        for index, values in self._stream([i for i in bins if i not in self.arrays]):
            bins[index].add(values[~np.isnan(values)])
        return {index: counter.counts for index, counter in bins.items()}

    def _stream(self, indexes: list[int]) -> Iterator[tuple[int, np.ndarray]]:
        """The columns' values as float64 arrays (NaN for nulls), batch by batch."""
        if not indexes:
            return
        columns = ", ".join(f"v{index}" for index in indexes)
        reader = self.conn.sql(f"SELECT {columns} FROM {self.source}").to_arrow_reader(_BATCH_ROWS)
        with reader:
            for batch in _read_ahead(reader):
                for index, values in zip(indexes, batch.columns, strict=True):
                    array = values.to_numpy(zero_copy_only=False)
                    for start in range(0, len(array), _CHUNK_ROWS):
                        yield index, array[start : start + _CHUNK_ROWS]

    def _top_values(self, measured: dict[int, _Measured]) -> dict[int, CategoricalSummary]:
        """Queries 4. A GROUP BY also counts the distinct values exactly, which settles
        the ID-like question for columns that skipped the estimate."""
        tops: dict[int, CategoricalSummary] = {}
        sketched: list[_Column] = []
        for c in self.columns:
            m = measured[c.index]
            if not c.logical_type.is_categorical or m.skip_reason:
                continue
            if m.non_null == 0:
                tops[c.index] = self._summary(c, 0, [], {}, complete=True)
            elif m.distinct > _EXACT_TOP_LIMIT:
                sketched.append(c)
            else:
                summary, m.distinct = self._grouped(c, m.non_null)
                m.skip_reason = self._id_like(c, m.non_null, m.distinct)
                if not m.skip_reason:
                    tops[c.index] = summary
        if sketched:
            tops.update(self._sketched(sketched, measured))
        return tops

    def _grouped(self, c: _Column, non_null: int) -> tuple[CategoricalSummary, int]:
        """One GROUP BY: exact counts of the top K + 1 values (K + 1 tells whether K
        cover them all) and of the reference's top values, and the number of values."""
        rows = self.conn.execute(
            f"WITH counted AS MATERIALIZED (SELECT {c.text_sql} AS value, count(*) AS n"
            f" FROM {self.view} WHERE {c.sql} IS NOT NULL GROUP BY ALL)"
            " SELECT 'top', * FROM"
            f" (SELECT value, n FROM counted ORDER BY n DESC, value LIMIT {self.top_k + 1})"
            " UNION ALL SELECT 'reference', value, n FROM counted"
            " WHERE value IN (SELECT unnest(?::VARCHAR[]))"
            " UNION ALL SELECT 'values', NULL, count(*) FROM counted",
            [list(c.reference_values or ())],
        ).fetchall()
        top = [(value, n) for part, value, n in rows if part == "top"]
        found = {value: n for part, value, n in rows if part == "reference"}
        (distinct,) = (n for part, _, n in rows if part == "values")
        summary = self._summary(c, non_null, top, found, complete=len(top) <= self.top_k)
        return summary, int(distinct)

    def _sketched(
        self, columns: list[_Column], measured: dict[int, _Measured]
    ) -> dict[int, CategoricalSummary]:
        """High-cardinality columns: candidates from approx_top_k (one pass for all of
        them), then exact counts of the candidates and of the reference's values."""
        query = _Aggregate()
        slots = {c.index: query.add(f"approx_top_k({c.text_sql}, {self.top_k})") for c in columns}
        result = query.run(self.conn, self.view)
        tops = {}
        for c in columns:
            candidates = [*(result[slots[c.index]] or ()), *(c.reference_values or ())]
            counts = dict(
                self.conn.execute(
                    f"SELECT value, count(*) FROM (SELECT {c.text_sql} AS value FROM {self.view})"
                    " WHERE value IN (SELECT unnest(?::VARCHAR[])) GROUP BY value",
                    [list(dict.fromkeys(candidates))],
                ).fetchall()
            )
            tops[c.index] = self._summary(
                c, measured[c.index].non_null, list(counts.items()), counts, complete=False
            )
        return tops

    def _summary(
        self,
        c: _Column,
        non_null: int,
        top: list[tuple[str, int]],
        found: dict[str, int],
        *,
        complete: bool,
    ) -> CategoricalSummary:
        top = sorted(top, key=lambda pair: (-pair[1], pair[0]))[: self.top_k]
        reference_counts = None
        if c.reference_values is not None:
            matched = [int(found.get(value, 0)) for value in c.reference_values]
            reference_counts = (*matched, non_null - sum(matched))
        return CategoricalSummary(
            top=tuple((str(value), int(n)) for value, n in top),
            other_count=non_null - sum(n for _, n in top),
            complete=complete,
            reference_counts=reference_counts,
        )


class _Bins:
    """Exact counts in fixed edges, in the profile's convention: per edge the values
    <= it and above the previous edge, then the values above the last edge.

    The bin of x is the number of edges below x. A table over a uniform grid of cells
    gives, for x's cell, the number of edges in lower cells (all below x, as the cell
    of a value is monotone in it); the few edges inside x's own cell are then
    compared one by one. Columns whose edges crowd into cells (extreme tails) fall
    back to a binary search.
    """

    def __init__(self, edges: tuple[float, ...]) -> None:
        self.edges = np.asarray(edges, dtype=np.float64)
        self.totals = np.zeros(len(edges) + 1, dtype=np.int64)
        low, high = float(edges[0]), float(edges[-1])
        width = high - low
        self.low = low
        self.scale = _CELLS / width if 0 < width < math.inf else 0.0
        cells = self._cells(self.edges)
        self.table = np.searchsorted(cells, np.arange(_CELLS + 1), side="left").astype(np.int32)
        self.checks = int(np.bincount(cells).max())
        self.bounds = np.append(self.edges, np.inf)

    def _cells(self, values: np.ndarray) -> np.ndarray:
        if not self.scale:
            # One edge, or edges too far apart for a grid (infinity times 0 is NaN).
            return np.zeros(len(values), dtype=np.int32)
        # The same float steps for edges and values keep the cell monotone in the value.
        with np.errstate(over="ignore"):
            shifted = (values - self.low) * self.scale
        return np.clip(shifted, 0, _CELLS, out=shifted).astype(np.int32)

    def add(self, values: np.ndarray) -> None:
        if self.checks > _MAX_CELL_CHECKS:
            index = np.searchsorted(self.edges, values, side="left")
        else:
            index = self.table[self._cells(values)]
            for _ in range(self.checks):
                index += values > self.bounds[index]
        self.totals += np.bincount(index, minlength=len(self.totals))

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self.totals)


def _read_ahead(batches: Iterator[pa.RecordBatch]) -> Iterator[pa.RecordBatch]:
    """The batches, read one ahead by a thread: DuckDB decodes the next batch while
    numpy bins this one (both release the GIL), which about halves a streamed pass."""
    ahead: queue.Queue[pa.RecordBatch | BaseException | None] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def hand_over(item: pa.RecordBatch | BaseException | None) -> bool:
        while not stop.is_set():
            try:
                ahead.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        try:
            for batch in batches:
                if not hand_over(batch):
                    return
            hand_over(None)
        except BaseException as exc:  # handed to the consumer, which raises it
            hand_over(exc)

    reader = threading.Thread(target=read, name="drift-assets-read-ahead", daemon=True)
    reader.start()
    try:
        while (item := ahead.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        reader.join()


def _sample(values: _InMemory) -> np.ndarray:
    """The rows fresh edges are drawn from: all of few, else a seeded row sample."""
    if len(values) > 2 * _EDGE_SAMPLE_ROWS:
        rng = np.random.default_rng(_SAMPLE_SEED)
        values = values[rng.integers(0, len(values), _EDGE_SAMPLE_ROWS)]
    return _floats(values)


def _chunks(values: _InMemory) -> Iterator[np.ndarray]:
    """An in-memory column as float64 chunks, NaN for nulls."""
    for start in range(0, len(values), _CHUNK_ROWS):
        yield _floats(values[start : start + _CHUNK_ROWS])


def _floats(values: _InMemory) -> np.ndarray:
    """float64 values, NaN for nulls. Integers and narrow floats are widened here, as
    DuckDB casts them to DOUBLE: cells and comparisons must see the edges' doubles."""
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _edges(quantiles: Sequence[float] | None) -> tuple[float, ...]:
    """Sorted distinct finite cut points (heavy ties collapse into one edge)."""
    return tuple(sorted({float(q) for q in quantiles or () if q is not None and math.isfinite(q)}))


def _usable_edges(edges: _Edges) -> bool:
    """Finite and strictly increasing: what binning needs. A stored reference made
    elsewhere (a pooled baseline, say) might not be."""
    return (
        bool(edges)
        and all(math.isfinite(e) for e in edges)
        and all(a < b for a, b in zip(edges, edges[1:], strict=False))
    )


def _edges_fit(counts: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Whether the reference's edges still give this batch a usable histogram."""
    total, shape_total = sum(counts), sum(shape)
    equal = 1 / len(counts)
    last = len(counts) - 1
    for i, n in enumerate(counts):
        expected = max(equal, shape[i] / shape_total if shape_total else 0.0)
        limit = expected + _TAIL_SLACK if i in (0, last) else expected * _INNER_BIN_FACTOR
        if n / total > limit:
            return False
    return True


def _timestamp(profiled_at: datetime | None) -> str:
    """ISO 8601 in UTC; a naive datetime is taken to be UTC."""
    when = profiled_at or datetime.now(UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat()
