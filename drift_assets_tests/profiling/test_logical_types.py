"""Logical types: how each engine or pandas type is named, so storage details (object vs
str, int32 vs int64, ns vs us) are never reported as a type change."""

from __future__ import annotations

import datetime as dt
import decimal

import duckdb
import numpy as np
import pandas as pd
import pytest

from drift_assets.profiling.dataset_profile import LogicalType as L
from drift_assets.profiling.logical_types import logical_type
from drift_assets.profiling.sources import register_dataframe


@pytest.mark.parametrize(
    ("type_name", "expected"),
    [
        # every integer width, signed and unsigned, is one type
        ("TINYINT", L.INTEGER),
        ("SMALLINT", L.INTEGER),
        ("INTEGER", L.INTEGER),
        ("BIGINT", L.INTEGER),
        ("HUGEINT", L.INTEGER),
        ("UTINYINT", L.INTEGER),
        ("UBIGINT", L.INTEGER),
        ("UHUGEINT", L.INTEGER),
        # aliases a person may write, in any case
        ("int8", L.INTEGER),
        ("float8", L.FLOAT),
        ("FLOAT", L.FLOAT),
        ("DOUBLE", L.FLOAT),
        # precision and scale do not change the type
        ("DECIMAL(18,3)", L.DECIMAL),
        ("DECIMAL(4,1)", L.DECIMAL),
        ("VARCHAR", L.STRING),
        # text-like types compare as strings
        ("ENUM('a', 'b')", L.STRING),
        ("UUID", L.STRING),
        ("JSON", L.STRING),
        ("BOOLEAN", L.BOOLEAN),
        ("DATE", L.DATE),
        # every timestamp resolution is one type; a time zone makes another
        ("TIMESTAMP", L.DATETIME),
        ("TIMESTAMP_S", L.DATETIME),
        ("TIMESTAMP_MS", L.DATETIME),
        ("TIMESTAMP_NS", L.DATETIME),
        ("TIMESTAMP WITH TIME ZONE", L.DATETIME_TZ),
        ("TIME", L.TIME),
        ("TIME WITH TIME ZONE", L.TIME),
        ("INTERVAL", L.DURATION),
        # nested, binary and untyped columns are OTHER
        ("INTEGER[]", L.OTHER),
        ("INTEGER[3]", L.OTHER),
        ("DECIMAL(4,1)[]", L.OTHER),
        ("STRUCT(a INTEGER, b VARCHAR[])", L.OTHER),
        ("MAP(VARCHAR, INTEGER)", L.OTHER),
        ("BLOB", L.OTHER),
        ("BIT", L.OTHER),
        ('"NULL"', L.OTHER),
    ],
)
def test_type_names(type_name, expected):
    assert logical_type(type_name) is expected


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        ("1::UTINYINT", L.INTEGER),
        ("1.5::DECIMAL(20,3)", L.DECIMAL),
        ("now()", L.DATETIME_TZ),
        ("now()::TIMESTAMP_NS", L.DATETIME),
        ("INTERVAL 1 DAY", L.DURATION),
        ("uuid()", L.STRING),
        ("[1, 2]", L.OTHER),
        ("NULL", L.OTHER),
    ],
)
def test_duckdb_type_objects(sql, expected):
    (duckdb_type,) = duckdb.sql(f"SELECT {sql} AS x").types
    assert logical_type(duckdb_type) is expected


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # pandas 3's default string dtype and the older object dtype are the same
        (pd.Series(["a", None, "c"]), L.STRING),
        (pd.Series(["a", None, "c"], dtype=object), L.STRING),
        (pd.Series(["a", None], dtype="string[python]"), L.STRING),
        (pd.Series(["a", "b"], dtype="category"), L.STRING),
        # every numpy integer width and pandas' nullable Int64
        (pd.Series([1, 2], dtype=np.int8), L.INTEGER),
        (pd.Series([1, 2], dtype=np.int32), L.INTEGER),
        (pd.Series([1, 2], dtype=np.uint64), L.INTEGER),
        (pd.Series([1, None], dtype="Int64"), L.INTEGER),
        (pd.Series([1.5, 2.5], dtype=np.float32), L.FLOAT),
        (pd.Series([1.5, None], dtype="Float64"), L.FLOAT),
        (pd.Series([True, False]), L.BOOLEAN),
        (pd.Series([True, None], dtype="boolean"), L.BOOLEAN),
        # object columns of Python booleans, dates and decimals keep their type
        (pd.Series([True, None, False], dtype=object), L.BOOLEAN),
        (pd.Series([dt.date(2024, 1, 1), None], dtype=object), L.DATE),
        (pd.Series([decimal.Decimal("1.5"), None], dtype=object), L.DECIMAL),
        # any resolution of naive datetimes is one type; a time zone makes another
        (pd.Series(pd.to_datetime(["2024-01-01"]).as_unit("ns")), L.DATETIME),
        (pd.Series(pd.to_datetime(["2024-01-01"]).as_unit("us")), L.DATETIME),
        (pd.Series(pd.date_range("2024-01-01", periods=2, tz="Europe/Paris")), L.DATETIME_TZ),
        (pd.Series(pd.to_timedelta([1, 2], unit="s")), L.DURATION),
        # mixed objects (ints and strings, bools and ints) are profiled as strings
        (pd.Series([1, "a", 2.5, None], dtype=object), L.STRING),
        (pd.Series([True] * 3000 + [1], dtype=object), L.STRING),
        # so is an all-missing object column (not DuckDB's untyped NULL)
        (pd.Series([None, None], dtype=object), L.STRING),
        # types DuckDB cannot scan are profiled as strings instead of failing
        (pd.Series(pd.period_range("2024-01", periods=2, freq="M")), L.STRING),
        (pd.Series([1 + 2j, 3j]), L.STRING),
    ],
)
def test_pandas_dtypes(column, expected):
    with duckdb.connect() as conn:
        (duckdb_type,) = register_dataframe(conn, pd.DataFrame({"x": column})).types
    assert logical_type(duckdb_type) is expected
