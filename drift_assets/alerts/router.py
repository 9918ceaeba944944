"""Routing policy: which check evaluations become messages, which are held back, and why.

A pure function of (new evaluations, stored alert state, the clock): no Dagster,
no network, no store. Every failure and every resolving pass becomes exactly one
outbox entry, sent (``pending``) or not (``suppressed`` with the reason), so the
outbox tells the whole story and replays of the same evaluation are no-ops.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from drift_assets.alerts.events import CheckEvent
from drift_assets.settings.alert_routes import AlertsConfig, ResolvedRoute
from drift_assets.settings.severity import Severity
from drift_assets.settings.times import show_duration, when

AlertClass = tuple[str, str]  # (asset key, check name)


class Kind(StrEnum):
    ALERT = "alert"  # the first message of a failure episode
    REPEAT = "repeat"  # still failing, in the first message's thread
    RESOLVED = "resolved"  # the first pass after an announced failure, in the thread
    DIGEST = "digest"  # what the limits held back, one per channel and window


class Status(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    DEAD = "dead"
    SUPPRESSED = "suppressed"
    DRY_RUN = "dry_run"


@dataclass(frozen=True)
class AlertState:
    """What the router remembers about one alert class between ticks.

    ``acknowledged_*`` and ``snoozed_*`` are set by people (Slack buttons, CLI)
    and honoured here: an acknowledged class is not repeated until it resolves; a
    snoozed one sends nothing until the time passes.
    """

    asset_key: str
    check_name: str
    firing: bool = False
    severity: Severity | None = None  # the worst of this episode
    since: datetime | None = None
    last_failed_at: datetime | None = None
    last_notified_at: datetime | None = None
    failures: int = 0
    root_key: str | None = None  # the episode's first sent message; replies thread under it
    acknowledged_at: datetime | None = None
    acknowledged_by: str | None = None
    snoozed_until: datetime | None = None
    snoozed_by: str | None = None

    def snoozed(self, now: datetime) -> bool:
        return self.snoozed_until is not None and now < self.snoozed_until


@dataclass(frozen=True)
class HeldAlert:
    """An alert kept out of the channel by a limit, waiting for the digest."""

    key: str
    asset_key: str
    check_name: str
    severity: Severity
    run_id: str
    description: str | None


@dataclass(frozen=True)
class Entry:
    """One outbox row to write."""

    key: str
    kind: Kind
    status: Status
    severity: Severity
    channel: str
    created_at: datetime
    reason: str | None = None
    held: bool = False  # suppressed by a limit: the next digest lists it
    event: CheckEvent | None = None
    mentions: tuple[str, ...] = ()
    thread_key: str | None = None  # the root entry this one replies to
    covers: tuple[HeldAlert, ...] = ()  # digests only


@dataclass(frozen=True)
class Memory:
    """The stored state the router reads: alert classes and the recent outbox."""

    states: Mapping[AlertClass, AlertState] = field(default_factory=dict)
    # When messages counted by the limits went out, within the current window.
    sent_by_asset: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    sent_by_channel: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    last_digest_at: Mapping[str, datetime] = field(default_factory=dict)
    held: Mapping[str, Sequence[HeldAlert]] = field(default_factory=dict)  # by channel


@dataclass(frozen=True)
class Routing:
    entries: tuple[Entry, ...]
    states: tuple[AlertState, ...]  # the classes that changed


def route(
    events: Sequence[CheckEvent],
    memory: Memory,
    config: AlertsConfig,
    route_of: Callable[[str], ResolvedRoute],
    now: datetime,
) -> Routing:
    """Decide what to do with new evaluations (oldest first) at time ``now``."""
    window_start = now - config.window
    by_asset = defaultdict(
        list, {a: [t for t in ts if t > window_start] for a, ts in memory.sent_by_asset.items()}
    )
    by_channel = defaultdict(
        list, {c: [t for t in ts if t > window_start] for c, ts in memory.sent_by_channel.items()}
    )
    held = defaultdict(list, {c: list(h) for c, h in memory.held.items()})
    states = dict(memory.states)
    changed: dict[AlertClass, AlertState] = {}
    entries: list[Entry] = []

    for event in events:
        state = states.get(event.alert_class) or AlertState(event.asset_key, event.check_name)
        target = route_of(event.asset_key)
        if event.passed:
            # A pass older than the failure that is firing resolves nothing: it is a
            # re-read of history (a first tick's lookback), not a recovery.
            stale = state.last_failed_at is not None and event.evaluated_at < state.last_failed_at
            if not state.firing or stale:
                continue
            entries.append(_resolution(event, state, target, now))
            new_state = replace(
                state,
                firing=False,
                severity=None,
                since=None,
                failures=0,
                root_key=None,
                acknowledged_at=None,
                acknowledged_by=None,
            )
        else:
            severity = Severity(event.dagster_severity)
            reason = _quiet_reason(state, severity, target, config, now)
            limit = None
            if reason is None:
                limit = _limit_reason(event, severity, target, config, by_asset, by_channel)
            kind = Kind.REPEAT if state.firing and state.root_key else Kind.ALERT
            entry = Entry(
                key=event.key,
                kind=kind,
                status=Status.PENDING if reason is None and limit is None else Status.SUPPRESSED,
                severity=severity,
                channel=target.channel,
                created_at=now,
                reason=reason or limit,
                held=limit is not None,
                event=event,
                mentions=target.mentions,
                thread_key=state.root_key if kind is Kind.REPEAT else None,
            )
            entries.append(entry)
            new_state = replace(
                state,
                firing=True,
                severity=max(state.severity or severity, severity, key=lambda s: s.rank),
                since=state.since or event.evaluated_at,
                last_failed_at=event.evaluated_at,
                failures=state.failures + 1,
            )
            if entry.status is Status.PENDING:
                by_asset[event.asset_key].append(now)
                by_channel[target.channel].append(now)
                new_state = replace(
                    new_state, last_notified_at=now, root_key=state.root_key or entry.key
                )
            elif limit is not None:
                held[target.channel].append(
                    HeldAlert(
                        event.key,
                        event.asset_key,
                        event.check_name,
                        severity,
                        event.run_id,
                        event.description,
                    )
                )
                new_state = replace(new_state, last_notified_at=now)
        states[event.alert_class] = changed[event.alert_class] = new_state

    for channel, waiting in sorted(held.items()):
        last = memory.last_digest_at.get(channel)
        if waiting and (last is None or now - last >= config.window):
            entries.append(_digest(channel, waiting, now))
    return Routing(tuple(entries), tuple(changed.values()))


def _quiet_reason(
    state: AlertState,
    severity: Severity,
    target: ResolvedRoute,
    config: AlertsConfig,
    now: datetime,
) -> str | None:
    """Why a failure is not announced at all (it is not counted against limits)."""
    if state.snoozed(now):
        return f"snoozed until {when(state.snoozed_until)} by {state.snoozed_by or 'someone'}"
    if state.firing and state.acknowledged_at is not None:
        who = state.acknowledged_by or "someone"
        return f"acknowledged by {who} at {when(state.acknowledged_at)}"
    if severity.rank < target.min_severity.rank:
        return f"{severity} is below {target.channel}'s minimum {target.min_severity}"
    escalated = state.severity is not None and severity.rank > state.severity.rank
    if state.last_notified_at is not None and state.firing and not escalated:
        due = state.last_notified_at + config.repeat_interval
        if now < due:
            every = show_duration(config.repeat_interval)
            return f"still failing; repeats every {every}, next at {when(due)}"
    return None


def _limit_reason(
    event: CheckEvent,
    severity: Severity,
    target: ResolvedRoute,
    config: AlertsConfig,
    by_asset: Mapping[str, list[datetime]],
    by_channel: Mapping[str, list[datetime]],
) -> str | None:
    """Why an announceable failure waits for the digest instead."""
    window = show_duration(config.window)
    if severity is not Severity.ERROR and len(by_asset[event.asset_key]) >= config.per_asset_limit:
        return f"over {config.per_asset_limit} alerts per asset in {window}; in the digest"
    if config.channel_limit is not None and len(by_channel[target.channel]) >= config.channel_limit:
        return f"over {config.channel_limit} alerts in {target.channel} in {window}; in the digest"
    return None


def _resolution(
    event: CheckEvent, state: AlertState, target: ResolvedRoute, now: datetime
) -> Entry:
    reason = None
    if state.root_key is None:
        reason = "resolved, but its failure was never announced on its own"
    elif state.snoozed(now):
        reason = f"resolved while snoozed until {when(state.snoozed_until)}"
    return Entry(
        key=event.key,
        kind=Kind.RESOLVED,
        status=Status.SUPPRESSED if reason else Status.PENDING,
        severity=Severity.INFO,
        channel=target.channel,
        created_at=now,
        reason=reason,
        event=event,
        thread_key=state.root_key,
    )


def _digest(channel: str, waiting: Sequence[HeldAlert], now: datetime) -> Entry:
    covers = tuple(sorted(waiting, key=lambda h: -h.severity.rank))
    return Entry(
        key=f"digest:{channel}:{now.isoformat()}",
        kind=Kind.DIGEST,
        status=Status.PENDING,
        severity=covers[0].severity,
        channel=channel,
        created_at=now,
        covers=covers,
    )

