"""The wide-table generator gives the column kinds bench/wide_results.md describes."""

from __future__ import annotations

import pyarrow as pa

from bench.wide import generate


def test_plain_columns_cycle_float_integer_and_three_strings():
    table = generate(50, 9, seed=0, mixed=False)
    kinds = [field.type for field in table.schema]
    assert kinds == [pa.float64(), pa.int64(), pa.string()] * 3
    assert {len(column.unique()) for column in table.columns[2::3]} <= {1, 2, 3}
    assert all(column.null_count == 0 for column in table.columns)


def test_mixed_columns_add_dates_booleans_and_nulls():
    table = generate(2_000, 16, seed=0, mixed=True)
    kinds = {str(field.type) for field in table.schema}
    assert kinds == {"double", "int64", "string", "date32[day]", "bool"}
    assert all(0 < column.null_count < 100 for column in table.columns)
