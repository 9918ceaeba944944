"""Query 4 of the profiling passes: categorical columns' top values by count.

One GROUP BY per group of columns (unpivoted) counts each column's top K + 1 values,
the reference's top values and the exact number of values. Above a million distinct
values a sketch (approx_top_k) picks candidates and only those are counted exactly.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import duckdb

from drift_assets.profiling.column_plan import ColumnPlan
from drift_assets.profiling.dataset_profile import CategoricalSummary
from drift_assets.profiling.held_rows import HeldRows

# One query counts a group of columns: at most this many of them, cells (non-null
# values, unpivoted into rows) and estimated distinct values (its hash table). Tall
# columns go alone, read directly: unpivoting a million rows costs more than the
# bind it saves.
_GROUP_COLUMNS = 2_000
_GROUP_CELLS = 1_000_000
_GROUP_VALUES = 1_000_000


def _groups(
    columns: list[ColumnPlan], non_null: dict[int, int], estimates: dict[int, int]
) -> Iterator[list[ColumnPlan]]:
    """The columns in groups within the limits above (a column beyond one goes alone)."""
    group: list[ColumnPlan] = []
    cells = values = 0
    for c in columns:
        estimate = max(1, estimates.get(c.index, 0))
        if group and (
            len(group) >= _GROUP_COLUMNS
            or cells + non_null[c.index] > _GROUP_CELLS
            or values + estimate > _GROUP_VALUES
        ):
            yield group
            group, cells, values = [], 0, 0
        group.append(c)
        cells += non_null[c.index]
        values += estimate
    if group:
        yield group


class TopValues:
    """Counts the top values of categorical columns of one relation (a quoted view)."""

    def __init__(
        self,
        conn: duckdb.DuckDBPyConnection,
        view: str,
        top_k: int,
        held: HeldRows | None = None,
    ) -> None:
        self.conn = conn
        self.view = view
        self.top_k = top_k
        self.held = held

    def grouped(
        self, columns: list[ColumnPlan], non_null: dict[int, int], estimates: dict[int, int]
    ) -> dict[int, tuple[CategoricalSummary, int]]:
        """Each column's summary and exact number of values, from one GROUP BY per group
        of columns (``_groups``): its top K + 1 values (K + 1 tells whether K cover them
        all) and the reference's top values. A query per short column cost a bind of
        the whole relation each: at 10,000 columns a quarter of a second per query."""
        results = {}
        for group in _groups(columns, non_null, estimates):
            if len(group) == 1:
                (c,) = group
                results[c.index] = self._one(c, non_null[c.index])
            else:
                results |= self._many(group, non_null)
        return results

    def _one(self, c: ColumnPlan, non_null: int) -> tuple[CategoricalSummary, int]:
        """A tall column alone: its top K + 1 by a top-N sort, not a full ranking."""
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
        summary = self.summary(c, non_null, top, found, complete=len(top) <= self.top_k)
        return summary, int(distinct)

    def _many(
        self, columns: list[ColumnPlan], non_null: dict[int, int]
    ) -> dict[int, tuple[CategoricalSummary, int]]:
        """Short columns together: unpivoted into (column, value) rows (UNPIVOT leaves
        out nulls), counted and ranked per column. Held rows' text and boolean
        columns are stacked in Arrow instead (``held_rows``), each type on its own
        and cast to text as ``text_sql`` casts it."""
        references = [
            {"col": c.index, "value": value} for c in columns for value in c.reference_values or ()
        ]
        with ExitStack() as stack:
            kinds = {c.physical_type for c in columns}
            if self.held is not None and kinds <= {"VARCHAR", "BOOLEAN"}:
                parts = []
                for kind in sorted(kinds):
                    indexes = [c.index for c in columns if c.physical_type == kind]
                    view = stack.enter_context(self.held.stacked(self.conn, indexes))
                    parts.append(
                        f"SELECT col, CAST(value AS VARCHAR) AS value FROM {view}"
                        " WHERE value IS NOT NULL"
                    )
                cells = " UNION ALL ".join(parts)
            else:
                values = ", ".join(f'{c.text_sql} AS "{c.index}"' for c in columns)
                cells = (
                    f"UNPIVOT (SELECT {values} FROM {self.view})"
                    " ON COLUMNS(*) INTO NAME col VALUE value"
                )
            rows = self._ranked(cells, references)
        return self._summaries(columns, non_null, rows)

    def _ranked(self, cells: str, references: list[dict]) -> list[tuple]:
        return self.conn.execute(
            f"WITH cells AS ({cells}),"
            " counted AS (SELECT CAST(col AS INTEGER) AS col, value, count(*) AS n"
            " FROM cells GROUP BY ALL),"
            " ranked AS (SELECT *, row_number() OVER (PARTITION BY col ORDER BY n DESC, value)"
            " AS rank, count(*) OVER (PARTITION BY col) AS distinct_values FROM counted),"
            " wanted AS (SELECT DISTINCT w.col, w.value FROM"
            " (SELECT unnest(?::STRUCT(col INTEGER, value VARCHAR)[]) AS w))"
            " SELECT r.col, r.value, r.n, r.rank, r.distinct_values, w.col IS NOT NULL"
            " FROM ranked r LEFT JOIN wanted w ON w.col = r.col AND w.value = r.value"
            f" WHERE r.rank <= {self.top_k + 1} OR w.col IS NOT NULL",
            [references],
        ).fetchall()

    def _summaries(
        self, columns: list[ColumnPlan], non_null: dict[int, int], rows: list[tuple]
    ) -> dict[int, tuple[CategoricalSummary, int]]:
        top: dict[int, list[tuple[str, int]]] = {c.index: [] for c in columns}
        found: dict[int, dict[str, int]] = {c.index: {} for c in columns}
        distinct = dict.fromkeys(top, 0)
        for col, value, n, rank, values_count, wanted in rows:
            distinct[col] = values_count
            if rank <= self.top_k + 1:
                top[col].append((value, n))
            if wanted:
                found[col][value] = n
        return {
            c.index: (
                self.summary(
                    c,
                    non_null[c.index],
                    top[c.index],
                    found[c.index],
                    complete=len(top[c.index]) <= self.top_k,
                ),
                int(distinct[c.index]),
            )
            for c in columns
        }

    def sketched(
        self, columns: list[ColumnPlan], non_null: dict[int, int]
    ) -> dict[int, CategoricalSummary]:
        """High-cardinality columns: candidates from approx_top_k (one pass for all of
        them), then exact counts of the candidates and of the reference's values."""
        sketches = ", ".join(f"approx_top_k({c.text_sql}, {self.top_k})" for c in columns)
        # fetchall, not fetchone: DuckDB 2 keeps a partly fetched result open and
        # refuses further work on the connection until it is drained.
        (result,) = self.conn.execute(f"SELECT {sketches} FROM {self.view}").fetchall()
        tops = {}
        for c, candidates in zip(columns, result, strict=True):
            wanted = [*(candidates or ()), *(c.reference_values or ())]
            counts = dict(
                self.conn.execute(
                    f"SELECT value, count(*) FROM (SELECT {c.text_sql} AS value FROM {self.view})"
                    " WHERE value IN (SELECT unnest(?::VARCHAR[])) GROUP BY value",
                    [list(dict.fromkeys(wanted))],
                ).fetchall()
            )
            tops[c.index] = self.summary(
                c, non_null[c.index], list(counts.items()), counts, complete=False
            )
        return tops

    def summary(
        self,
        c: ColumnPlan,
        non_null: int,
        top: list[tuple[str, int]],
        found: dict[str, int],
        *,
        complete: bool,
    ) -> CategoricalSummary:
        """The summary of counted values: the top K by count (ties by value) and the
        reference's top values' counts, with everything else as one remainder."""
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
