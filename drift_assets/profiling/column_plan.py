"""Each column's plan: what to measure, as which SQL, against which part of the
reference profile."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from duckdb.sqltypes import DuckDBPyType

from drift_assets.profiling.dataset_profile import (
    DatasetProfile,
    LogicalType,
)
from drift_assets.profiling.logical_types import logical_type
from drift_assets.profiling.numeric_pass import (
    Edges,
)

# Above this many distinct values a full GROUP BY costs seconds and memory per column.
EXACT_TOP_LIMIT = 1_000_000

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


# Physical types whose double is a plain widening (pyarrow's cast gives DuckDB's).
_PLAIN_NUMBERS = frozenset(
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
    }
)


def quote_identifier(name: str) -> str:
    """A SQL identifier for any column name (embedded double quotes doubled)."""
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class ColumnPlan:
    """One column's plan: what to measure, and against which part of the reference."""

    index: int
    name: str
    physical_type: str
    logical_type: LogicalType
    # The reference's edges and its own counts in them, when comparable.
    reference_edges: Edges | None = None
    reference_shape: tuple[int, ...] | None = None
    # The reference's top values, when comparable.
    reference_values: tuple[str, ...] | None = None
    # Few distinct values are expected (booleans, or a string column with few in the
    # reference): its GROUP BY runs without a distinct estimate first and counts them.
    few_values: bool = False

    @classmethod
    def plan(
        cls,
        index: int,
        name: str,
        duckdb_type: DuckDBPyType,
        reference: DatasetProfile | None,
        *,
        stored_as: str | None = None,
    ) -> ColumnPlan:
        """``stored_as`` names the physical type when the column is read as another
        (ISO date text read as dates)."""
        kind = logical_type(duckdb_type)
        physical = stored_as or str(duckdb_type)
        column = cls(index, name, physical, kind, few_values=kind is LogicalType.BOOLEAN)
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
                few_values=column.few_values or base.distinct_count <= EXACT_TOP_LIMIT // 2,
            )
        return column

    @property
    def plain_number(self) -> bool:
        """An integer or float column whose v{i} is only its value widened to a double."""
        return self.physical_type in _PLAIN_NUMBERS

    @property
    def sql(self) -> str:
        return quote_identifier(self.name)

    @property
    def text_sql(self) -> str:
        """The column as the strings its categories are named by ('true'/'false')."""
        return self.sql if self.physical_type == "VARCHAR" else f"CAST({self.sql} AS VARCHAR)"

    def projection(self) -> list[str]:
        """This column's part of the projection the queries read: c{i} is the column
        (NaN made NULL once, here), v{i} its value as a double (numeric-like only).

        v{i} repeats c{i}'s expression rather than naming the alias: DuckDB binds a
        reference to an alias of the same SELECT list at a cost that grows with the
        list and the relation's width (100 such references over 10,000 columns took
        2.2 s, written out 0.18 s)."""
        i, column = self.index, self.sql
        if self.logical_type is LogicalType.FLOAT:
            not_nan = f"CASE WHEN isnan({column}) THEN NULL ELSE {column} END"
            return [f"{not_nan} AS c{i}", f"CAST({not_nan} AS DOUBLE) AS v{i}"]
        if self.logical_type in (LogicalType.INTEGER, LogicalType.DECIMAL):
            return [f"{column} AS c{i}", f"CAST({column} AS DOUBLE) AS v{i}"]
        if self.logical_type.is_numeric:
            # Dates, datetimes and intervals: epoch() gives (fractional) seconds.
            return [f"{column} AS c{i}", f"epoch({column}) AS v{i}"]
        return [f"{column} AS c{i}"]


def width_groups(columns: list[ColumnPlan], size: int) -> Iterator[list[ColumnPlan]]:
    """The columns in groups of at most ``size``, in order."""
    for start in range(0, len(columns), max(1, size)):
        yield columns[start : start + max(1, size)]


def projected(columns: list[ColumnPlan], view: str, *, values: bool = True) -> str:
    """A subquery of only these columns' projections over ``view`` (a quoted name),
    without the v{i} doubles unless ``values``.

    Each query reads a projection of the columns it measures, never of all of
    them: a query's cost grows with the expressions it binds, so a batch of 10,000
    columns is measured by queries of a bounded width each."""
    parts = (part for c in columns for part in c.projection()[: None if values else 1])
    return f"(SELECT {', '.join(parts)} FROM {view})"


def _usable_edges(edges: Edges) -> bool:
    """Finite and strictly increasing: what binning needs. A stored reference made
    elsewhere (a pooled baseline, say) might not be."""
    return (
        bool(edges)
        and all(math.isfinite(e) for e in edges)
        and all(a < b for a, b in zip(edges, edges[1:], strict=False))
    )
