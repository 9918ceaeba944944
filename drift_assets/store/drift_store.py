"""The drift store: profiles, pinned baselines and check results, in one DuckDB
file or one Postgres database (see ``backends.py``).

Every method opens a connection, does one short transaction and closes it
again, so run steps, the sensor and the CLI can share the file (see
``connection.py``) and, on Postgres, many hosts can share the database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drift_assets.checks.outcome import CheckOutcome
from drift_assets.profiling.dataset_profile import (
    DatasetProfile,
)
from drift_assets.settings.partitions import Partition
from drift_assets.store.backends import (
    POSTGRES,
    StoreConnection,
    StoreTarget,
    StoreUnavailableError,
    open_connection,
)
from drift_assets.store.check_history import StoredCheckResult, history_query, result_from_row
from drift_assets.store.connection import DEFAULT_LOCK_TIMEOUT_S, StoreLockedError
from drift_assets.store.evaluation_rows import evaluation_write, insert_evaluation
from drift_assets.store.journal import Journal, journal_folder
from drift_assets.store.migrations import migrate

DB_ENV_VAR = "DRIFT_ASSETS_DB"
DB_FILE_NAME = "drift_assets.duckdb"


# The DAGSTER_HOME `make dev` sets up, relative to the project folder.
MAKE_DAGSTER_HOME = ".dagster_home"


def default_store_path() -> Path | str:
    """``DRIFT_ASSETS_DB`` (a file, or a ``postgresql://`` URL, returned as text),
    else the file in ``DAGSTER_HOME``, else in ``.dagster_home`` of the working
    folder, where ``make dev`` puts it: a fresh shell at the project root finds the
    project's store, and a stray store file beside it is never read."""
    explicit = os.environ.get(DB_ENV_VAR)
    if explicit:
        return explicit if StoreTarget.parse(explicit).url else Path(explicit)
    return Path(os.environ.get("DAGSTER_HOME") or MAKE_DAGSTER_HOME) / DB_FILE_NAME


class WriteJournaled(RuntimeError):
    """The store stayed busy or unreachable past its budget: the write waits in the
    journal (``path``) and lands when the store is next opened."""

    def __init__(self, path: Path, why: str):
        super().__init__(f"{why}; the results wait in {path} and are stored on its next opening")
        self.path = path


@dataclass(frozen=True)
class PinnedBaseline:
    dataset: str
    profile_id: int
    pinned_at: datetime
    pinned_by: str
    reason: str | None


class DriftStore:
    """``target``: a DuckDB file path or a ``postgresql://`` URL. ``lock_timeout``:
    how long to wait for the file lock (DuckDB) or for a connection (Postgres), in
    seconds or as a function giving them at each connection (a sensor tick's budget
    shrinks as the tick goes on)."""

    def __init__(
        self,
        target: str | Path,
        *,
        lock_timeout: float | Callable[[], float] = DEFAULT_LOCK_TIMEOUT_S,
    ):
        self.target = StoreTarget.parse(target)
        self.lock_timeout = lock_timeout
        self.journal = Journal(journal_folder(self.target))
        self._migrated = False

    @property
    def path(self) -> Path | None:
        """The DuckDB file; None for a Postgres store."""
        return self.target.path

    @property
    def location(self) -> str:
        """The file or the URL without its password: what messages may show."""
        return self.target.location

    @property
    def shared(self) -> bool:
        """Whether processes on several hosts use this store at once (Postgres): rows
        are claimed with row locks rather than serialised by DuckDB's file lock,
        and a quick query never waits behind a run step's lock."""
        return self.target.dialect == POSTGRES

    @contextmanager
    def connection(self) -> Iterator[StoreConnection]:
        """A short-lived connection to an up-to-date schema."""
        timeout = self.lock_timeout() if callable(self.lock_timeout) else self.lock_timeout
        with open_connection(self.target, lock_timeout=timeout) as conn:
            if not self._migrated:
                migrate(conn)
                self._migrated = True
            self._apply_journal(conn)
            yield conn

    @contextmanager
    def transaction(self) -> Iterator[StoreConnection]:
        with self.connection() as conn:
            conn.execute("BEGIN TRANSACTION")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    # -- writing ---------------------------------------------------------------

    def record_evaluation(
        self,
        *,
        profile: DatasetProfile,
        asset_key: str,
        run_id: str | None,
        baseline: DatasetProfile | None,
        baseline_strategy: str,
        outcomes: Sequence[CheckOutcome],
        pin_as_baseline: bool = False,
        partition: Partition | None = None,
    ) -> DatasetProfile:
        """Store a profile and the results of checking it, all or nothing; return
        the profile with its new ``profile_id``. ``pin_as_baseline`` also pins it
        (the first profile of a dataset whose strategy is ``pinned``).

        A time-window ``partition`` materialized again replaces its current profile
        and results (kept as history, marked superseded); a static key's batches
        are a stream, like an unpartitioned dataset's.

        When the store stays locked past its budget the write is journaled instead
        (``journal.py``) and ``WriteJournaled`` says where: it lands, exactly once,
        when the store is next opened."""
        write = evaluation_write(
            profile,
            asset_key,
            run_id,
            baseline,
            baseline_strategy,
            outcomes,
            pin_as_baseline,
            partition,
        )
        try:
            with self.transaction() as conn:
                profile_id = _write_evaluation(conn, write)
        except (StoreLockedError, StoreUnavailableError) as exc:
            entry = self.journal.append("evaluation", write)
            raise WriteJournaled(entry.path, str(exc)) from exc
        return replace(profile, profile_id=profile_id)

    def _apply_journal(self, conn: StoreConnection) -> None:
        """Apply the journaled writes, each once: its id and its rows commit together."""
        for entry in self.journal.pending():
            conn.execute("BEGIN TRANSACTION")
            try:
                new = conn.execute(
                    "INSERT INTO journal_applied (entry_id, applied_at) VALUES (?, ?)"
                    " ON CONFLICT DO NOTHING RETURNING entry_id",
                    [entry.entry_id, datetime.now(UTC)],
                ).fetchone()
                if new is not None:
                    _write_evaluation(conn, entry.payload)
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            self.journal.remove(entry)

    def pin(self, dataset: str, profile_id: int, *, actor: str, reason: str | None = None) -> None:
        """Make a stored profile the dataset's baseline until changed (idempotent)."""
        now = datetime.now(UTC)
        with self.transaction() as conn:
            _check_owner(conn, dataset, profile_id)
            _pin(conn, dataset, profile_id, actor, now, reason)

    def accept(
        self, dataset: str, profile_id: int, *, actor: str, reason: str | None = None
    ) -> bool:
        """Accept a stored profile as the dataset's new normal: pin it, count it as a
        baseline though its checks failed, and make it the start of the history
        that ``previous`` and ``rolling:N`` baselines are taken from (see
        ``baseline_profiles``). False when it already was (idempotent)."""
        now = datetime.now(UTC)
        with self.transaction() as conn:
            _check_owner(conn, dataset, profile_id)
            pinned = conn.execute(
                "SELECT profile_id FROM pinned_baselines WHERE dataset = ?", [dataset]
            ).fetchone()
            if pinned == (profile_id,) and _accepted(conn, dataset) == profile_id:
                return False
            _pin(conn, dataset, profile_id, actor, now, reason)
            _audit(conn, dataset, "accept", profile_id, actor, now, reason)
        return True

    def accepted(self, dataset: str) -> int | None:
        """The profile last accepted as the dataset's new normal: baselines are never
        taken from profiles older than it."""
        with self.connection() as conn:
            return _accepted(conn, dataset)

    def unpin(self, dataset: str, *, actor: str, reason: str | None = None) -> bool:
        """Forget the dataset's pinned baseline; False when none was pinned."""
        now = datetime.now(UTC)
        with self.transaction() as conn:
            removed = conn.execute(
                "DELETE FROM pinned_baselines WHERE dataset = ? RETURNING profile_id", [dataset]
            ).fetchone()
            if removed:
                _audit(conn, dataset, "unpin", removed[0], actor, now, reason)
        return removed is not None

    # -- reading ---------------------------------------------------------------

    def recent_profiles(
        self, dataset: str, limit: int, *, partition_key: str | None = None
    ) -> list[DatasetProfile]:
        """The dataset's last ``limit`` profiles, newest first (of one static
        partition key when given)."""
        keyed = " AND partition_key = ?" if partition_key is not None else ""
        with self.connection() as conn:
            rows = conn.execute(
                f"SELECT profile_id, profile FROM profiles WHERE dataset = ?{keyed}"
                " ORDER BY profile_id DESC LIMIT ?",
                [dataset, *([partition_key] if keyed else []), limit],
            ).fetchall()
        return [_profile_from_row(pid, doc) for pid, doc in rows]

    def baseline_profiles(
        self, dataset: str, limit: int, *, partition_key: str | None = None
    ) -> list[DatasetProfile]:
        """The dataset's last ``limit`` profiles that may be a baseline, newest first.
        With a ``partition_key`` (a static partition) the same, within that key.

        A profile may be a baseline when every check of its evaluation passed, or a
        person accepted it, or it is the dataset's first (it recorded the
        baseline). A failed check at any severity (WARN, ERROR, or a check that
        could not be evaluated) keeps its profile out, so a lasting change keeps
        failing until it is accepted. Nothing older than the accepted profile
        counts. Pass or fail is read from the profile's own ``check_results``
        rows, so stores written before this rule need no migration.
        """
        keyed = " AND partition_key = $key" if partition_key is not None else ""
        with self.connection() as conn:
            accepted = _accepted(conn, dataset, partition_key)
            rows = conn.execute(
                f"""
                SELECT profile_id, profile FROM profiles
                WHERE dataset = $dataset{keyed} AND profile_id >= coalesce($accepted, 0)
                  AND (profile_id = $accepted
                       OR profile_id = (SELECT min(profile_id) FROM profiles
                                        WHERE dataset = $dataset{keyed})
                       OR profile_id NOT IN (SELECT profile_id FROM check_results
                                             WHERE dataset = $dataset AND NOT passed))
                ORDER BY profile_id DESC LIMIT $limit
                """,
                {
                    "dataset": dataset,
                    "accepted": accepted,
                    "limit": limit,
                    **({"key": partition_key} if keyed else {}),
                },
            ).fetchall()
        return [_profile_from_row(pid, doc) for pid, doc in rows]

    def failed_profiles(self, dataset: str, profile_ids: Sequence[int]) -> set[int]:
        """Which of these profiles had a failed check (what keeps them from being
        a baseline unless accepted)."""
        if not profile_ids:
            return set()
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT DISTINCT profile_id FROM check_results"
                " WHERE dataset = ? AND NOT passed AND profile_id = ANY(?)",
                [dataset, list(profile_ids)],
            ).fetchall()
        return {r[0] for r in rows}

    def profile(self, profile_id: int) -> DatasetProfile | None:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT profile_id, profile FROM profiles WHERE profile_id = ?", [profile_id]
            ).fetchone()
        return _profile_from_row(*row) if row else None

    def pinned(self, dataset: str) -> PinnedBaseline | None:
        with self.connection() as conn:
            row = conn.execute(
                "SELECT dataset, profile_id, pinned_at, pinned_by, reason FROM pinned_baselines"
                " WHERE dataset = ?",
                [dataset],
            ).fetchone()
        return PinnedBaseline(*row) if row else None

    def check_history(
        self,
        *,
        dataset: str | None = None,
        check: str | None = None,
        since: datetime | None = None,
        failed_only: bool = False,
        limit: int | None = None,
        partition: str | None = None,
        current_only: bool = False,
    ) -> list[StoredCheckResult]:
        """Check results, newest first, filtered by what is given; ``current_only``
        leaves out results a re-materialized partition replaced."""
        sql, params = history_query(
            dataset=dataset,
            check=check,
            since=since,
            failed_only=failed_only,
            limit=limit,
            partition=partition,
            current_only=current_only,
        )
        with self.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [result_from_row(row) for row in rows]

    def datasets(self) -> list[str]:
        with self.connection() as conn:
            rows = conn.execute("SELECT DISTINCT dataset FROM profiles ORDER BY 1").fetchall()
        return [r[0] for r in rows]


def _profile_from_row(profile_id: int, document: str) -> DatasetProfile:
    return replace(DatasetProfile.from_dict(json.loads(document)), profile_id=profile_id)


def _write_evaluation(conn, write: dict[str, Any]) -> int:
    profile_id = insert_evaluation(conn, write)
    if write["pin_as_baseline"]:
        at = datetime.fromisoformat(write["evaluated_at"])
        _pin(conn, write["profile"]["dataset"], profile_id, "drift_assets", at, "first profile")
    return profile_id


def _check_owner(conn, dataset: str, profile_id: int) -> None:
    owner = conn.execute(
        "SELECT dataset FROM profiles WHERE profile_id = ?", [profile_id]
    ).fetchone()
    if owner is None:
        raise KeyError(f"there is no stored profile {profile_id}")
    if owner[0] != dataset:
        raise ValueError(f"profile {profile_id} belongs to {owner[0]!r}, not {dataset!r}")


def _pin(conn, dataset, profile_id, actor, at, reason) -> None:
    conn.execute(
        """
        INSERT INTO pinned_baselines (dataset, profile_id, pinned_at, pinned_by, reason)
        VALUES (?, ?, ?, ?, ?)
        ON CONFLICT (dataset) DO UPDATE SET profile_id = excluded.profile_id,
            pinned_at = excluded.pinned_at, pinned_by = excluded.pinned_by,
            reason = excluded.reason
        """,
        [dataset, profile_id, at, actor, reason],
    )
    _audit(conn, dataset, "pin", profile_id, actor, at, reason)


def _accepted(conn, dataset, partition_key: str | None = None) -> int | None:
    """The last accepted profile (of one static partition key when given)."""
    keyed = (
        " AND profile_id IN (SELECT profile_id FROM profiles WHERE partition_key = ?)"
        if partition_key is not None
        else ""
    )
    row = conn.execute(
        f"SELECT profile_id FROM baseline_events WHERE dataset = ? AND action = 'accept'{keyed}"
        " ORDER BY event_id DESC LIMIT 1",
        [dataset, *([partition_key] if keyed else [])],
    ).fetchone()
    return row[0] if row else None


def _audit(conn, dataset, action, profile_id, actor, at, reason) -> None:
    conn.execute(
        "INSERT INTO baseline_events (dataset, action, profile_id, actor, acted_at, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [dataset, action, profile_id, actor, at, reason],
    )
