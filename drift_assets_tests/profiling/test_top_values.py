"""Top values: a column counted alone (tall) and counted with others in one unpivoted
query (short) give the same summary, ties ordered by value, references counted."""

from __future__ import annotations

import duckdb
from hypothesis import given, settings
from hypothesis import strategies as st

from drift_assets.profiling.column_plan import ColumnPlan
from drift_assets.profiling.logical_types import logical_type
from drift_assets.profiling.top_values import TopValues

values = st.lists(
    st.one_of(st.none(), st.sampled_from(["a", "b", "c", "d", "it's", ""])), max_size=30
)


@settings(derandomize=True, max_examples=40, deadline=None)
@given(
    st.lists(values, min_size=2, max_size=4),
    st.lists(st.sampled_from(["a", "b", "x", "it's"]), max_size=3, unique=True),
    st.integers(1, 3),
)
def test_alone_and_together_count_the_same(columns, reference, top_k):
    rows = max(len(c) for c in columns)
    with duckdb.connect() as conn:
        names = [f"col {i}" for i in range(len(columns))]
        conn.execute("CREATE TABLE t (" + ", ".join(f'"{n}" VARCHAR' for n in names) + ")")
        table = [[c[r] if r < len(c) else None for c in columns] for r in range(rows)]
        if table:
            conn.executemany(f"INSERT INTO t VALUES ({', '.join('?' * len(names))})", table)
        types = conn.table("t").types
        plans = [
            ColumnPlan(
                i, n, str(types[i]), logical_type(types[i]), reference_values=tuple(reference)
            )
            for i, n in enumerate(names)
        ]
        non_null = {i: sum(v is not None for v in c) for i, c in enumerate(columns)}
        plans = [p for p in plans if non_null[p.index]]
        counter = TopValues(conn, "t", top_k)
        # Short columns are counted together in one query; one column given alone
        # goes through the query a tall column gets.
        together = counter.grouped(plans, non_null, {})
        for p in plans:
            alone = counter.grouped([p], non_null, {})[p.index]
            assert together[p.index] == alone
            summary, distinct = alone
            present = [v for v in columns[p.index] if v is not None]
            assert distinct == len(set(present))
            assert summary.reference_counts == (
                *(present.count(v) for v in reference),
                len(present) - sum(present.count(v) for v in reference),
            )
            expected = sorted(set(present), key=lambda v: (-present.count(v), v))[:top_k]
            assert [v for v, _ in summary.top] == expected
