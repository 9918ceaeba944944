"""Moving a whole store into an empty Postgres store (``drift-assets store migrate``):
every table's rows with their ids, sequences moved past them, counts verified.

Tables are read from the schema rather than listed here, so a table a later
migration adds moves too. The source is read through one connection (on DuckDB:
one hold of the file lock, so one consistent picture); the target is written in
one transaction, so a failed copy leaves it empty. Copying into a target that
already holds exactly the source's rows changes nothing; into one holding
anything else it refuses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from drift_assets.store import DriftStore
from drift_assets.store.backends import StoreConnection

_BOOKKEEPING = "schema_migrations"  # each store has its own, written by its migrations
_SEQUENCE = re.compile(r"nextval\('([A-Za-z_][\w]*)'")


class TransferError(ValueError):
    """The copy cannot be made (one line, naming stores without passwords)."""


@dataclass(frozen=True)
class TableCopy:
    table: str
    rows: int  # in the source, and now in the target
    copied: int  # written by this run (0 when the target already had them)


def copy_store(source: DriftStore, target: DriftStore) -> list[TableCopy]:
    """Copy every row of ``source`` into the Postgres store ``target``; return per
    table what it holds and what this run wrote."""
    if not target.shared:
        raise TransferError(f"the target must be a postgresql:// URL, not {target.location}")
    with source.connection() as conn:
        tables = {t: _read(conn, t) for t in _tables(conn)}
    with target.transaction() as conn:
        present = _tables(conn)
        missing = sorted(set(tables) - set(present))
        if missing:
            raise TransferError(
                f"{target.location} has no table {', '.join(missing)}: it was made by"
                " another version of drift_assets"
            )
        held = {t: _read(conn, t, columns) for t, (columns, _) in tables.items()}
        if any(rows for _, rows in held.values()):
            _require_same(source, target, tables, held)
            return [TableCopy(t, len(rows), 0) for t, (_, rows) in tables.items()]
        for table, (columns, rows) in tables.items():
            names = ", ".join(_quoted(c) for c in columns)
            marks = ", ".join("?" for _ in columns)
            conn.executemany(f"INSERT INTO {_quoted(table)} ({names}) VALUES ({marks})", rows)
        _advance_sequences(conn)
    copies = [TableCopy(t, len(rows), len(rows)) for t, (_, rows) in tables.items()]
    _verify(target, copies)
    return copies


def _tables(conn: StoreConnection) -> list[str]:
    rows = conn.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        " ORDER BY table_name"
    ).fetchall()
    return [r[0] for r in rows if r[0] != _BOOKKEEPING]


def _read(
    conn: StoreConnection, table: str, columns: list[str] | None = None
) -> tuple[list[str], list[tuple[Any, ...]]]:
    if columns is None:
        columns = [
            r[0]
            for r in conn.execute(
                "SELECT column_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND table_name = ?"
                " ORDER BY ordinal_position",
                [table],
            ).fetchall()
        ]
    names = ", ".join(_quoted(c) for c in columns)
    rows = conn.execute(f"SELECT {names} FROM {_quoted(table)} ORDER BY 1").fetchall()
    return columns, [tuple(r) for r in rows]


def _require_same(source, target, tables, held) -> None:
    differing = [
        f"{table} {len(held[table][1])} rows (source {len(rows)})"
        for table, (_, rows) in tables.items()
        if _comparable(rows) != _comparable(held[table][1])
    ]
    if differing:
        raise TransferError(
            f"{target.location} already holds other data than {source.location}:"
            f" {'; '.join(differing)}. Copy into an empty database"
        )


def _comparable(rows: list[tuple[Any, ...]]) -> set[tuple[Any, ...]]:
    # Lists (baseline_profile_ids) are unhashable; aware datetimes compare by instant.
    return {tuple(tuple(v) if isinstance(v, list) else v for v in row) for row in rows}


def _advance_sequences(conn: StoreConnection) -> None:
    """Ids were copied as they were: each sequence must now hand out the next one."""
    defaults = conn.execute(
        "SELECT table_name, column_name, column_default FROM information_schema.columns"
        " WHERE table_schema = current_schema() AND column_default LIKE 'nextval(%'"
    ).fetchall()
    for table, column, default in defaults:
        match = _SEQUENCE.search(default)
        if match is None:
            continue
        conn.execute(
            f"SELECT setval(?, (SELECT coalesce(max({_quoted(column)}), 0) + 1"
            f" FROM {_quoted(table)}), false)",
            [match.group(1)],
        )


def _verify(target: DriftStore, copies: list[TableCopy]) -> None:
    with target.connection() as conn:
        counted = {
            c.table: conn.execute(f"SELECT count(*) FROM {_quoted(c.table)}").fetchone()[0]
            for c in copies
        }
    wrong = [
        f"{c.table} {counted[c.table]} of {c.rows}" for c in copies if counted[c.table] != c.rows
    ]
    if wrong:
        raise TransferError(f"the copy in {target.location} is incomplete: {'; '.join(wrong)}")


def _quoted(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'
