"""Draining the outbox into Slack within a tick's time budget: channel order and
pacing, threads, retry with backoff, dead letters."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from drift_assets.alerts.message import alert_message, digest_message
from drift_assets.alerts.router import AlertState, Kind, Status
from drift_assets.slack.delivery import Sender, retry_after_s
from drift_assets.store.outbox import Outbox, OutboxRow

# Slack allows about one message per second per channel and may drop bursts silently.
PACE = timedelta(seconds=1)
_FIRST_BACKOFF_S = 5.0
_MAX_BACKOFF_S = 300.0
# Never start a call with less time than this left: it could not finish in the budget.
_MIN_CALL_S = 1.0


@dataclass
class DispatchReport:
    sent: list[str] = field(default_factory=list)  # one line per message
    retrying: list[str] = field(default_factory=list)
    dead: list[str] = field(default_factory=list)
    waiting: int = 0  # not due yet, or no time left in this tick
    halted: str | None = None  # why nothing was sent (Slack rejects the credentials)


def dispatch(
    outbox: Outbox,
    sender: Sender,
    *,
    webserver: str,
    clock: Callable[[], datetime],
    sleep: Callable[[float], None],
    deadline: datetime,
    actions: bool = False,
) -> DispatchReport:
    """Send what is due, oldest first per channel, until done or out of time;
    ``actions``: with the Slack action buttons."""
    report = DispatchReport()
    rows = outbox.pending()
    if not rows:
        return report
    # A rejected token is a configuration error, not a property of each message:
    # the alerts wait (and turn stale, which is reported) instead of all dying.
    # Other failures of this check fall through to the usual per-message retries.
    credentials = sender.check()
    if credentials.permanent:
        report.halted = credentials.error
        report.waiting = len(rows)
        return report
    blocked: set[str] = set()  # channels where an earlier row waits: keep their order
    last_post: dict[str, datetime] = {}
    for row in rows:
        lane = row.channel if sender.threads else "(webhook)"
        if lane in blocked or (row.next_attempt_at and row.next_attempt_at > clock()):
            blocked.add(lane)
            report.waiting += 1
            continue
        root = outbox.by_key(row.thread_key) if row.thread_key and sender.threads else None
        if root is not None and root.status is Status.PENDING:
            blocked.add(lane)  # a reply must not overtake its thread's first message
            report.waiting += 1
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
            threaded = root is not None and root.status is Status.DELIVERED and root.slack_ts
            result = sender.post(
                root.slack_channel if threaded else row.channel,
                _payload(row, webserver, actions),
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
        if result.ok and threaded:
            _update_root(outbox, sender, root, webserver, actions)
    return report


def _payload(row: OutboxRow, webserver: str, actions: bool) -> dict[str, Any]:
    if row.kind is Kind.DIGEST:
        return digest_message(row.channel, row.covers, webserver=webserver).payload()
    assert row.event is not None
    return alert_message(
        row.event,
        row.kind,
        row.severity,
        webserver=webserver,
        mentions=row.mentions,
        actions=actions,
    ).payload()


def _update_root(
    outbox: Outbox, sender: Sender, root: OutboxRow, webserver: str, actions: bool
) -> None:
    """Show the current state on the thread's first message (best effort: the
    reply itself was delivered, so a failed update is not retried)."""
    event = root.event
    assert event is not None and root.slack_channel and root.slack_ts
    state = outbox.state(event.asset_key, event.check_name)
    if state is None or state.root_key != root.key:
        # This thread's episode is over (a later one may already be failing).
        state = AlertState(event.asset_key, event.check_name, firing=False)
    message = alert_message(
        event, Kind.ALERT, root.severity, webserver=webserver, state=state, actions=actions
    )
    sender.update(root.slack_channel, root.slack_ts, message.payload())


def _label(row: OutboxRow) -> str:
    subject = f"{row.asset_key}/{row.check_name}" if row.asset_key else f"{len(row.covers)} held"
    return f"{row.kind} {row.severity} {subject} -> {row.channel}"
