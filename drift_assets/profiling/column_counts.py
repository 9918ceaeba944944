"""Queries 1 and 2 of the profiling passes: each column's non-null and distinct
counts, and whether it is ID-like.

Query 1 counts a group of columns at a time. Columns of one plain type (integers
of one width, floats, strings) are stacked: unpivoted into (column, value) rows
and aggregated per column, so the query binds four aggregates whatever the number
of columns (as one aggregate per column and count, 10,000 columns cost ~1 ms of
binding each). The same values of the same type are counted and hashed, so the
counts and HyperLogLog estimates are those of the per-column form, which other
types keep."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import duckdb

from drift_assets.profiling.column_plan import ColumnPlan, projected, width_groups
from drift_assets.profiling.dataset_profile import LogicalType
from drift_assets.profiling.held_rows import HeldRows
from drift_assets.profiling.id_like import MIN_ID_LIKE_VALUES, id_like_reason

# HyperLogLog estimates closer than this to the ID-like threshold are checked.
_DISTINCT_ESTIMATE_MARGIN = 0.1
# Rows (about) in the hash bucket whose exact distinct share stands for the column.
_DISTINCT_SAMPLE_ROWS = 100_000
# Columns per query: per-column aggregates, and stacked columns (bounded by their
# cells too, as the unpivoted rows are grouped in memory).
_QUERY_COLUMNS = 128
# Query 2's columns per query: each count(DISTINCT) holds its own hash table (128
# of them ran out of DuckDB's 512 MiB at 574 rows).
_EXACT_COLUMNS = 16
_STACKED_COLUMNS = 2_048
# Stacking pays where binding costs more than scanning: short batches only
# (unpivoting 1M rows x 20 columns made the bench's profile 0.25 s slower).
_STACKED_ROWS = 1 << 14
_STACKED_CELLS = 1 << 22
_STACKED_TYPES = frozenset(
    {
        "TINYINT",
        "SMALLINT",
        "INTEGER",
        "BIGINT",
        "UTINYINT",
        "USMALLINT",
        "UINTEGER",
        "UBIGINT",
        "FLOAT",
        "DOUBLE",
        "VARCHAR",
    }
)


@dataclass
class Measured:
    """What the DuckDB queries found about one column."""

    non_null: int
    distinct: int = 0
    skip_reason: str | None = None
    reference_counts: tuple[int, ...] | None = None


class ColumnCounts:
    """Counts the columns of one relation (a quoted view)."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        view: str,
        id_like_ratio: float,
        held: HeldRows | None = None,
    ) -> None:
        self.conn = conn
        self.view = view
        self.id_like_ratio = id_like_ratio
        self.held = held

    def measure(self, columns: list[ColumnPlan]) -> tuple[int, dict[int, Measured]]:
        """Query 1 (and 2): non-null and distinct counts, and the ID-like decision."""
        ((row_count,),) = self.conn.execute(f"SELECT count(*) FROM {self.view}").fetchall()
        stacked: dict[tuple[str, LogicalType], list[ColumnPlan]] = defaultdict(list)
        each = []
        for c in columns:
            # An ISO text column is read as its time type: it is not stacked as text.
            iso_text = c.physical_type == "VARCHAR" and c.logical_type is not LogicalType.STRING
            if row_count <= _STACKED_ROWS and c.physical_type in _STACKED_TYPES and not iso_text:
                stacked[(c.physical_type, c.logical_type)].append(c)
            else:
                each.append(c)
        found: dict[int, tuple[Any, ...]] = {}
        per_query = max(1, min(_STACKED_COLUMNS, _STACKED_CELLS // max(1, row_count)))
        if self.held is not None:
            per_query = len(columns)  # stacked in Arrow: nothing to bind per column
        for group_columns in stacked.values():
            for group in width_groups(group_columns, per_query):
                found |= self._stacked(group)
        for group in width_groups(each, _QUERY_COLUMNS):
            found |= self._each(group)
        measured = {}
        checked = []
        for c in columns:
            non_null, estimate, low, high = found.get(c.index, (0, 0, None, None))
            m = measured[c.index] = Measured(int(non_null))
            if c.few_values:
                continue
            m.distinct = min(int(estimate), m.non_null)
            if self._uncertain(c, m.non_null, estimate):
                checked.append(c)
            span = (low, high) if c.logical_type is LogicalType.INTEGER else None
            m.skip_reason = self.id_like(c, m.non_null, m.distinct, span)
        plans = {c.index: c for c in checked}
        for group in width_groups(checked, _EXACT_COLUMNS):
            for index, distinct in self._exact(group, measured).items():
                c, m = plans[index], measured[index]
                m.distinct = distinct
                low, high = found[c.index][2:]
                span = (low, high) if c.logical_type is LogicalType.INTEGER else None
                m.skip_reason = self.id_like(c, m.non_null, m.distinct, span)
        return int(row_count), measured

    def _stacked(self, group: list[ColumnPlan]) -> dict[int, tuple[Any, ...]]:
        """Columns of one type, unpivoted (UNPIVOT leaves nulls out; a column
        without values has no row, and counts nothing), or stacked from the held
        rows (``held_rows``)."""
        bounds = "min(value), max(value)"
        if group[0].logical_type is not LogicalType.INTEGER:
            bounds = "NULL, NULL"
        if self.held is not None:
            indexes = [c.index for c in group]
            floats = group[0].logical_type is LogicalType.FLOAT
            with self.held.stacked(self.conn, indexes, nan_is_null=floats) as cells:
                rows = self.conn.execute(
                    f"SELECT col, count(value), approx_count_distinct(value), {bounds}"
                    f" FROM {cells} GROUP BY col"
                ).fetchall()
            return {int(col): tuple(rest) for col, *rest in rows}
        rows = self.conn.execute(
            f"SELECT col, count(value), approx_count_distinct(value), {bounds}"
            f" FROM (UNPIVOT {projected(group, self.view, values=False)}"
            " ON COLUMNS(*) INTO NAME col VALUE value) GROUP BY col"
        ).fetchall()
        return {int(col.removeprefix("c")): tuple(rest) for col, *rest in rows}

    def _each(self, group: list[ColumnPlan]) -> dict[int, tuple[Any, ...]]:
        """Columns of other types, one set of aggregates a column."""
        parts = []
        for c in group:
            i = c.index
            bounds = f"min(c{i}), max(c{i})" if c.logical_type is LogicalType.INTEGER else "0, 0"
            distinct = "0" if c.few_values else f"approx_count_distinct(c{i})"
            parts.append(f"count(c{i}), {distinct}, {bounds}")
        # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open and
        # refuses further work on the connection until it is drained.
        (row,) = self.conn.execute(
            f"SELECT {', '.join(parts)} FROM {projected(group, self.view, values=False)}"
        ).fetchall()
        return {c.index: tuple(row[4 * k : 4 * k + 4]) for k, c in enumerate(group)}

    def _uncertain(self, c: ColumnPlan, non_null: int, estimate: int) -> bool:
        """Whether the HyperLogLog estimate could put the column on the wrong side
        of the ID-like threshold, so query 2 counts it."""
        return (
            c.logical_type in (LogicalType.STRING, LogicalType.INTEGER)
            and non_null >= MIN_ID_LIKE_VALUES
            and abs(estimate / non_null - self.id_like_ratio) < _DISTINCT_ESTIMATE_MARGIN
        )

    def _exact(self, group: list[ColumnPlan], measured: dict[int, Measured]) -> dict[int, int]:
        """Query 2 for a group of columns: each one's exact distinct share in the rows
        whose value hashes into one bucket, scaled to its non-null count."""
        parts = []
        for c in group:
            buckets = max(1, measured[c.index].non_null // _DISTINCT_SAMPLE_ROWS)
            sampled = f" AND hash({c.sql}) % {buckets} = 0" if buckets > 1 else ""
            where = f"FILTER (WHERE {c.sql} IS NOT NULL{sampled})"
            parts.append(f"count(DISTINCT {c.sql}) {where}, count(*) {where}")
        (row,) = self.conn.execute(f"SELECT {', '.join(parts)} FROM {self.view}").fetchall()
        exact = {}
        for k, c in enumerate(group):
            distinct, rows = row[2 * k : 2 * k + 2]
            non_null = measured[c.index].non_null
            if rows:
                exact[c.index] = min(round(distinct / rows * non_null), non_null)
        return exact

    def id_like(
        self, c: ColumnPlan, non_null: int, distinct: int, span: tuple[int, int] | None = None
    ) -> str | None:
        return id_like_reason(c.logical_type, non_null, distinct, self.id_like_ratio, span)
