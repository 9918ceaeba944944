"""Time-window partitions in the store: baselines in partition order, not arrival
order, and which partitions' stored verdicts rest on which baseline.

A time-window partition has one current profile (``superseded_by IS NULL``); a
re-materialization replaces it. A partition may be a baseline when its current
evaluation passed, a person accepted it, or it is the earliest partition stored
(it recorded the baseline); nothing from before the nearest earlier accepted
partition counts.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime

from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.partitions import Partition


@dataclass(frozen=True)
class PartitionState:
    """A stored partition's current evaluation and the profiles it was compared with."""

    partition: Partition
    profile_id: int
    baseline_profile_ids: tuple[int, ...]


class PartitionHistory:
    def __init__(self, store):
        self.store = store  # a DriftStore

    def baselines(
        self,
        dataset: str,
        before: datetime,
        *,
        limit: int | None = 1,
        since: datetime | None = None,
        healthy_only: bool = True,
    ) -> list[tuple[DatasetProfile, Partition]]:
        """The current profiles of the partitions that start before ``before`` (and
        not before ``since``), nearest first: only those that may be a baseline
        unless ``healthy_only`` is false (the ``latest`` strategy)."""
        health = (
            """
              AND (profile_id IN (SELECT profile_id FROM accepted)
                   OR partition_start = (SELECT min(partition_start) FROM current)
                   OR profile_id NOT IN (SELECT profile_id FROM check_results
                                         WHERE dataset = $dataset AND NOT passed))"""
            if healthy_only
            else ""
        )
        sql = f"""
            WITH current AS (
                SELECT profile_id, profile, partition_key, partition_start, partition_end
                FROM profiles
                WHERE dataset = $dataset AND superseded_by IS NULL
                  AND partition_start IS NOT NULL),
            accepted AS (
                SELECT DISTINCT profile_id FROM baseline_events
                WHERE dataset = $dataset AND action = 'accept'),
            floor AS (
                SELECT max(partition_start) AS start FROM current
                WHERE partition_start < $before
                  AND profile_id IN (SELECT profile_id FROM accepted))
            SELECT profile_id, profile, partition_key, partition_start, partition_end
            FROM current
            WHERE partition_start < $before
              AND (CAST($since AS TIMESTAMPTZ) IS NULL OR partition_start >= $since)
              AND ((SELECT start FROM floor) IS NULL
                   OR partition_start >= (SELECT start FROM floor)){health}
            ORDER BY partition_start DESC
            {"LIMIT $limit" if limit is not None else ""}
        """
        params = {"dataset": dataset, "before": before, "since": since}
        if limit is not None:
            params["limit"] = limit
        with self.store.connection() as conn:
            rows = conn.execute(sql, params).fetchall()
        return [
            (
                replace(DatasetProfile.from_dict(json.loads(doc)), profile_id=pid),
                Partition(key, start, end),
            )
            for pid, doc, key, start, end in rows
        ]

    def current(
        self, dataset: str, *, key: str | None = None, limit: int = 1
    ) -> list[tuple[DatasetProfile, Partition]]:
        """The dataset's current partition profiles (of ``key`` when given), the
        latest partition first: by time window, else by arrival."""
        keyed = " AND partition_key = ?" if key is not None else ""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT profile_id, profile, partition_key, partition_start, partition_end"
                f" FROM profiles WHERE dataset = ? AND partition_key IS NOT NULL{keyed}"
                " AND superseded_by IS NULL"
                " ORDER BY partition_start DESC NULLS LAST, profile_id DESC LIMIT ?",
                [dataset, *([key] if keyed else []), limit],
            ).fetchall()
        return [
            (
                replace(DatasetProfile.from_dict(json.loads(doc)), profile_id=pid),
                Partition(pkey, start, end),
            )
            for pid, doc, pkey, start, end in rows
        ]

    def states(self, dataset: str, since: datetime) -> list[PartitionState]:
        """The stored partitions starting at or after ``since``, in partition order."""
        with self.store.connection() as conn:
            rows = conn.execute(
                """
                SELECT p.partition_key, p.partition_start, p.partition_end, p.profile_id,
                       (SELECT min(r.baseline_profile_ids) FROM check_results r
                        WHERE r.profile_id = p.profile_id)
                FROM profiles p
                WHERE p.dataset = ? AND p.superseded_by IS NULL AND p.partition_start >= ?
                ORDER BY p.partition_start
                """,
                [dataset, since],
            ).fetchall()
        return [
            PartitionState(Partition(key, start, end), pid, tuple(ids or ()))
            for key, start, end, pid, ids in rows
        ]


def supersede(conn, dataset: str, key: str, profile_id: int, at: datetime) -> None:
    """The partition's earlier current profile and its results give way to
    ``profile_id`` (inside the transaction that stores it)."""
    replaced = conn.execute(
        "UPDATE profiles SET superseded_by = ? WHERE dataset = ? AND partition_key = ?"
        " AND superseded_by IS NULL AND profile_id <> ? RETURNING profile_id",
        [profile_id, dataset, key, profile_id],
    ).fetchall()
    if replaced:
        conn.execute(
            "UPDATE check_results SET superseded_at = ? WHERE profile_id = ANY(?)",
            [at, [r[0] for r in replaced]],
        )
