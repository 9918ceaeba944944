"""The store's two backends behind one small connection: an embedded DuckDB file
(the default) or a PostgreSQL database (``postgresql://...``, psycopg 3) for
deployments whose steps run on several hosts.

Every module of ``store/`` writes its SQL once, in the dialect both engines
share, and runs it through ``StoreConnection.execute``; only the Postgres side
translates. What the connection makes the same on both:

- placeholders: ``?`` (and ``$name`` with a dict) as DuckDB writes them;
- JSON columns come back as text (psycopg would parse them), so readers
  ``json.loads`` on both;
- TIMESTAMPTZ comes back tz-aware (Postgres sessions run in UTC);
- ``BEGIN TRANSACTION`` / ``COMMIT`` / ``ROLLBACK`` are issued by the caller on an
  autocommit connection, as on DuckDB.

The few statements that cannot be one text (row locks, advisory locks, sequence
positions) go through ``conn.pick(duckdb=..., postgres=...)``.

Credentials only ever come from the URL (set through ``DRIFT_ASSETS_DB`` or a
Dagster ``EnvVar``); ``location`` is the URL without its password, and every
error this module raises names that, never the password.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import duckdb

from drift_assets.store.connection import DEFAULT_LOCK_TIMEOUT_S, connect

DUCKDB = "duckdb"
POSTGRES = "postgres"
_URL_SCHEMES = ("postgresql://", "postgres://")


class StoreUnavailableError(RuntimeError):
    """The Postgres store could not be reached (the message never holds a password)."""


@dataclass(frozen=True)
class StoreTarget:
    """Where the store lives: a DuckDB file path or a Postgres URL."""

    dialect: str
    path: Path | None = None
    url: str | None = None

    @classmethod
    def parse(cls, target: str | Path) -> StoreTarget:
        text = str(target)
        if text.startswith(_URL_SCHEMES):
            return cls(POSTGRES, url=text)
        return cls(DUCKDB, path=Path(text))

    @property
    def location(self) -> str:
        """What messages may show: the file, or the URL without its password."""
        return str(self.path) if self.url is None else redact(self.url)


def is_url(target: str | Path) -> bool:
    return str(target).startswith(_URL_SCHEMES)


def redact(url: str) -> str:
    """The URL with any password taken out of its user part and its query."""
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        user, host = netloc.rsplit("@", 1)
        netloc = f"{user.split(':', 1)[0]}@{host}"
    query = re.sub(r"(?i)(^|&)password=[^&]*", r"\1password=***", parts.query)
    return urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))


def _password(url: str) -> str | None:
    parts = urlsplit(url)
    found = re.search(r"(?i)(?:^|&)password=([^&]*)", parts.query)
    return parts.password or (found.group(1) if found else None)


class StoreConnection:
    """One open connection: ``execute(sql, params)`` returns something with
    ``fetchone()``/``fetchall()``, on either engine."""

    dialect: str

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None):
        raise NotImplementedError

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    def pick(self, *, duckdb: str, postgres: str) -> str:
        """The statement text for this connection's engine."""
        return duckdb if self.dialect == DUCKDB else postgres


class _DuckDBConnection(StoreConnection):
    dialect = DUCKDB

    def __init__(self, conn: duckdb.DuckDBPyConnection):
        self._conn = conn

    def execute(self, sql, params=None):
        return self._conn.execute(sql, params) if params is not None else self._conn.execute(sql)

    def executemany(self, sql, rows):
        if rows:
            self._conn.executemany(sql, rows)


class _PostgresConnection(StoreConnection):
    dialect = POSTGRES

    def __init__(self, conn):
        self._conn = conn

    def execute(self, sql, params=None):
        if params is None:
            return self._conn.execute(sql)
        return self._conn.execute(to_psycopg(sql), params)

    def executemany(self, sql, rows):
        if rows:
            with self._conn.cursor() as cursor:
                cursor.executemany(to_psycopg(sql), rows)


# Quoted strings, quoted identifiers and comments keep their ``?`` and ``$``; outside
# them those become psycopg's placeholders. psycopg reads ``%`` everywhere, even
# inside quotes, so every literal ``%`` is doubled.
_TOKENS = re.compile(
    r"""'(?:[^']|'')*'|"(?:[^"]|"")*"|--[^\n]*|\$(?P<name>[A-Za-z_]\w*)|(?P<mark>\?)|(?P<pct>%)"""
)


def to_psycopg(sql: str) -> str:
    """DuckDB-style placeholders as psycopg's (``?`` -> ``%s``, ``$x`` -> ``%(x)s``)."""

    def swap(match: re.Match[str]) -> str:
        if match.group("mark"):
            return "%s"
        if match.group("name"):
            return f"%({match.group('name')})s"
        return match.group(0).replace("%", "%%")

    return _TOKENS.sub(swap, sql)


@contextmanager
def open_connection(
    target: StoreTarget,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[StoreConnection]:
    """A short-lived connection to the store, closed on exit."""
    if target.dialect == DUCKDB:
        assert target.path is not None
        with connect(target.path, lock_timeout=lock_timeout, sleep=sleep) as conn:
            yield _DuckDBConnection(conn)
        return
    assert target.url is not None
    conn = _connect_postgres(target.url, timeout=lock_timeout)
    try:
        yield _PostgresConnection(conn)
    finally:
        conn.close()


def _connect_postgres(url: str, *, timeout: float):
    import psycopg
    from psycopg.types.string import StrDumper, TextLoader

    try:
        conn = psycopg.connect(
            url,
            autocommit=True,
            connect_timeout=max(1, int(timeout)),
            options="-c TimeZone=UTC",
            application_name="drift_assets",
        )
    except psycopg.Error as exc:
        raise StoreUnavailableError(_unreachable(url, exc)) from None
    # DuckDB hands JSON back as text: so does this connection.
    conn.adapters.register_loader("json", TextLoader)
    conn.adapters.register_loader("jsonb", TextLoader)
    # psycopg binds an Enum by its name; DuckDB binds a StrEnum by its value.
    conn.adapters.register_dumper(StrEnum, StrDumper)
    return conn


def _unreachable(url: str, exc: BaseException) -> str:
    """One line naming the store without its password, whatever the driver said."""
    reason = " ".join(str(exc).split()) or type(exc).__name__
    secret = _password(url)
    if secret:
        reason = reason.replace(secret, "***")
    return f"cannot connect to the drift store {redact(url)}: {reason}"


def store_errors() -> tuple[type[BaseException], ...]:
    """What either engine raises for a store that cannot be read."""
    import psycopg

    return (duckdb.Error, psycopg.Error, StoreUnavailableError)
