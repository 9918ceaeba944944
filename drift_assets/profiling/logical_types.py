"""DuckDB column types mapped to engine-independent ``LogicalType``s."""

from __future__ import annotations

from duckdb.sqltypes import DuckDBPyType

from drift_assets.profiling.dataset_profile import LogicalType

# Keys are DuckDB's type names without parameters ("DECIMAL(18,3)" -> "DECIMAL"), plus
# the common aliases a person may write. pandas dtypes arrive here already translated
# by DuckDB's scan: int8..uint64 and nullable Int64 become the integer types, ``str``
# and ``object`` of strings become VARCHAR, and a ``category`` becomes an ENUM.
_BY_NAME: dict[str, LogicalType] = {
    **dict.fromkeys(
        (
            "TINYINT",
            "SMALLINT",
            "INTEGER",
            "BIGINT",
            "HUGEINT",
            "UTINYINT",
            "USMALLINT",
            "UINTEGER",
            "UBIGINT",
            "UHUGEINT",
            "INT1",
            "INT2",
            "INT4",
            "INT8",
            "INT",
            "SHORT",
            "LONG",
            "SIGNED",
            "BIGNUM",
            "VARINT",
        ),
        LogicalType.INTEGER,
    ),
    **dict.fromkeys(("FLOAT", "REAL", "FLOAT4", "DOUBLE", "FLOAT8"), LogicalType.FLOAT),
    **dict.fromkeys(("DECIMAL", "NUMERIC"), LogicalType.DECIMAL),
    # ENUM, UUID and JSON hold text-like values: comparing them as strings keeps a
    # Parquet UUID column and the same column read from CSV the same type.
    **dict.fromkeys(
        ("VARCHAR", "TEXT", "STRING", "CHAR", "BPCHAR", "ENUM", "UUID", "JSON"),
        LogicalType.STRING,
    ),
    **dict.fromkeys(("BOOLEAN", "BOOL", "LOGICAL"), LogicalType.BOOLEAN),
    "DATE": LogicalType.DATE,
    **dict.fromkeys(
        ("TIMESTAMP", "DATETIME", "TIMESTAMP_S", "TIMESTAMP_MS", "TIMESTAMP_US", "TIMESTAMP_NS"),
        LogicalType.DATETIME,
    ),
    **dict.fromkeys(("TIMESTAMP WITH TIME ZONE", "TIMESTAMPTZ"), LogicalType.DATETIME_TZ),
    **dict.fromkeys(("TIME", "TIME_NS", "TIME WITH TIME ZONE", "TIMETZ"), LogicalType.TIME),
    "INTERVAL": LogicalType.DURATION,
}


def logical_type(duckdb_type: DuckDBPyType | str) -> LogicalType:
    """The logical type of a DuckDB column type (a type object or its SQL name).

    Nested types (lists, arrays, structs, maps, unions), BLOB, BIT and the type of an
    untyped all-NULL column are OTHER: they are profiled for nulls and distinct
    values only.
    """
    name = str(duckdb_type).strip().upper()
    if name.endswith("]"):
        return LogicalType.OTHER
    return _BY_NAME.get(name.split("(", 1)[0].strip(), LogicalType.OTHER)
