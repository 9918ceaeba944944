"""The drift store: profiles, pinned baselines and check results, in one DuckDB
file or one Postgres database (see ``backends.py``).

Every method opens a connection, does one short transaction and closes it
again, so run steps, the sensor and the CLI can share the file (see
``connection.py``) and, on Postgres, many hosts can share the database.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drift_assets.checks.outcome import CheckOutcome
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    DatasetProfile,
    NumericSummary,
)
from drift_assets.store.backends import (
    POSTGRES,
    StoreConnection,
    StoreTarget,
    open_connection,
)
from drift_assets.store.connection import DEFAULT_LOCK_TIMEOUT_S
from drift_assets.store.migrations import migrate

DB_ENV_VAR = "DRIFT_ASSETS_DB"
DB_FILE_NAME = "drift_assets.duckdb"


def default_store_path() -> Path | str:
    """``DRIFT_ASSETS_DB`` (a file, or a ``postgresql://`` URL, returned as text),
    else a file in ``DAGSTER_HOME``, else in the working folder."""
    explicit = os.environ.get(DB_ENV_VAR)
    if explicit:
        return explicit if StoreTarget.parse(explicit).url else Path(explicit)
    home = os.environ.get("DAGSTER_HOME")
    return Path(home) / DB_FILE_NAME if home else Path(DB_FILE_NAME)


@dataclass(frozen=True)
class PinnedBaseline:
    dataset: str
    profile_id: int
    pinned_at: datetime
    pinned_by: str
    reason: str | None


@dataclass(frozen=True)
class StoredCheckResult:
    """One row of check history, as the CLI and the alerts read it back."""

    result_id: int
    evaluated_at: datetime
    run_id: str | None
    dataset: str
    asset_key: str
    check_name: str
    passed: bool
    severity: str | None
    description: str
    profile_id: int
    baseline_strategy: str
    baseline_profile_ids: tuple[int, ...]
    metrics: dict[str, Any]
    columns: list[dict[str, Any]]
    thresholds: dict[str, Any]


class DriftStore:
    """``target``: a DuckDB file path or a ``postgresql://`` URL. ``lock_timeout``:
    how long to wait for the file lock (DuckDB) or for a connection (Postgres)."""

    def __init__(self, target: str | Path, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT_S):
        self.target = StoreTarget.parse(target)
        self.lock_timeout = lock_timeout
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
        with open_connection(self.target, lock_timeout=self.lock_timeout) as conn:
            if not self._migrated:
                migrate(conn)
                self._migrated = True
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
    ) -> DatasetProfile:
        """Store a profile and the results of checking it, all or nothing; return
        the profile with its new ``profile_id``. ``pin_as_baseline`` also pins it
        (the first profile of a dataset whose strategy is ``pinned``)."""
        baseline_ids = _baseline_ids(baseline)
        evaluated_at = datetime.now(UTC)
        with self.transaction() as conn:
            (profile_id,) = conn.execute(
                """
                INSERT INTO profiles (dataset, asset_key, run_id, profiled_at, row_count,
                                      column_count, profile)
                VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING profile_id
                """,
                [
                    profile.dataset,
                    asset_key,
                    run_id,
                    profile.profiled_at,
                    profile.row_count,
                    len(profile.columns),
                    json.dumps(_without_reference_counts(profile).to_dict()),
                ],
            ).fetchone()
            conn.executemany(
                """
                INSERT INTO check_results (evaluated_at, run_id, dataset, asset_key, check_name,
                    passed, severity, description, profile_id, baseline_strategy,
                    baseline_profile_ids, metrics, columns, thresholds)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    [
                        evaluated_at,
                        run_id,
                        profile.dataset,
                        asset_key,
                        outcome.check,
                        outcome.passed,
                        outcome.severity.value if outcome.severity else None,
                        outcome.description,
                        profile_id,
                        baseline_strategy,
                        baseline_ids,
                        json.dumps(outcome.metrics),
                        json.dumps([f.to_dict() for f in outcome.columns], default=str),
                        json.dumps(outcome.thresholds, default=str),
                    ]
                    for outcome in outcomes
                ],
            )
            if pin_as_baseline:
                _pin(
                    conn, profile.dataset, profile_id, "drift_assets", evaluated_at, "first profile"
                )
        return replace(profile, profile_id=profile_id)

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

    def recent_profiles(self, dataset: str, limit: int) -> list[DatasetProfile]:
        """The dataset's last ``limit`` profiles, newest first."""
        with self.connection() as conn:
            rows = conn.execute(
                "SELECT profile_id, profile FROM profiles WHERE dataset = ?"
                " ORDER BY profile_id DESC LIMIT ?",
                [dataset, limit],
            ).fetchall()
        return [_profile_from_row(pid, doc) for pid, doc in rows]

    def baseline_profiles(self, dataset: str, limit: int) -> list[DatasetProfile]:
        """The dataset's last ``limit`` profiles that may be a baseline, newest first.

        A profile may be a baseline when every check of its evaluation passed, or a
        person accepted it, or it is the dataset's first (it recorded the
        baseline). A failed check at any severity (WARN, ERROR, or a check that
        could not be evaluated) keeps its profile out, so a lasting change keeps
        failing until it is accepted. Nothing older than the accepted profile
        counts. Pass or fail is read from the profile's own ``check_results``
        rows, so stores written before this rule need no migration.
        """
        with self.connection() as conn:
            accepted = _accepted(conn, dataset)
            rows = conn.execute(
                """
                SELECT profile_id, profile FROM profiles
                WHERE dataset = $dataset AND profile_id >= coalesce($accepted, 0)
                  AND (profile_id = $accepted
                       OR profile_id = (SELECT min(profile_id) FROM profiles
                                        WHERE dataset = $dataset)
                       OR profile_id NOT IN (SELECT profile_id FROM check_results
                                             WHERE dataset = $dataset AND NOT passed))
                ORDER BY profile_id DESC LIMIT $limit
                """,
                {"dataset": dataset, "accepted": accepted, "limit": limit},
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
    ) -> list[StoredCheckResult]:
        """Check results, newest first, filtered by what is given."""
        clauses, params = ["TRUE"], []
        if dataset is not None:
            clauses.append("dataset = ?")
            params.append(dataset)
        if check is not None:
            clauses.append("check_name = ?")
            params.append(check)
        if since is not None:
            clauses.append("evaluated_at >= ?")
            params.append(since)
        if failed_only:
            clauses.append("NOT passed")
        sql = f"SELECT {_RESULT_COLUMNS} FROM check_results WHERE {' AND '.join(clauses)}"
        sql += " ORDER BY result_id DESC"
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        with self.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [_result_from_row(row) for row in rows]

    def datasets(self) -> list[str]:
        with self.connection() as conn:
            rows = conn.execute("SELECT DISTINCT dataset FROM profiles ORDER BY 1").fetchall()
        return [r[0] for r in rows]


_RESULT_COLUMNS = (
    "result_id, evaluated_at, run_id, dataset, asset_key, check_name, passed, severity,"
    " description, profile_id, baseline_strategy, baseline_profile_ids, metrics, columns,"
    " thresholds"
)


def _result_from_row(row: tuple[Any, ...]) -> StoredCheckResult:
    *head, baseline_ids, metrics, columns, thresholds = row
    return StoredCheckResult(
        *head,
        baseline_profile_ids=tuple(baseline_ids),
        metrics=json.loads(metrics),
        columns=json.loads(columns),
        thresholds=json.loads(thresholds),
    )


def _profile_from_row(profile_id: int, document: str) -> DatasetProfile:
    return replace(DatasetProfile.from_dict(json.loads(document)), profile_id=profile_id)


def _baseline_ids(baseline: DatasetProfile | None) -> list[int]:
    if baseline is None:
        return []
    if baseline.pooled_from:
        return list(baseline.pooled_from)
    return [baseline.profile_id] if baseline.profile_id is not None else []


def _without_reference_counts(profile: DatasetProfile) -> DatasetProfile:
    columns = []
    for column in profile.columns:
        numeric, categorical = column.numeric, column.categorical
        if isinstance(numeric, NumericSummary):
            numeric = replace(numeric, reference_counts=None)
        if isinstance(categorical, CategoricalSummary):
            categorical = replace(categorical, reference_counts=None)
        columns.append(replace(column, numeric=numeric, categorical=categorical))
    return replace(profile, columns=tuple(columns))


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


def _accepted(conn, dataset) -> int | None:
    row = conn.execute(
        "SELECT profile_id FROM baseline_events WHERE dataset = ? AND action = 'accept'"
        " ORDER BY event_id DESC LIMIT 1",
        [dataset],
    ).fetchone()
    return row[0] if row else None


def _audit(conn, dataset, action, profile_id, actor, at, reason) -> None:
    conn.execute(
        "INSERT INTO baseline_events (dataset, action, profile_id, actor, acted_at, reason)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [dataset, action, profile_id, actor, at, reason],
    )
