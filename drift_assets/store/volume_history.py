"""The row counts of a dataset's healthy batches: the history ``row_count`` judges a
batch against (a baseline profile says nothing about what volume is usual)."""

from __future__ import annotations

from datetime import datetime

from drift_assets.checks.outcome import ROW_COUNT
from drift_assets.checks.row_count import BatchVolume
from drift_assets.settings.times import as_utc
from drift_assets.store.drift_store import DriftStore


def healthy_volumes(
    store: DriftStore, dataset: str, limit: int, *, before: datetime | None = None
) -> list[BatchVolume]:
    """The dataset's last ``limit`` healthy batches, newest first. With ``before``
    (a time-window partition's start): the current profiles of the partitions
    that start earlier, nearest first and dated by their start, whatever order
    they arrived in, so a backfill judges each day as it would have on time.

    Healthy means the batch's ``row_count`` check did not fail, or a person
    accepted the batch: a volume drop that keeps failing never becomes the usual
    volume, so it keeps failing until it is accepted (the rule baselines follow).
    Accepting a batch whose row count failed makes its volume the new normal: the
    history restarts at it, and the check learns again from there. An accept for
    another check's sake keeps the history. Batches stored before this check
    existed have no ``row_count`` result and count as healthy, so an existing
    store judges volume from its first new batch on.
    """
    with store.connection() as conn:
        rows = conn.execute(
            """
            WITH failed AS (
                SELECT DISTINCT profile_id FROM check_results
                WHERE dataset = $dataset AND check_name = $check AND NOT passed
            ), accepted AS (
                SELECT event_id, profile_id FROM baseline_events
                WHERE dataset = $dataset AND action = 'accept'
            ), restart AS (
                SELECT profile_id FROM accepted
                WHERE profile_id IN (SELECT profile_id FROM failed)
                ORDER BY event_id DESC LIMIT 1
            )
            SELECT profile_id, row_count, {at} FROM profiles
            WHERE dataset = $dataset
              AND profile_id >= coalesce((SELECT profile_id FROM restart), 0)
              AND (profile_id IN (SELECT profile_id FROM accepted)
                   OR profile_id NOT IN (SELECT profile_id FROM failed))
              {partitions}
            ORDER BY {at} DESC, profile_id DESC LIMIT $limit
            """.format(
                at="partition_start" if before is not None else "profiled_at",
                partitions=""
                if before is None
                else "AND superseded_by IS NULL AND partition_start < $before",
            ),
            {
                "dataset": dataset,
                "check": ROW_COUNT,
                "limit": limit,
                **({"before": before} if before is not None else {}),
            },
        ).fetchall()
    return [BatchVolume(count, as_utc(at), pid) for pid, count, at in rows]
