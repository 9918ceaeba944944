"""Opening the DuckDB store file: short-lived connections that wait out the lock.

DuckDB takes a process-wide file lock from ``connect()`` to ``close()``, and a
second process fails at once with "Could not set lock on file". Run steps, the
sensor in the code server and the CLI all use the store, so every connection is
short and a locked file is retried with exponential backoff and jitter for up to
``lock_timeout`` seconds. (dagster-duckdb's ``DuckDBResource`` retries the same
way but does not close its connection when the body raises, which would keep the
lock held; hence this small version with ``finally``.)
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

DEFAULT_LOCK_TIMEOUT_S = 60.0
_FIRST_DELAY_S = 0.02
_MAX_DELAY_S = 1.0


class StoreLockedError(RuntimeError):
    """The store file stayed locked by another process past the timeout."""


def _is_lock_conflict(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


@contextmanager
def connect(
    path: str | Path,
    *,
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S,
    read_only: bool = False,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection to the store file, closed (and the lock released) on exit."""
    path = Path(path)
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + lock_timeout
    delay = _FIRST_DELAY_S
    while True:
        try:
            conn = duckdb.connect(str(path), read_only=read_only)
            break
        except duckdb.IOException as exc:
            if not _is_lock_conflict(exc) or time.monotonic() >= deadline:
                if _is_lock_conflict(exc):
                    holder = re.search(r"PID \d+", str(exc))  # DuckDB names the holder
                    who = f" (held by {holder[0]})" if holder else ""
                    raise StoreLockedError(
                        f"the drift store {path} stayed locked by another process for"
                        f" {lock_timeout:.3g} s{who}"
                    ) from exc
                raise
            sleep(delay * random.uniform(0.5, 1.5))
            delay = min(delay * 2, _MAX_DELAY_S)
    try:
        yield conn
    finally:
        conn.close()
