"""``drift-assets alerts``: the alert outbox, newest first, and whether delivery keeps up."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import click

from drift_assets.alerts.router import Status
from drift_assets.cli.history_options import db_option, opened_store, since_option
from drift_assets.settings.dataset_file import load_config
from drift_assets.settings.times import show_time, when
from drift_assets.store.action_log import ActionLog
from drift_assets.store.outbox import Outbox, OutboxRow

TABLE_LIMIT = 50


@click.group("alerts", invoke_without_command=True)
@click.option(
    "--status",
    type=click.Choice([s.value for s in Status]),
    help="Only rows in this state. pending: not yet sent (or retrying); delivered: Slack"
    " said ok; dead: a permanent error; suppressed: held back (reason given); dry_run:"
    " routed with no Slack configured.",
)
@since_option
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=TABLE_LIMIT,
    show_default=True,
    help="At most this many rows, 0 for all.",
)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@db_option
@click.pass_context
def command(ctx, status, since, limit, fmt, db) -> None:
    """List what the alert router decided and delivered, newest first.

    \b
    Examples:
      drift-assets alerts --since 24h
      drift-assets alerts --status dead
      drift-assets alerts --status pending --format json
      drift-assets alerts ack 42
      drift-assets alerts snooze 42 --for 24h
      drift-assets alerts actions
    """
    if ctx.invoked_subcommand is not None:
        return
    with opened_store(db) as store:
        outbox = Outbox(store)
        rows = outbox.rows(status=status, since=since, limit=limit or 1_000_000_000)
        oldest = outbox.oldest_pending()
        classes = _state_lines(ActionLog(store))
    if fmt == "json":
        click.echo(json.dumps([_as_dict(r) for r in rows], indent=2, default=str))
        return
    if not rows:
        click.echo("no alerts" + (f" with status {status}" if status else "") + ".")
    else:
        click.echo(_header(rows[0]))
    for row in rows:
        click.echo(_line(row))
    if classes:
        click.echo("\nNow (act with `drift-assets alerts ack|snooze|unsnooze ID`):")
        click.echo("\n".join(classes))
    if oldest is not None:
        age = datetime.now(UTC) - oldest
        limit_ = _stale_after()
        late = (
            f"; over the {_age(limit_.total_seconds())} limit: is Slack reachable?"
            if age > limit_
            else ""
        )
        click.echo(
            f"oldest undelivered alert: {_age(age.total_seconds())} old{late}", err=bool(late)
        )


def _state_lines(log: ActionLog) -> list[str]:
    """One line per alert class that is failing, acknowledged or snoozed now."""
    now = datetime.now(UTC)
    lines = []
    for state, outbox_id in log.states():
        notes = []
        if state.firing:
            notes.append(f"failing since {when(state.since)}" if state.since else "failing")
        if state.firing and state.acknowledged_at:
            notes.append(
                f"acknowledged by {state.acknowledged_by} at {when(state.acknowledged_at)}"
            )
        if state.snoozed(now):
            notes.append(f"snoozed until {when(state.snoozed_until)} by {state.snoozed_by}")
        if notes:
            ref = f"#{outbox_id:<5}" if outbox_id else "#?    "
            lines.append(f"{ref}  {state.asset_key}/{state.check_name}: {'; '.join(notes)}")
    return lines


# What failed, cut to keep one alert on one line (`--format json` has it whole).
_WHAT_WIDTH = 100


def _header(first: OutboxRow) -> str:
    when = "created".ljust(len(show_time(first.created_at)))
    columns = ["id    ", when, f"{'status':<10}", f"{'kind':<8}", f"{'severity':<8}"]
    return "  ".join([*columns, f"{'channel':<16}", "check: what failed"]).upper()


def _line(row: OutboxRow) -> str:
    subject = (
        f"{row.asset_key}/{row.check_name}" if row.asset_key else f"{len(row.covers)} held back"
    )
    event = row.event
    if event is not None and event.description:
        what = " ".join(event.description.split())
        cut = what[: _WHAT_WIDTH - 3] + "..." if len(what) > _WHAT_WIDTH else what
        subject += f": {cut}"
    when = show_time(row.created_at)
    parts = [
        f"#{row.outbox_id:<5}",
        when,
        f"{row.status:<10}",
        f"{row.kind:<10}",
        f"{row.severity:<8}",
        f"{row.channel:<16}",
        subject,
    ]
    if row.attempts:
        parts.append(f"attempts={row.attempts}")
    if row.reason:
        parts.append(f"({row.reason})")
    return "  ".join(parts)


def _as_dict(row: OutboxRow) -> dict:
    return {
        "id": row.outbox_id,
        "key": row.key,
        "created_at": row.created_at,
        "status": row.status.value,
        "kind": row.kind.value,
        "severity": row.severity.value,
        "channel": row.channel,
        "sink": row.sink,
        "asset_key": row.asset_key,
        "check_name": row.check_name,
        "description": row.event.description if row.event else None,
        "run_id": row.run_id,
        "reason": row.reason,
        "attempts": row.attempts,
        "next_attempt_at": row.next_attempt_at,
        "delivered_at": row.delivered_at,
    }


def _stale_after():
    # The CLI still lists the outbox when the dataset file is missing or broken.
    return load_config(strict=False).alerts.stale_after


def _age(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{seconds / size:.3g}{unit}"
    return f"{seconds:.0f}s"
