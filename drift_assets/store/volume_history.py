"""The row counts of a dataset's healthy batches: the history ``row_count`` judges a
batch against (a baseline profile says nothing about what volume is usual)."""

from __future__ import annotations

from drift_assets.checks.outcome import ROW_COUNT
from drift_assets.checks.row_count import BatchVolume
from drift_assets.settings.times import as_utc
from drift_assets.store.drift_store import DriftStore


def healthy_volumes(store: DriftStore, dataset: str, limit: int) -> list[BatchVolume]:
    """The dataset's last ``limit`` healthy batches, newest first.

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
            SELECT profile_id, row_count, profiled_at FROM profiles
            WHERE dataset = $dataset
              AND profile_id >= coalesce((SELECT profile_id FROM restart), 0)
              AND (profile_id IN (SELECT profile_id FROM accepted)
                   OR profile_id NOT IN (SELECT profile_id FROM failed))
            ORDER BY profile_id DESC LIMIT $limit
            """,
            {"dataset": dataset, "check": ROW_COUNT, "limit": limit},
        ).fetchall()
    return [BatchVolume(count, as_utc(at), pid) for pid, count, at in rows]
