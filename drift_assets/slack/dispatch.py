"""Draining the outbox into its sinks within a tick's time budget: channel order and
pacing (held across ticks), threads, retry with backoff, dead letters, and digests
that list only what still fails."""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from drift_assets.alerts.message import alert_message, check_url, digest_message, run_url
from drift_assets.alerts.router import AlertState, HeldAlert, Kind, Status
from drift_assets.slack.delivery import retry_after_s
from drift_assets.slack.sinks import Outgoing, Sink
from drift_assets.store.outbox import Outbox, OutboxRow

# Slack allows about one message per second per channel and may drop bursts silently.
PACE = timedelta(seconds=1)
_FIRST_BACKOFF_S = 5.0
_MAX_BACKOFF_S = 300.0
# Never start a call with less time than this left: it could not finish in the budget.
_MIN_CALL_S = 1.0
Lane = tuple[str, str]  # (sink, channel); a sink without channels has one lane


@dataclass
class DispatchReport:
    sent: list[str] = field(default_factory=list)  # one line per message
    retrying: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)  # digests whose checks all pass now
    waiting: int = 0  # not due yet, no sink, or no time left in this tick
    halted: str | None = None  # why nothing was sent (a sink rejects the credentials)


def dispatch(
    outbox: Outbox,
    sinks: Mapping[str, Sink],
    *,
    webserver: str,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    deadline: datetime,
    actions: bool = False,
) -> DispatchReport:
    """Send what is due, oldest first per lane, until done or out of time;
    ``sinks`` by name (a row for a sink not given waits); ``actions``: with the
    Slack action buttons."""
    report = DispatchReport()
    rows = outbox.pending()
    if not rows:
        return report
    # A rejected credential is a configuration error, not a property of each message:
    # that sink's alerts wait (and turn stale, which is reported) instead of all dying.
    # Other failures of this check fall through to the usual per-message retries.
    halted: set[str] = set()
    for name in sorted({r.sink for r in rows} & set(sinks)):
        credentials = sinks[name].check()
        if credentials.permanent:
            halted.add(name)
            report.halted = f"{name}: {credentials.error}"
    last_post: dict[Lane, datetime] = {}
    for (name, channel), at in outbox.last_sent(clock() - PACE).items():
        if name in sinks:
            lane = _lane(name, channel, sinks[name])
            last_post[lane] = max(at, last_post.get(lane, at))
    blocked: set[Lane] = set()  # lanes where an earlier row waits: keep their order
    for row in rows:
        sink = sinks.get(row.sink)
        if sink is None or row.sink in halted:
            report.waiting += 1
            continue
        lane = _lane(row.sink, row.channel, sink)
        if lane in blocked or (row.next_attempt_at and row.next_attempt_at > clock()):
            blocked.add(lane)
            report.waiting += 1
            continue
        root = outbox.by_key(row.thread_key) if row.thread_key and sink.threads else None
        if root is not None and root.status is Status.PENDING:
            blocked.add(lane)  # a reply must not overtake its thread's first message
            report.waiting += 1
            continue
        message = _message(outbox, row, webserver, actions)
        if message is None:
            outbox.mark_suppressed(row.outbox_id, "every check it listed passes again")
            report.dropped.append(_label(row))
            continue
        wait = (last_post[lane] + PACE - clock()).total_seconds() if lane in last_post else 0.0
        if (deadline - clock()).total_seconds() - max(wait, 0.0) < _MIN_CALL_S:
            blocked.add(lane)
            report.waiting += 1
            continue
        if wait > 0:
            sleep(wait)
        with outbox.claim(row.outbox_id) as claim:
            if claim is None:
                # Another router (on Postgres) is sending it or has: keep this
                # lane's order by leaving the rest of the lane to it as well.
                blocked.add(lane)
                report.waiting += 1
                continue
            # An escalation to another channel starts its own message there.
            threaded = (
                root is not None
                and root.status is Status.DELIVERED
                and root.slack_ts
                and root.channel == row.channel
            )
            result = sink.post(
                root.slack_channel if threaded else row.channel,
                message,
                root.slack_ts if threaded else None,
            )
            last_post[lane] = clock()
            label = _label(row)
            if result.ok:
                claim.mark_delivered(clock(), result.channel_id, result.ts)
                report.sent.append(label)
            elif result.permanent:
                claim.mark_dead(result.error or "permanent error")
                report.dead.append(f"{label}: {result.error}")
            else:
                delay = retry_after_s(result.retry_after, now=clock())
                if delay is None:
                    delay = min(_FIRST_BACKOFF_S * 2**row.attempts, _MAX_BACKOFF_S)
                    delay *= random.uniform(0.5, 1.5)  # jitter: do not retry in lockstep
                claim.mark_retry(clock() + timedelta(seconds=delay), result.error or "error")
                report.retrying.append(f"{label}: {result.error}, again in {delay:.0f}s")
                blocked.add(lane)
        # The root's update is a call of its own: made after the claim is released.
        if result.ok and threaded:
            _update_root(outbox, sink, root, webserver, actions)
    return report


def _lane(name: str, channel: str, sink: Sink) -> Lane:
    # Slack's incoming webhook and the generic webhook post to one place whatever
    # the channel says: they are paced as one lane.
    return (name, channel if sink.threads else "*")


def _message(outbox: Outbox, row: OutboxRow, webserver: str, actions: bool) -> Outgoing | None:
    """The row's message as every sink gets it; None for a digest none of whose
    checks fails any more (it would send people to green checks)."""
    links: dict[str, str] = {}
    if row.kind is Kind.DIGEST:
        covers = tuple(h for h in row.covers if _still_fails(outbox, h))
        if not covers:
            return None
        slack = digest_message(row.channel, covers, webserver=webserver).payload()
        facts = {"covers": [{**vars(h), "severity": h.severity.value} for h in covers]}
    else:
        event = row.event
        assert event is not None
        slack = alert_message(
            event,
            row.kind,
            row.severity,
            webserver=webserver,
            mentions=row.mentions,
            actions=actions,
            reason=row.facts.get("note"),
        ).payload()
        facts = row.facts
        links = {
            "check": check_url(webserver, event.asset_key, event.check_name),
            "run": run_url(webserver, event.run_id),
        }
    return Outgoing(
        key=row.key,
        kind=row.kind.value,
        severity=row.severity.value,
        channel=row.channel,
        text=slack["text"],
        slack=slack,
        facts=facts,
        links=links,
    )


def _still_fails(outbox: Outbox, held: HeldAlert) -> bool:
    state = outbox.state(held.asset_key, held.check_name)
    return state is not None and state.firing


def _update_root(
    outbox: Outbox, sink: Sink, root: OutboxRow, webserver: str, actions: bool
) -> None:
    """Show the current state on the thread's first message (best effort: the
    reply itself was delivered, so a failed update is not retried)."""
    event = root.event
    assert event is not None and root.slack_channel and root.slack_ts
    state = outbox.state(event.asset_key, event.check_name)
    if state is None or state.root_key != root.key:
        # This thread's episode is over (a later one may already be failing).
        state = AlertState(event.asset_key, event.check_name, firing=False)
    slack = alert_message(
        event, Kind.ALERT, root.severity, webserver=webserver, state=state, actions=actions
    ).payload()
    message = Outgoing(
        root.key,
        Kind.ALERT.value,
        root.severity.value,
        root.channel,
        slack["text"],
        slack,
        root.facts,
        {},
    )
    sink.update(root.slack_channel, root.slack_ts, message)


def _label(row: OutboxRow) -> str:
    subject = f"{row.asset_key}/{row.check_name}" if row.asset_key else f"{len(row.covers)} held"
    sink = "" if row.sink == "slack" else f" ({row.sink})"
    return f"{row.kind} {row.severity} {subject} -> {row.channel}{sink}"
