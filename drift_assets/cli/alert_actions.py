"""``drift-assets alerts ack|snooze|unsnooze ID`` and ``alerts actions``: the Slack
buttons' actions for people without Slack, and the audit trail of both."""

from __future__ import annotations

import getpass
import os
import uuid
from datetime import UTC, datetime, timedelta

import click
from pydantic import TypeAdapter, ValidationError

from drift_assets.alerts.actions import Action
from drift_assets.cli.history_options import db_option, opened_store
from drift_assets.settings.dataset_file import load_config
from drift_assets.settings.times import Duration, show_time
from drift_assets.slack.action_reply import reply
from drift_assets.slack.delivery import DEFAULT_API_URL, SlackTarget
from drift_assets.store.action_log import ActionError, ActionLog, ActionRequest
from drift_assets.store.outbox import Outbox


class _Length(click.ParamType):
    name = "DURATION"

    def convert(self, value, param, ctx):
        if isinstance(value, timedelta):
            return value
        try:
            length = TypeAdapter(Duration).validate_python(value)
        except ValidationError as exc:
            self.fail(exc.errors()[0]["msg"].removeprefix("Value error, "), param, ctx)
        if length <= timedelta(0):
            self.fail("must be a positive duration", param, ctx)
        return length


_ID = click.argument("alert_id", metavar="ID", type=int)


@click.command("ack")
@_ID
@db_option
def ack(alert_id, db) -> None:
    """Acknowledge alert ID (the # in `drift-assets alerts`): no more repeats of its
    check until it passes again.

    \b
    Example:
      drift-assets alerts ack 42
    """
    _act(Action.ACKNOWLEDGE, alert_id, db)


@click.command("snooze")
@_ID
@click.option(
    "--for", "length", type=_Length(), default="1h", show_default=True, help="30m, 4h, 1d ..."
)
@db_option
def snooze(alert_id, length, db) -> None:
    """Snooze alert ID's check: no messages about it until the time has passed.

    \b
    Examples:
      drift-assets alerts snooze 42
      drift-assets alerts snooze 42 --for 24h
    """
    _act(Action.SNOOZE, alert_id, db, length)


@click.command("unsnooze")
@_ID
@db_option
def unsnooze(alert_id, db) -> None:
    """End the snooze of alert ID's check: routing as usual from now on.

    \b
    Example:
      drift-assets alerts unsnooze 42
    """
    _act(Action.UNSNOOZE, alert_id, db)


@click.command("actions")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@db_option
def actions(limit, db) -> None:
    """The audit trail: who acknowledged, snoozed, unsnoozed or accepted what, and when
    (from Slack and from this command line), newest first."""
    with opened_store(db) as store:
        trail = ActionLog(store).trail(limit=limit)
    if not trail:
        click.echo("no actions yet.")
    for row in trail:
        on = f"{row.asset_key}/{row.check_name}" if row.asset_key else row.dataset
        mark = "" if row.changed else "  (no change)"
        click.echo(
            f"{show_time(row.acted_at)}  {row.action:<15}  {row.actor:<16}"
            f"  {on}: {row.summary}{mark}"
        )


def _act(action: Action, alert_id: int, db: str | None, length: timedelta | None = None) -> None:
    now = datetime.now(UTC)
    with opened_store(db) as store:
        log = ActionLog(store)
        try:
            alert = log.alert(outbox_id=alert_id)
        except ActionError as exc:
            raise click.ClickException(str(exc)) from exc
        request = ActionRequest(
            request_id=f"cli:{uuid.uuid4()}",
            source="cli",
            action=action,
            actor=actor(),
            at=now,
            snooze_until=now + length if length else None,
        )
        applied = log.apply(request, alert)
        root_key = applied.state.root_key if applied.state else None
        root = Outbox(store).by_key(root_key) if root_key else None
    click.echo(f"{alert.asset_key}/{alert.check_name}: {applied.summary}")
    token = os.environ.get("SLACK_BOT_TOKEN")
    if applied.changed and token:
        outcome = reply(
            alert,
            applied,
            action,
            webserver=load_config(strict=False).alerts.webserver(),
            response_url=None,
            slack=SlackTarget(token, os.environ.get("SLACK_API_URL") or DEFAULT_API_URL),
            root=root,
        )
        click.echo(f"Slack: {outcome}")


def actor() -> str:
    """Who acted, for the audit trail: the CLI and the login name."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
