"""Profiling: a DataFrame, a DuckDB relation or a configured source -> ``DatasetProfile``.

This is the only step that reads rows. Its queries:

1. one aggregate over all columns: row count, nulls, approximate distinct counts,
   min/max/mean/std, and this batch's counts in the reference's histogram edges;
2. for a STRING or INTEGER column whose distinct estimate is too close to the ID-like
   threshold to trust (HyperLogLog is off by up to ~6%): an exact distinct share of
   the rows whose value hashes into one bucket (all copies of a value share a bucket,
   so the share is unbiased; every row when there are at most 100k);
3. only for numeric columns without usable reference edges (no reference, or the
   batch drifted so far that they fit it badly): quantiles of a row sample for fresh
   edges, then exact counts in them, one aggregate each for all such columns;
4. one GROUP BY per categorical column: its top K + 1 values by count and the
   reference's top values. Above 100k distinct values a sketch (approx_top_k) picks
   candidates and only those are counted, so no huge hash table is built.

With a reference whose edges still fit, a batch is read by query 1 plus one GROUP BY
per categorical column.

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
- Column positions are 0-based. Distinct counts are estimates, never above the
  non-null count. An ID-like column (STRING or INTEGER, at least 20 non-null values,
  distinct share >= ``id_like_ratio``) gets a ``skip_reason`` and no histogram, top
  values or reference counts.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
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
_EXACT_TOP_LIMIT = 100_000
# Fresh edges are quantiles of a Bernoulli row sample of about this many rows (all
# rows below twice that). Edges need only be roughly equi-depth: counts are exact.
_EDGE_SAMPLE_ROWS = 100_000
_SAMPLE_SEED = 20240601
# Reference edges are kept for this batch's own histogram unless a tail bin holds
# _TAIL_SLACK more than its expected share, or an inner bin more than
# _INNER_BIN_FACTOR times it (expected: the equal share, or the reference's own share
# of that bin when ties made it larger).
_TAIL_SLACK = 0.10
_INNER_BIN_FACTOR = 5.0

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
        return profile_relation(
            conn,
            register_dataframe(conn, df),
            dataset,
            reference=reference,
            top_k=top_k,
            bins=bins,
            id_like_ratio=id_like_ratio,
            profiled_at=profiled_at,
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
    columns). CSV and SQL sources are read once into a temporary table first,
    because every query would parse the CSV again (about a second per million rows)
    or run the SQL again. Raises ``SourceError`` when the source cannot be opened or
    its rows cannot be read (say a malformed CSV line deep in the file).
    """
    label = describe_source(source, base_dir)
    with duckdb.connect(":memory:") as conn:
        conn.execute("SET file_search_path = ?", [str(base_dir)])
        relation = open_source(conn, source, base_dir)
        try:
            if file_format(source, base_dir) != "parquet":
                table = f"__drift_rows_{uuid.uuid4().hex}"
                relation.to_table(table)
                relation = conn.table(table)
            return profile_relation(
                conn,
                relation,
                dataset,
                reference=reference,
                top_k=top_k,
                bins=bins,
                id_like_ratio=id_like_ratio,
                profiled_at=profiled_at,
            )
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
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
            conn, view, columns, top_k=top_k, bins=bins, id_like_ratio=id_like_ratio
        )
        row_count, profiles = profiler.run()
    finally:
        conn.unregister(view)
    return DatasetProfile(dataset, row_count, tuple(profiles), _timestamp(profiled_at))


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
    reference_edges: tuple[float, ...] | None
    reference_shape: tuple[int, ...] | None
    # The reference's top values, when comparable.
    reference_values: tuple[str, ...] | None

    @classmethod
    def plan(
        cls, index: int, name: str, duckdb_type: DuckDBPyType, reference: DatasetProfile | None
    ) -> _Column:
        kind = logical_type(duckdb_type)
        base = reference.column(name) if reference is not None else None
        edges = shape = values = None
        if base is not None and kind.is_numeric and _UNITS.get(base.logical_type) == _UNITS[kind]:
            histogram = base.numeric.histogram if base.numeric else None
            if histogram is not None:
                edges, shape = histogram.edges, histogram.counts
        if base is not None and kind.is_categorical and base.categorical is not None:
            values = tuple(value for value, _ in base.categorical.top)
        return cls(index, name, str(duckdb_type), kind, edges, shape, values)

    @property
    def sql(self) -> str:
        return quote_identifier(self.name)

    @property
    def text_sql(self) -> str:
        """The column as the strings its categories are named by ('true'/'false')."""
        return self.sql if self.physical_type == "VARCHAR" else f"CAST({self.sql} AS VARCHAR)"

    @property
    def value(self) -> str:
        """Projection column of the value as a double (NaN as NULL; numeric-like only)."""
        return f"v{self.index}"

    @property
    def finite(self) -> str:
        """Projection column of the finite values, which moments and edges are of."""
        return f"f{self.index}" if self.logical_type is LogicalType.FLOAT else self.value

    def projection(self) -> list[str]:
        """This column's part of the projection every aggregate reads (c{i} is the
        column itself, NaN made NULL once here)."""
        i, column = self.index, self.sql
        if self.logical_type is LogicalType.FLOAT:
            return [
                f"CASE WHEN isnan({column}) THEN NULL ELSE {column} END AS c{i}",
                f"CAST(c{i} AS DOUBLE) AS v{i}",
                f"CASE WHEN isfinite(v{i}) THEN v{i} END AS f{i}",
            ]
        if self.logical_type in (LogicalType.INTEGER, LogicalType.DECIMAL):
            return [f"{column} AS c{i}", f"CAST({column} AS DOUBLE) AS v{i}"]
        if self.logical_type.is_numeric:
            # Dates, datetimes and intervals: epoch() gives (fractional) seconds.
            return [f"{column} AS c{i}", f"epoch({column}) AS v{i}"]
        return [f"{column} AS c{i}"]


@dataclass
class _Measured:
    """What the first aggregate (and the ID check) found about one column."""

    non_null: int
    distinct: int
    skip_reason: str | None = None
    moments: tuple[float | None, float | None, float | None, float | None] = (None,) * 4
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


class _Profiler:
    """Runs the queries over one relation and assembles its column profiles."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        view: str,
        columns: list[_Column],
        *,
        top_k: int,
        bins: int,
        id_like_ratio: float,
    ) -> None:
        self.conn = conn
        self.view = quote_identifier(view)
        self.columns = columns
        self.top_k = top_k
        self.id_like_ratio = id_like_ratio
        self.quantiles = [i / bins for i in range(1, bins)]
        projection = [part for c in columns for part in c.projection()]
        self.source = f"(SELECT {', '.join(projection)} FROM {self.view})"

    def run(self) -> tuple[int, list[ColumnProfile]]:
        row_count, measured = self._measure()
        numeric = self._numeric(row_count, measured)
        categorical = self._top_values(measured)
        profiles = [
            ColumnProfile(
                name=c.name,
                logical_type=c.logical_type,
                physical_type=c.physical_type,
                position=c.index,
                null_count=row_count - measured[c.index].non_null,
                distinct_count=measured[c.index].distinct,
                numeric=numeric.get(c.index),
                categorical=categorical.get(c.index),
                skip_reason=measured[c.index].skip_reason,
            )
            for c in self.columns
        ]
        return row_count, profiles

    def _measure(self) -> tuple[int, dict[int, _Measured]]:
        """Query 1, then the ID-like decision per column."""
        query = _Aggregate()
        rows = query.add("count(*)")
        slots: dict[int, dict[str, int]] = {}
        for c in self.columns:
            slot = slots[c.index] = {
                "non_null": query.add(f"count(c{c.index})"),
                "distinct": query.add(f"approx_count_distinct(c{c.index})"),
            }
            if c.logical_type.is_numeric:
                for moment in ("min", "max", "avg", "stddev_samp"):
                    slot[moment] = query.add(f"{moment}({c.finite})")
                if c.reference_edges is not None:
                    slot["reference"] = query.add(
                        f"histogram({c.value}, ?::DOUBLE[])", list(c.reference_edges)
                    )
        result = query.run(self.conn, self.source)
        measured = {}
        for c in self.columns:
            slot = slots[c.index]
            non_null = int(result[slot["non_null"]])
            m = measured[c.index] = _Measured(
                non_null, self._distinct(c, non_null, result[slot["distinct"]])
            )
            if c.logical_type in (LogicalType.STRING, LogicalType.INTEGER):
                m.skip_reason = self._id_like(non_null, m.distinct)
            if c.logical_type.is_numeric:
                low, high, mean, std = (
                    _finite(result[slot[k]]) for k in ("min", "max", "avg", "stddev_samp")
                )
                m.moments = (low, high, mean, std)
                if "reference" in slot and not m.skip_reason:
                    m.reference_counts = _bin_counts(
                        result[slot["reference"]], c.reference_edges or ()
                    )
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

    def _id_like(self, non_null: int, distinct: int) -> str | None:
        if non_null < _MIN_ID_LIKE_VALUES or distinct / non_null < self.id_like_ratio:
            return None
        return f"id-like: {distinct / non_null:.1%} of values distinct"

    def _numeric(self, row_count: int, measured: dict[int, _Measured]) -> dict[int, NumericSummary]:
        """Numeric summaries; queries 3 only for columns needing fresh edges."""
        histograms: dict[int, Histogram] = {}
        needs_edges: list[_Column] = []
        for c in self.columns:
            m = measured[c.index]
            if not c.logical_type.is_numeric or m.skip_reason or m.non_null == 0:
                continue
            counts = m.reference_counts
            if counts is not None and sum(counts) and _edges_fit(counts, c.reference_shape or ()):
                # Its own histogram in the reference's edges costs no further pass.
                histograms[c.index] = Histogram(c.reference_edges or (), counts)
            else:
                needs_edges.append(c)
        if needs_edges:
            histograms.update(self._fresh_histograms(needs_edges, row_count))
        return {
            c.index: NumericSummary(
                *measured[c.index].moments,
                histogram=histograms.get(c.index),
                reference_counts=measured[c.index].reference_counts,
            )
            for c in self.columns
            if c.logical_type.is_numeric
        }

    def _fresh_histograms(self, columns: list[_Column], row_count: int) -> dict[int, Histogram]:
        edges_query = _Aggregate()
        slots = {
            c.index: edges_query.add(f"quantile_disc({c.finite}, ?::DOUBLE[])", self.quantiles)
            for c in columns
        }
        source = self.source
        if row_count > 2 * _EDGE_SAMPLE_ROWS:
            # Row-level sampling: a block sample of sorted data would miss whole ranges.
            percent = 100 * _EDGE_SAMPLE_ROWS / row_count
            source += f" USING SAMPLE {percent:.6f}% (bernoulli, {_SAMPLE_SEED})"
        result = edges_query.run(self.conn, source)
        edges = {index: cuts for index, slot in slots.items() if (cuts := _edges(result[slot]))}
        if not edges:
            return {}
        counts_query = _Aggregate()
        slots = {
            i: counts_query.add(f"histogram(v{i}, ?::DOUBLE[])", list(cuts))
            for i, cuts in edges.items()
        }
        result = counts_query.run(self.conn, self.source)
        return {
            i: Histogram(edges[i], _bin_counts(result[slot], edges[i])) for i, slot in slots.items()
        }

    def _top_values(self, measured: dict[int, _Measured]) -> dict[int, CategoricalSummary]:
        """Queries 4."""
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
                tops[c.index] = self._grouped(c, m.non_null)
        if sketched:
            tops.update(self._sketched(sketched, measured))
        return tops

    def _grouped(self, c: _Column, non_null: int) -> CategoricalSummary:
        """Exact counts of the top K + 1 values (K + 1 tells whether K cover them all)
        and of the reference's top values, from one GROUP BY."""
        counted = (
            f"SELECT {c.text_sql} AS value, count(*) AS n FROM {self.view}"
            f" WHERE {c.sql} IS NOT NULL GROUP BY ALL"
        )
        top_rows = (
            f"SELECT value, n, false FROM counted ORDER BY n DESC, value LIMIT {self.top_k + 1}"
        )
        if c.reference_values:
            rows = self.conn.execute(
                f"WITH counted AS MATERIALIZED ({counted}) SELECT * FROM ({top_rows}) UNION ALL"
                " SELECT value, n, true FROM counted WHERE value IN (SELECT unnest(?::VARCHAR[]))",
                [list(c.reference_values)],
            ).fetchall()
        else:
            rows = self.conn.execute(f"WITH counted AS ({counted}) {top_rows}").fetchall()
        top = [(value, n) for value, n, is_reference in rows if not is_reference]
        found = {value: n for value, n, is_reference in rows if is_reference}
        return self._summary(c, non_null, top, found, complete=len(top) <= self.top_k)

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


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def _edges(quantiles: Sequence[float] | None) -> tuple[float, ...]:
    """Sorted distinct finite cut points (heavy ties collapse into one edge)."""
    return tuple(sorted({float(q) for q in quantiles or () if q is not None and math.isfinite(q)}))


def _bin_counts(histogram: dict[float, int] | None, edges: tuple[float, ...]) -> tuple[int, ...]:
    """DuckDB's ``histogram(x, edges)`` map as counts in the profile's convention:
    per edge the values <= it (and above the previous), then the values above all."""
    histogram = histogram or {}
    inside = [int(histogram.get(edge, 0)) for edge in edges]
    return (*inside, int(sum(histogram.values())) - sum(inside))


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
