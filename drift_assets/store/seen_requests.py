"""The replay memory the Slack actions endpoints share through the store: a
request id is received once, by whichever instance gets it first."""

from __future__ import annotations

from datetime import datetime

from drift_assets.store import DriftStore


class SeenRequests:
    def __init__(self, store: DriftStore):
        self.store = store

    def first_time(self, request_id: str, at: datetime, *, forget_before: datetime) -> bool:
        """Remember ``request_id``; False when an instance already had it. Ids
        received before ``forget_before`` are forgotten (their timestamps are
        refused as stale anyway)."""
        with self.store.transaction() as conn:
            conn.execute("DELETE FROM seen_requests WHERE received_at < ?", [forget_before])
            inserted = conn.execute(
                "INSERT INTO seen_requests (request_id, received_at) VALUES (?, ?)"
                " ON CONFLICT (request_id) DO NOTHING RETURNING request_id",
                [request_id, at],
            ).fetchall()
        return bool(inserted)
