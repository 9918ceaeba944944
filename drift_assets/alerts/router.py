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

from drift_assets.alerts.backfill import fold_partitions
from drift_assets.alerts.events import CheckEvent
from drift_assets.settings.alert_routes import AlertsConfig, ResolvedRoute
from drift_assets.settings.severity import Severity
from drift_assets.settings.sinks import SLACK_SINK
from drift_assets.settings.times import show_duration, when

AlertClass = tuple[str, str]  # (asset key, check name)


class Kind(StrEnum):
    ALERT = "alert"  # the first message of a failure episode
    REPEAT = "repeat"  # still failing, in the first message's thread
    RESOLVED = "resolved"  # the first pass after an announced failure, in the thread
    DIGEST = "digest"  # what the limits held back, one per channel and window
    ESCALATION = "escalation"  # an ERROR nobody acknowledged in time, once per episode
    REMINDER = "reminder"  # a snooze ran out on a class that still fails, in the thread


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
    escalated_at: datetime | None = None  # this episode's escalation went out
    reminded_for: datetime | None = None  # the snooze end already followed up

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
    owners: tuple[str, ...] = ()  # the dataset's owners: digests group by them
    sink: str = SLACK_SINK


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
    owners: tuple[str, ...] = ()
    sink: str = SLACK_SINK


@dataclass(frozen=True)
class Memory:
    """The stored state the router reads: alert classes and the recent outbox."""

    states: Mapping[AlertClass, AlertState] = field(default_factory=dict)
    # When messages counted by the limits went out, within the current window.
    sent_by_asset: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    sent_by_channel: Mapping[str, Sequence[datetime]] = field(default_factory=dict)
    last_digest_at: Mapping[str, datetime] = field(default_factory=dict)
    held: Mapping[str, Sequence[HeldAlert]] = field(default_factory=dict)  # by channel
    # The first message's evaluation of each firing episode (by root key), which
    # escalations and reminders are about.
    root_events: Mapping[str, CheckEvent] = field(default_factory=dict)


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
    """Decide what to do with new evaluations (oldest first) at time ``now``, and
    what time alone brings due (escalations, reminders)."""
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
    folded = fold_partitions(events)
    for event in folded.events:
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
                escalated_at=None,
                reminded_for=state.snoozed_until,
            )
        else:
            severity = Severity(event.dagster_severity)
            reason = _quiet_reason(state, severity, target, config, now)
            limit = None
            if reason is None:
                limit = _limit_reason(event, severity, target, config, by_asset, by_channel)
            kind = Kind.REPEAT if state.firing and state.root_key else Kind.ALERT
            status = Status.PENDING if reason is None and limit is None else Status.SUPPRESSED
            # The first repeat after a snooze ran out is that snooze's reminder.
            note = _reminder_note(state, now) if status is Status.PENDING else None
            kind = Kind.REMINDER if kind is Kind.REPEAT and note else kind
            entry = Entry(
                key=event.key,
                kind=kind,
                status=status,
                severity=severity,
                channel=target.channel,
                created_at=now,
                reason=reason or limit or (note if kind is Kind.REMINDER else None),
                held=limit is not None,
                event=event,
                mentions=target.mentions,
                thread_key=state.root_key if kind is not Kind.ALERT else None,
                owners=target.owners,
                sink=target.sink,
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
                # A message after the snooze ended is its follow-up: no reminder.
                new_state = replace(
                    new_state,
                    last_notified_at=now,
                    root_key=state.root_key or entry.key,
                    reminded_for=state.snoozed_until,
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
                        target.owners,
                        target.sink,
                    )
                )
                new_state = replace(new_state, last_notified_at=now)
        states[event.alert_class] = changed[event.alert_class] = new_state

    # After the new evaluations: a class that passed now is not escalated, and one
    # announced now needs no reminder.
    for state in list(states.values()):
        entry, new_state = _timer(state, memory.root_events, route_of(state.asset_key), now)
        if entry is not None:
            entries.append(entry)
            states[state.asset_key, state.check_name] = changed[
                state.asset_key, state.check_name
            ] = new_state

    # Each partition's evaluation behind a backfill message is recorded too, so a
    # replay finds its key (a green backfill with nothing to resolve records nothing).
    made = {e.key for e in entries}
    entries += [
        _folded_entry(event, into, route_of(event.asset_key), now)
        for event, into in folded.folded
        if into in made
    ]
    for channel, waiting in sorted(held.items()):
        last = memory.last_digest_at.get(channel)
        if waiting and (last is None or now - last >= config.window):
            entries.append(_digest(channel, waiting, now))
    return Routing(tuple(entries), tuple(changed.values()))


def _timer(
    state: AlertState, roots: Mapping[str, CheckEvent], target: ResolvedRoute, now: datetime
) -> tuple[Entry | None, AlertState]:
    """What the passing of time alone makes due for one class: the reminder when a
    snooze ran out on a class still failing, else the one escalation of an ERROR
    nobody acknowledged (nor snoozed) within the route's ``escalate_after``."""
    root = roots.get(state.root_key) if state.root_key else None
    if not state.firing or root is None or state.snoozed(now):
        return None, state
    about = {"event": root, "thread_key": state.root_key, "owners": target.owners}
    about |= {"sink": target.sink, "status": Status.PENDING, "created_at": now}
    note = _reminder_note(state, now)
    if note is not None:
        assert state.snoozed_until is not None
        entry = Entry(
            key=f"reminder:{state.root_key}:{state.snoozed_until.isoformat()}",
            kind=Kind.REMINDER,
            severity=state.severity or Severity(root.dagster_severity),
            channel=target.channel,
            reason=note,
            mentions=target.mentions,
            **about,
        )
        return entry, replace(state, reminded_for=state.snoozed_until, last_notified_at=now)
    escalation = target.escalation
    if (
        escalation is None
        or state.severity is not Severity.ERROR
        or state.acknowledged_at is not None
        or state.escalated_at is not None
        or state.since is None
        or now < state.since + escalation.after
    ):
        return None, state
    entry = Entry(
        key=f"escalation:{state.root_key}",
        kind=Kind.ESCALATION,
        severity=Severity.ERROR,
        channel=escalation.channel or target.channel,
        reason=f"not acknowledged within {show_duration(escalation.after)}",
        mentions=escalation.mentions or target.mentions,
        **about,
    )
    return entry, replace(state, escalated_at=now)


def _reminder_note(state: AlertState, now: datetime) -> str | None:
    """Why a reminder is due: a snooze ended and was not followed up yet."""
    ended = state.snoozed_until
    if ended is None or ended > now or state.reminded_for == ended or not state.firing:
        return None
    return f"snoozed by {state.snoozed_by or 'someone'} until {when(ended)}"


def _folded_entry(event: CheckEvent, into: str, target: ResolvedRoute, now: datetime) -> Entry:
    """The record of one partition's evaluation that a backfill message stands for."""
    return Entry(
        key=event.key,
        kind=Kind.RESOLVED if event.passed else Kind.ALERT,
        status=Status.SUPPRESSED,
        severity=Severity.INFO if event.passed else Severity(event.dagster_severity),
        channel=target.channel,
        created_at=now,
        reason=f"one message for the tick's partitions: {into}",
        event=event,
        owners=target.owners,
        sink=target.sink,
    )


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
        owners=target.owners,
        sink=target.sink,
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
        sink=covers[0].sink,
    )
