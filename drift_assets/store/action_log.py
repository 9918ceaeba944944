"""Applying people's actions to the drift store: the alert class's state or the
dataset's baseline changes, and one audit row says who did what, when, on which
alert. One row per request id, so a request applied once is never applied again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from drift_assets.alerts.actions import (
    Action,
    Transition,
    accept_refusal,
    acknowledge,
    snooze,
    unsnooze,
)
from drift_assets.alerts.router import AlertState, Kind
from drift_assets.settings.times import when
from drift_assets.store import DriftStore
from drift_assets.store.outbox import Outbox, OutboxRow


class ActionError(ValueError):
    """The action cannot apply to what was named (no such alert, a digest, ...)."""


@dataclass(frozen=True)
class ActionRequest:
    request_id: str  # slack:<timestamp>:<signature> or cli:<uuid>
    source: str  # slack | cli
    action: Action
    actor: str  # slack:<name> | cli:<login>
    at: datetime
    actor_id: str | None = None  # the Slack user id
    snooze_until: datetime | None = None


@dataclass(frozen=True)
class Applied:
    changed: bool
    summary: str
    duplicate: bool = False  # this request id was applied before: nothing done now
    alert: OutboxRow | None = None
    state: AlertState | None = None  # the alert class after the action
    dataset: str | None = None
    profile_id: int | None = None  # accept_baseline: the profile accepted


@dataclass(frozen=True)
class AuditRow:
    action_id: int
    acted_at: datetime
    source: str
    action: str
    actor: str
    asset_key: str | None
    check_name: str | None
    dataset: str | None
    alert_key: str | None
    changed: bool
    summary: str


_DUPLICATE = "this request was already handled"
_TRANSITIONS = {
    Action.ACKNOWLEDGE: lambda state, r: acknowledge(state, r.actor, r.at),
    Action.SNOOZE: lambda state, r: snooze(state, r.actor, r.at, r.snooze_until),
    Action.UNSNOOZE: lambda state, r: unsnooze(state, r.actor, r.at),
}


class ActionLog:
    def __init__(self, store: DriftStore):
        self.store = store
        self.outbox = Outbox(store)

    def alert(self, *, key: str | None = None, outbox_id: int | None = None) -> OutboxRow:
        """The outbox row an action names, by its key (Slack) or its id (the CLI)."""
        if key is None:
            with self.store.connection() as conn:
                row = conn.execute(
                    "SELECT idempotency_key FROM alert_outbox WHERE outbox_id = ?", [outbox_id]
                ).fetchone()
            key = row[0] if row else None
        row = self.outbox.by_key(key) if key is not None else None
        if row is None:
            raise ActionError(
                f"no alert #{outbox_id}" if outbox_id is not None else "no such alert"
            )
        if row.kind is Kind.DIGEST:
            covered = ", ".join(h.key for h in row.covers[:5])
            raise ActionError(
                f"alert #{row.outbox_id} is a digest; act on the alerts it lists ({covered})"
            )
        return row

    def apply(self, request: ActionRequest, alert: OutboxRow) -> Applied:
        """Apply an action to the alert's class (or, to accept, its dataset's baseline)."""
        if request.action is Action.ACCEPT_BASELINE:
            refusal = accept_refusal(self.state_of(alert), alert.key, alert.thread_key)
            if refusal is not None:
                raise ActionError(refusal)
            dataset, profile_id = self._failed_profile(alert)
            return self.accept(request, dataset, profile_id, alert=alert)
        with self.store.transaction() as conn:
            state = _state(conn, alert.asset_key, alert.check_name)
            transition: Transition = _TRANSITIONS[request.action](state, request)
            snoozed_until = transition.state.snoozed_until
            new = _audit(
                conn,
                request,
                alert=alert,
                changed=transition.changed,
                summary=transition.summary,
                snoozed_until=snoozed_until if request.action is Action.SNOOZE else None,
            )
            if not new:
                return Applied(False, _DUPLICATE, duplicate=True, alert=alert)
            if transition.changed:
                _write_state(conn, transition.state, request.at)
        # The whole stored state (failing since, failures ...) for the message.
        state = self.state_of(alert) or transition.state
        return Applied(transition.changed, transition.summary, alert=alert, state=state)

    def accept(
        self,
        request: ActionRequest,
        dataset: str,
        profile_id: int,
        *,
        alert: OutboxRow | None = None,
        reason: str | None = None,
    ) -> Applied:
        """Accept ``profile_id`` as ``dataset``'s new baseline (see ``DriftStore.accept``)."""
        if self._seen(request.request_id):
            return Applied(False, _DUPLICATE, duplicate=True, alert=alert)
        if reason is None:
            reason = f"accepted from alert {alert.key}" if alert else "accepted from the CLI"
        changed = self.store.accept(dataset, profile_id, actor=request.actor, reason=reason)
        summary = (
            f"profile #{profile_id} accepted as the new baseline of {dataset}"
            f" by {request.actor} at {when(request.at)}"
            if changed
            else f"profile #{profile_id} already is the accepted baseline of {dataset}"
        )
        with self.store.transaction() as conn:
            _audit(
                conn,
                request,
                alert=alert,
                changed=changed,
                summary=summary,
                dataset=dataset,
                profile_id=profile_id,
            )
        state = self.state_of(alert) if alert else None
        return Applied(
            changed, summary, alert=alert, state=state, dataset=dataset, profile_id=profile_id
        )

    def state_of(self, alert: OutboxRow) -> AlertState | None:
        return self.outbox.state(alert.asset_key, alert.check_name)

    def states(self) -> list[tuple[AlertState, int | None]]:
        """The alert classes people may want to act on (failing or snoozed), each with
        the id of its episode's first message (what `alerts ack ID` takes)."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT s.asset_key, s.check_name, s.firing, s.since, s.acknowledged_at,"
                " s.acknowledged_by, s.snoozed_until, s.snoozed_by, o.outbox_id"
                " FROM alert_state s LEFT JOIN alert_outbox o ON o.idempotency_key = s.root_key"
                " WHERE s.firing OR s.snoozed_until IS NOT NULL ORDER BY 1, 2"
            ).fetchall()
        return [
            (
                AlertState(
                    asset,
                    check,
                    firing=firing,
                    since=since,
                    acknowledged_at=ack_at,
                    acknowledged_by=ack_by,
                    snoozed_until=until,
                    snoozed_by=by,
                ),
                outbox_id,
            )
            for asset, check, firing, since, ack_at, ack_by, until, by, outbox_id in rows
        ]

    def trail(self, *, limit: int = 50) -> list[AuditRow]:
        """The audit trail, newest first."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT action_id, acted_at, source, action, actor, asset_key, check_name,"
                " dataset, alert_key, changed, summary FROM alert_actions"
                " ORDER BY action_id DESC LIMIT ?",
                [limit],
            ).fetchall()
        return [AuditRow(*r) for r in rows]

    def slack_requests_since(self, since: datetime) -> list[str]:
        """Request ids of Slack actions applied since ``since`` (seeds the replay guard)."""
        with self.store.connection() as conn:
            rows = conn.execute(
                "SELECT request_id FROM alert_actions WHERE source = 'slack' AND acted_at >= ?",
                [since],
            ).fetchall()
        return [r[0] for r in rows]

    def _seen(self, request_id: str) -> bool:
        with self.store.connection() as conn:
            return (
                conn.execute(
                    "SELECT 1 FROM alert_actions WHERE request_id = ?", [request_id]
                ).fetchone()
                is not None
            )

    def _failed_profile(self, alert: OutboxRow) -> tuple[str, int]:
        """The dataset and profile the alert's evaluation checked."""
        with self.store.connection() as conn:
            row = conn.execute(
                "SELECT dataset, profile_id FROM check_results"
                " WHERE run_id = ? AND asset_key = ? AND check_name = ?"
                " ORDER BY result_id DESC LIMIT 1",
                [alert.run_id, alert.asset_key, alert.check_name],
            ).fetchone()
        if row is None:
            raise ActionError(
                f"{alert.asset_key}/{alert.check_name} has no stored profile for run"
                f" {alert.run_id}: only drift_assets' own checks can accept a baseline"
            )
        return row


def _state(conn, asset_key: str, check_name: str) -> AlertState:
    row = conn.execute(
        "SELECT firing, acknowledged_at, acknowledged_by, snoozed_until, snoozed_by"
        " FROM alert_state WHERE asset_key = ? AND check_name = ?",
        [asset_key, check_name],
    ).fetchone()
    if row is None:
        return AlertState(asset_key, check_name)
    firing, ack_at, ack_by, until, by = row
    return AlertState(
        asset_key,
        check_name,
        firing=firing,
        acknowledged_at=ack_at,
        acknowledged_by=ack_by,
        snoozed_until=until,
        snoozed_by=by,
    )


def _write_state(conn, state: AlertState, at: datetime) -> None:
    # Only the columns people own; the router owns the rest and keeps these.
    conn.execute(
        """
        INSERT INTO alert_state (asset_key, check_name, firing, failures, acknowledged_at,
            acknowledged_by, snoozed_until, snoozed_by, updated_at)
        VALUES (?, ?, false, 0, ?, ?, ?, ?, ?)
        ON CONFLICT (asset_key, check_name) DO UPDATE SET
            acknowledged_at = excluded.acknowledged_at,
            acknowledged_by = excluded.acknowledged_by,
            snoozed_until = excluded.snoozed_until, snoozed_by = excluded.snoozed_by,
            updated_at = excluded.updated_at
        """,
        [
            state.asset_key,
            state.check_name,
            state.acknowledged_at,
            state.acknowledged_by,
            state.snoozed_until,
            state.snoozed_by,
            at,
        ],
    )


def _audit(
    conn,
    request: ActionRequest,
    *,
    alert: OutboxRow | None,
    changed: bool,
    summary: str,
    snoozed_until: datetime | None = None,
    dataset: str | None = None,
    profile_id: int | None = None,
) -> bool:
    values: dict[str, Any] = {
        "request_id": request.request_id,
        "source": request.source,
        "action": request.action.value,
        "alert_key": alert.key if alert else None,
        "asset_key": alert.asset_key if alert else None,
        "check_name": alert.check_name if alert else None,
        "dataset": dataset,
        "profile_id": profile_id,
        "snoozed_until": snoozed_until,
        "actor": request.actor,
        "actor_id": request.actor_id,
        "acted_at": request.at,
        "changed": changed,
        "summary": summary,
    }
    inserted = conn.execute(
        f"INSERT INTO alert_actions ({', '.join(values)})"
        f" VALUES ({', '.join('?' for _ in values)})"
        " ON CONFLICT (request_id) DO NOTHING RETURNING action_id",
        list(values.values()),
    ).fetchall()
    return bool(inserted)
