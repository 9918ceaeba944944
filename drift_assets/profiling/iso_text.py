"""Text columns that hold ISO dates or timestamps, measured as the times they are.

A CSV's ``created_at`` often reaches us as text (DuckDB's sniffer gives up on a
column with one odd row, pandas leaves ``object``), and compared as text it is
10,000 categories that are all new every day. A VARCHAR column whose every
non-null value is an ISO 8601 date (``2026-11-02``) or timestamp
(``2026-11-02 08:15:00``, ``2026-11-02T08:15:00Z``, ``...+01:00``) is measured as a
DATE, DATETIME or (with an offset) DATETIME_TZ column instead. It is decided here,
once, before anything is measured, so every later stage (schema_change included)
sees one logical type: the same text column profiled twice never looks retyped,
and ISO text against a real date column is no type change either.
"""

from __future__ import annotations

import duckdb
import pyarrow.compute as pc

from drift_assets.profiling.dataset_profile import LogicalType
from drift_assets.profiling.held_rows import HeldRows

_DATE = r"\d{4}-\d{2}-\d{2}"
_TIME = r"[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?"
_ZONE = r"(Z|[+-]\d{2}(:?\d{2})?)"
# Rows looked at first: a column that is not ISO text is almost always told by
# its first values, so the full scan runs only for the few that still look ISO.
_PROBE_ROWS = 1_000
_DATE_LED = rf"^{_DATE}"
# Columns per query: the probe's (rows fetched as Arrow) and the full check's
# (four aggregates a column, whose cost grows faster than their number).
_PROBED_PER_QUERY = 1024
_CHECKED_PER_QUERY = 25

# The DuckDB type each kind of ISO text is read as.
CAST_TYPES = {
    LogicalType.DATE: "DATE",
    LogicalType.DATETIME: "TIMESTAMP",
    LogicalType.DATETIME_TZ: "TIMESTAMPTZ",
}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _checks(column: str) -> list[str]:
    """Counts of the non-null values that are ISO dates, naive timestamps and
    timestamps with a zone, each parseable (2026-02-30 matches the pattern but is
    no date), and of all non-null values."""
    c = _quote(column)
    return [
        f"count({c})",
        f"count(*) FILTER (regexp_full_match({c}, '{_DATE}')"
        f" AND TRY_CAST({c} AS DATE) IS NOT NULL)",
        f"count(*) FILTER (regexp_full_match({c}, '{_DATE}{_TIME}')"
        f" AND TRY_CAST({c} AS TIMESTAMP) IS NOT NULL)",
        f"count(*) FILTER (regexp_full_match({c}, '{_DATE}{_TIME}{_ZONE}')"
        f" AND TRY_CAST({c} AS TIMESTAMPTZ) IS NOT NULL)",
    ]


def _kinds(
    conn: duckdb.DuckDBPyConnection, source: str, columns: list[str]
) -> dict[str, LogicalType]:
    if not columns:
        return {}
    parts = [check for column in columns for check in _checks(column)]
    (row,) = conn.execute(f"SELECT {', '.join(parts)} FROM {source}").fetchall()
    kinds = {}
    for i, column in enumerate(columns):
        values, dates, naive, zoned = row[4 * i : 4 * i + 4]
        if not values:
            continue  # all null: nothing says it holds times
        if dates == values:
            kinds[column] = LogicalType.DATE
        elif naive == values:
            kinds[column] = LogicalType.DATETIME
        elif zoned == values:
            kinds[column] = LogicalType.DATETIME_TZ
    return kinds


def iso_time_columns(
    conn: duckdb.DuckDBPyConnection,
    view: str,
    text_columns: list[str],
    held: HeldRows | None = None,
) -> dict[str, LogicalType]:
    """The text columns of ``view`` whose every non-null value is ISO date or
    timestamp text, and the logical type each is measured as (one kind per
    column: dates mixed with timestamps stay text). ``held``: the view's rows,
    which the probe then reads without a query."""
    likely = _date_led(conn, view, text_columns, held)
    kinds: dict[str, LogicalType] = {}
    for start in range(0, len(likely), _CHECKED_PER_QUERY):
        kinds |= _kinds(conn, _quote(view), likely[start : start + _CHECKED_PER_QUERY])
    return kinds


def _date_led(
    conn: duckdb.DuckDBPyConnection, view: str, text_columns: list[str], held: HeldRows | None
) -> list[str]:
    """The columns whose first rows hold values and every one starts like an ISO date.

    Every pattern above starts so, and the first rows are some of the rows, so a
    column left out here could not pass the full check. It is tested in Arrow, a
    group of columns at a time: as DuckDB aggregates, four regular expressions a
    column cost 3 s a file at 333 text columns and grew faster than the width."""
    likely = []
    for start in range(0, len(text_columns), _PROBED_PER_QUERY):
        group = text_columns[start : start + _PROBED_PER_QUERY]
        if held is not None:
            probed = [held.table.column(name).slice(0, _PROBE_ROWS) for name in group]
        else:
            selected = ", ".join(_quote(name) for name in group)
            probe = conn.sql(f"SELECT {selected} FROM {_quote(view)} LIMIT {_PROBE_ROWS}")
            probed = probe.to_arrow_table().columns
        for name, values in zip(group, probed, strict=True):
            if (
                values.null_count < len(values)
                and pc.all(pc.match_substring_regex(values, _DATE_LED)).as_py()
            ):
                likely.append(name)
    return likely


def typed_select(view: str, kinds: dict[str, LogicalType]) -> str:
    """SELECT over ``view`` that reads each ISO text column as its time type."""
    replaced = ", ".join(
        f"CAST({_quote(name)} AS {CAST_TYPES[kind]}) AS {_quote(name)}"
        for name, kind in kinds.items()
    )
    return f"SELECT * REPLACE ({replaced}) FROM {_quote(view)}"
