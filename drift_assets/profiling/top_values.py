"""Query 4 of the profiling passes: a categorical column's top values by count.

One GROUP BY per column counts its top K + 1 values, the reference's top values and
the exact number of values. Above a million distinct values a sketch (approx_top_k)
picks candidates and only those are counted exactly.
"""

from __future__ import annotations

import duckdb

from drift_assets.profiling.column_plan import ColumnPlan
from drift_assets.profiling.dataset_profile import CategoricalSummary


class TopValues:
    """Counts the top values of categorical columns of one relation (a quoted view)."""

    def __init__(self, conn: duckdb.DuckDBPyConnection, view: str, top_k: int) -> None:
        self.conn = conn
        self.view = view
        self.top_k = top_k

    def grouped(self, c: ColumnPlan, non_null: int) -> tuple[CategoricalSummary, int]:
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
        summary = self.summary(c, non_null, top, found, complete=len(top) <= self.top_k)
        return summary, int(distinct)

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
