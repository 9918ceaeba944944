"""The alert outbox and alert state in the drift store: every routing decision is
written here before anything is sent, a row is claimed by one sender at a time,
and it is marked delivered only after Slack said ok."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Collection, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from drift_assets.alerts.events import CheckEvent
from drift_assets.alerts.router import (
    AlertState,
    Entry,
    HeldAlert,
    Kind,
    Memory,
    Routing,
    Status,
)
from drift_assets.settings.severity import Severity
from drift_assets.store import DriftStore
from drift_assets.store.backends import StoreConnection

_COUNTED = (Status.PENDING, Status.DELIVERED, Status.DEAD, Status.DRY_RUN)


@dataclass(frozen=True)
class OutboxRow:
    outbox_id: int
    key: str
    kind: Kind
    status: Status
    reason: str | None
    severity: Severity
    channel: str
    asset_key: str | None
    check_name: str | None
    run_id: str | None
    thread_key: str | None
    facts: dict[str, Any]
    created_at: datetime
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    slack_channel: str | None
    slack_ts: str | None
    sink: str

    @property
    def event(self) -> CheckEvent | None:
        data = self.facts.get("event")
        return CheckEvent.from_dict(data) if data else None

    @property
    def mentions(self) -> tuple[str, ...]:
        return tuple(self.facts.get("mentions", ()))

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(self.facts.get("owners", ()))

    @property
    def covers(self) -> tuple[HeldAlert, ...]:
        return tuple(_held(h) for h in self.facts.get("covers", ()))


_ROW_COLUMNS = (
    "outbox_id, idempotency_key, kind, status, reason, severity, channel, asset_key, check_name,"
    " run_id, thread_key, facts, created_at, attempts, next_attempt_at, delivered_at,"
    " slack_channel, slack_ts, coalesce(sink, 'slack')"
)
_STATE_COLUMNS = (
    "asset_key, check_name, firing, severity, since, last_failed_at, last_notified_at, failures,"
    " root_key, acknowledged_at, acknowledged_by, snoozed_until, snoozed_by, escalated_at,"
    " reminded_for"
)


class Outbox:
    def __init__(self, store: DriftStore):
        self.store = store

    # -- routing ---------------------------------------------------------------

    def known(self, keys: list[str]) -> set[str]:
        """Which of these idempotency keys are already in the outbox."""
        if not keys:
            return set()
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT idempotency_key FROM alert_outbox WHERE idempotency_key = ANY(?)",
                [keys],
            ).fetchall()
        return {r[0] for r in rows}

    def memory(self, now: datetime, window: timedelta) -> Memory:
        """What the router needs: alert states and the outbox of the current window."""
        with self.store.connection() as conn:
            states = conn.execute(f"SELECT {_STATE_COLUMNS} FROM alert_state").fetchall()
            sent = conn.execute(
                "SELECT asset_key, channel, created_at FROM alert_outbox"
                " WHERE kind IN ('alert', 'repeat') AND status = ANY(?)"
                " AND created_at > ?",
                [list(_COUNTED), now - window],
            ).fetchall()
            digests = conn.execute(
                "SELECT channel, max(created_at) FROM alert_outbox WHERE kind = 'digest'"
                " GROUP BY channel"
            ).fetchall()
            held = conn.execute(
                "SELECT channel, idempotency_key, asset_key, check_name, severity, run_id, facts,"
                " coalesce(sink, 'slack') FROM alert_outbox"
                " WHERE held AND digest_key IS NULL ORDER BY outbox_id"
            ).fetchall()
            roots = conn.execute(
                "SELECT o.idempotency_key, o.facts FROM alert_state s"
                " JOIN alert_outbox o ON o.idempotency_key = s.root_key WHERE s.firing"
            ).fetchall()
        by_asset: dict[str, list[datetime]] = defaultdict(list)
        by_channel: dict[str, list[datetime]] = defaultdict(list)
        for asset, channel, at in sent:
            by_asset[asset].append(at)
            by_channel[channel].append(at)
        waiting: dict[str, list[HeldAlert]] = defaultdict(list)
        for channel, key, asset, check, severity, run_id, facts, sink in held:
            data = json.loads(facts)
            description = data["event"].get("description")
            owners = tuple(data.get("owners", ()))
            waiting[channel].append(
                HeldAlert(key, asset, check, Severity(severity), run_id, description, owners, sink)
            )
        return Memory(
            states={(s.asset_key, s.check_name): s for s in map(_state_from_row, states)},
            sent_by_asset=dict(by_asset),
            sent_by_channel=dict(by_channel),
            last_digest_at=dict(digests),
            held=dict(waiting),
            root_events={k: CheckEvent.from_dict(json.loads(f)["event"]) for k, f in roots},
        )

    def record(self, routing: Routing, *, dry_run: bool | Collection[str] = False) -> int:
        """Write the decisions and new states in one transaction; return how many
        rows were new (replayed keys are skipped). ``dry_run``: True, or the sinks
        that are not configured; their rows are recorded as ``dry_run``."""
        written = 0
        with self.store.transaction() as conn:
            for entry in routing.entries:
                idle = dry_run is True or (dry_run is not False and entry.sink in dry_run)
                status = Status.DRY_RUN if idle and entry.status is Status.PENDING else entry.status
                inserted = conn.execute(
                    """
                    INSERT INTO alert_outbox (idempotency_key, kind, status, reason, severity,
                        channel, asset_key, check_name, run_id, thread_key, held, facts,
                        created_at, sink)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT DO NOTHING RETURNING outbox_id
                    """,
                    [
                        entry.key,
                        entry.kind.value,
                        status.value,
                        entry.reason,
                        entry.severity.value,
                        entry.channel,
                        entry.event.asset_key if entry.event else None,
                        entry.event.check_name if entry.event else None,
                        entry.event.run_id if entry.event else None,
                        entry.thread_key,
                        entry.held,
                        json.dumps(_facts(entry)),
                        entry.created_at,
                        entry.sink,
                    ],
                ).fetchall()
                written += len(inserted)
                if entry.kind is Kind.DIGEST and inserted:
                    conn.execute(
                        "UPDATE alert_outbox SET digest_key = ? WHERE idempotency_key = ANY(?)",
                        [entry.key, [h.key for h in entry.covers]],
                    )
            for state in routing.states:
                conn.execute(
                    f"""
                    INSERT INTO alert_state ({_STATE_COLUMNS}, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
                    ON CONFLICT (asset_key, check_name) DO UPDATE SET
                        firing = excluded.firing, severity = excluded.severity,
                        since = excluded.since, last_failed_at = excluded.last_failed_at,
                        last_notified_at = excluded.last_notified_at,
                        failures = excluded.failures, root_key = excluded.root_key,
                        escalated_at = excluded.escalated_at,
                        reminded_for = excluded.reminded_for,
                        -- people acknowledge concurrently: keep theirs, clear on resolve
                        acknowledged_at = CASE WHEN excluded.firing
                            THEN alert_state.acknowledged_at END,
                        acknowledged_by = CASE WHEN excluded.firing
                            THEN alert_state.acknowledged_by END,
                        updated_at = excluded.updated_at
                    """,
                    _state_params(state),
                )
        return written

    # -- delivery --------------------------------------------------------------

    def pending(self) -> list[OutboxRow]:
        """Rows still to send, oldest first (due or not: pacing keeps channel order)."""
        return self._rows("status = 'pending' ORDER BY outbox_id", [])

    def by_key(self, key: str) -> OutboxRow | None:
        rows = self._rows("idempotency_key = ?", [key])
        return rows[0] if rows else None

    def state(self, asset_key: str, check_name: str) -> AlertState | None:
        with self.store.connection() as conn:
            row = conn.execute(
                f"SELECT {_STATE_COLUMNS} FROM alert_state WHERE asset_key = ? AND check_name = ?",
                [asset_key, check_name],
            ).fetchone()
        return _state_from_row(row) if row else None

    @contextmanager
    def claim(self, outbox_id: int) -> Iterator[Claim | None]:
        """The right to send one pending row, or None when another sender has it
        (or has sent it). On Postgres, routers on several hosts drain one outbox:
        the row stays locked (``FOR UPDATE SKIP LOCKED``) until its outcome is
        written, so no two of them send it. On DuckDB the file lock already
        admits one process at a time, and holding it during a Slack call would
        stall run steps, so the claim holds nothing and outcomes are written in
        short transactions of their own."""
        if not self.store.shared:
            yield Claim(self, outbox_id, None)
            return
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT outbox_id FROM alert_outbox WHERE outbox_id = ? AND status = 'pending'"
                " FOR UPDATE SKIP LOCKED",
                [outbox_id],
            ).fetchone()
            yield Claim(self, outbox_id, conn) if row else None

    def mark_delivered(
        self, outbox_id: int, at: datetime, slack_channel: str | None, ts: str | None
    ) -> None:
        self._update(outbox_id, _DELIVERED, [at, slack_channel, ts])

    def mark_suppressed(self, outbox_id: int, reason: str) -> None:
        self._update(outbox_id, "status = 'suppressed', reason = ?", [reason])

    def last_sent(self, since: datetime) -> dict[tuple[str, str], datetime]:
        """When each (sink, channel) last got a message after ``since``: pacing holds
        across ticks (older posts cannot make anyone wait)."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT coalesce(sink, 'slack'), channel, max(delivered_at) FROM alert_outbox"
                " WHERE delivered_at > ? GROUP BY 1, 2",
                [since],
            ).fetchall()
        return {(sink, channel): at for sink, channel, at in rows}

    def mark_retry(self, outbox_id: int, next_at: datetime, reason: str) -> None:
        self._update(outbox_id, _RETRY, [next_at, reason])

    def mark_dead(self, outbox_id: int, reason: str) -> None:
        self._update(outbox_id, _DEAD, [reason])

    # -- reading ---------------------------------------------------------------

    def rows(
        self, *, status: str | None = None, since: datetime | None = None, limit: int = 200
    ) -> list[OutboxRow]:
        """Outbox rows, newest first."""
        clauses, params = ["TRUE"], []
        if status:
            clauses.append("status = ?")
            params.append(status)
        if since:
            clauses.append("created_at >= ?")
            params.append(since)
        params.append(limit)
        return self._rows(f"{' AND '.join(clauses)} ORDER BY outbox_id DESC LIMIT ?", params)

    def oldest_pending(self) -> datetime | None:
        with self.store.connection() as conn:
            (oldest,) = conn.execute(
                "SELECT min(created_at) FROM alert_outbox WHERE status = 'pending'"
            ).fetchone()
        return oldest

    def _rows(self, where: str, params: list[Any]) -> list[OutboxRow]:
        with self.store.connection() as conn:
            rows = conn.execute(
                f"SELECT {_ROW_COLUMNS} FROM alert_outbox WHERE {where}", params
            ).fetchall()
        return [_row(r) for r in rows]

    def _update(
        self,
        outbox_id: int,
        assignments: str,
        params: list[Any],
        conn: StoreConnection | None = None,
    ) -> None:
        sql = f"UPDATE alert_outbox SET {assignments} WHERE outbox_id = ?"
        if conn is not None:
            conn.execute(sql, [*params, outbox_id])
            return
        with self.store.transaction() as own:
            own.execute(sql, [*params, outbox_id])


_DELIVERED = (
    "status = 'delivered', delivered_at = ?, slack_channel = ?, slack_ts = ?,"
    " attempts = attempts + 1, next_attempt_at = NULL"
)
_RETRY = "attempts = attempts + 1, next_attempt_at = ?, reason = ?"
_DEAD = "status = 'dead', attempts = attempts + 1, reason = ?"


@dataclass(frozen=True)
class Claim:
    """One row a sender holds: its outcome is written inside the claim."""

    outbox: Outbox
    outbox_id: int
    conn: StoreConnection | None  # the locking transaction (Postgres), else None

    def mark_delivered(self, at: datetime, slack_channel: str | None, ts: str | None) -> None:
        self.outbox._update(self.outbox_id, _DELIVERED, [at, slack_channel, ts], self.conn)

    def mark_retry(self, next_at: datetime, reason: str) -> None:
        self.outbox._update(self.outbox_id, _RETRY, [next_at, reason], self.conn)

    def mark_dead(self, reason: str) -> None:
        self.outbox._update(self.outbox_id, _DEAD, [reason], self.conn)


def _facts(entry: Entry) -> dict[str, Any]:
    if entry.kind is Kind.DIGEST:
        return {"covers": [{**vars(h), "severity": h.severity.value} for h in entry.covers]}
    assert entry.event is not None
    facts = {
        "event": entry.event.to_dict(),
        "mentions": list(entry.mentions),
        "owners": list(entry.owners),
    }
    if entry.kind in (Kind.ESCALATION, Kind.REMINDER):
        # why it is sent, kept apart from `reason`, which retries overwrite with errors
        facts["note"] = entry.reason
    return facts


def _held(data: dict[str, Any]) -> HeldAlert:
    return HeldAlert(
        **{**data, "severity": Severity(data["severity"]), "owners": tuple(data.get("owners", ()))}
    )


def _row(row: tuple[Any, ...]) -> OutboxRow:
    (
        oid,
        key,
        kind,
        status,
        reason,
        severity,
        channel,
        asset,
        check,
        run_id,
        thread_key,
        facts,
        *rest,
    ) = row
    return OutboxRow(
        oid,
        key,
        Kind(kind),
        Status(status),
        reason,
        Severity(severity),
        channel,
        asset,
        check,
        run_id,
        thread_key,
        json.loads(facts),
        *rest,
    )


def _state_from_row(row: tuple[Any, ...]) -> AlertState:
    values = list(row)
    values[3] = Severity(values[3]) if values[3] else None
    return AlertState(*values)


def _state_params(state: AlertState) -> list[Any]:
    return [
        state.asset_key,
        state.check_name,
        state.firing,
        state.severity.value if state.severity else None,
        state.since,
        state.last_failed_at,
        state.last_notified_at,
        state.failures,
        state.root_key,
        state.acknowledged_at,
        state.acknowledged_by,
        state.snoozed_until,
        state.snoozed_by,
        state.escalated_at,
        state.reminded_for,
    ]
