"""``drift-assets demo``: play demo days so the Dagster UI has a history to show."""

from __future__ import annotations

import contextlib
import io
import shlex
import sys
from datetime import UTC, datetime
from pathlib import Path

import click
from dagster import DagsterInstance

from drift_assets.alerts.router import Status
from drift_assets.defs.alert_sensor import SLACK_RESOURCE_KEY, alert_resources
from drift_assets.demo.generate import DEMO_EVENTS, write_day
from drift_assets.demo.runner import demo_folder, last_day, run_demo_days
from drift_assets.settings.dataset_file import ConfigError, load_config


@click.group("demo")
def command() -> None:
    """The demo datasets: orders, customers and web_events, drifting on known days.

    \b
    Examples:
      drift-assets demo run --days 14    # the scripted fortnight, one run a day
      drift-assets demo seed             # day 1's files only, for scheduled runs
    """


@command.command("run")
@click.option(
    "--days",
    type=click.IntRange(1, 365),
    default=14,
    show_default=True,
    help="How many days to play.",
)
@click.option(
    "--if-new",
    is_flag=True,
    help="Do nothing when demo days were already played (for set-up scripts).",
)
def run(days: int, if_new: bool) -> None:
    """Play the next DAYS demo days: write each day's batches as that date's daily
    partition and materialize it on the Dagster instance in DAGSTER_HOME, one run
    per dataset through its own job (the first time: the DAYS days ending today;
    then the days after the last one played, up to today); route
    each day's results to the alert outbox (`drift-assets alerts`; sent to Slack
    only when SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL is set) and run the scripted
    `drift-assets baseline accept` commands.

    \b
    Examples:
      drift-assets demo run --days 14
      drift-assets demo run --days 1     # tomorrow: one more day
    """
    config = _config()
    instance = DagsterInstance.get()
    start = last_day(instance) + 1
    if if_new and start > 1:
        click.echo(f"demo already at day {start - 1}; nothing to do")
        return
    events = {(e.day, e.dataset): e for e in DEMO_EVENTS}
    interactive = sys.stdout.isatty()

    def report(day):
        planned = "; ".join(e.what for (d, _), e in events.items() if d == day.day)
        failures = [v for v in day.verdicts if not v.passed]
        verdict = [f"{len(failures)} check(s) failed"] if failures else []
        if day.incomplete:
            parts = ", ".join(line.split(":", 1)[0] for line in day.incomplete)
            verdict.append(f"not complete: {parts}")
        click.echo(
            f"day {day.day:>3} ({day.date}): "
            + (", ".join(verdict) or "all checks passed")
            + (f"   (scripted: {planned})" if planned else "")
        )
        for verdict in failures:
            where = f"{verdict.dataset}.{verdict.check}"
            click.echo(f"         {where} {verdict.severity}: {verdict.description}")
        sent = [
            f"{row.kind} {row.asset_key}/{row.check_name}"
            for row in day.routed
            if row.status is not Status.SUPPRESSED
        ]
        if sent:
            click.echo(f"         router: {', '.join(sent)}")
        for transcript in day.accepted:
            for line in transcript.splitlines():
                click.echo(f"         {line}")
        for line in day.incomplete:
            click.echo(f"         NOT COMPLETE {line}")

    with click.progressbar(
        length=days, label="Playing demo days", file=sys.stderr, hidden=not interactive
    ) as bar:

        def on_day(day):
            bar.update(1)
            report(day)

        try:
            played = run_demo_days(
                config,
                range(start, start + days),
                instance,
                accept=accept_as_typed,
                today=datetime.now(UTC).date(),
                on_day=on_day,
            )
        except ValueError as exc:
            raise click.ClickException(str(exc)) from exc
    routed = sum(len(day.routed) for day in played)
    dry_run = alert_resources()[SLACK_RESOURCE_KEY].mode == "dry_run"
    how = "dry run: set SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL to send" if dry_run else "sent"
    click.echo(
        f"alerts: {routed} outbox row(s), dated on the demo's calendar ({how});"
        " `drift-assets alerts` lists them"
    )
    # Playing stops at a day that did not complete (a dataset that ran no check,
    # results waiting in the store's journal): never reported as a healthy day.
    stopped = next((day for day in played if day.incomplete), None)
    if stopped is not None:
        raise click.ClickException(
            f"day {stopped.day} did not complete (the NOT COMPLETE lines);"
            " `drift-assets demo run` plays it again"
        )


@command.command("seed")
def seed() -> None:
    """Write day 1's batches as today's partition (if no day was played on this
    instance yet) without materializing, so scheduled runs have files to read."""
    config = _config()
    if last_day(DagsterInstance.get()) == 0:
        today = datetime.now(UTC).date()
        write_day(1, demo_folder(config), today)
        click.echo(f"wrote demo day 1 to {demo_folder(config)} as partition {today}")


def _config():
    try:
        return load_config()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc


def accept_as_typed(db: Path | str, dataset: str, reason: str) -> str:
    """``drift-assets baseline accept DATASET --reason ...``, run in-process as a person
    would type it; returns the command line and what it printed."""
    from drift_assets.cli import main

    args = ["baseline", "accept", dataset, "--reason", reason]
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        main.main([*args, "--db", str(db)], standalone_mode=False)
    typed = " ".join(shlex.quote(a) for a in ["drift-assets", *args])
    return f"$ {typed}\n{printed.getvalue().strip()}"
