"""``drift-assets history``: the check history from the drift store, newest first."""

from __future__ import annotations

import shutil
import sys

import click

from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.cli.history_options import db_option, opened_store, require_dataset, since_option
from drift_assets.reports.history_table import (
    history_csv,
    history_json,
    history_summary,
    history_table,
)

# A terminal shows the recent past; scripts asking for json or csv get everything.
TABLE_LIMIT = 50


@click.command("history")
@click.argument("dataset", required=False)
@click.option("--check", type=click.Choice(CHECK_NAMES), help="Only this check.")
@since_option
@click.option("--failed", is_flag=True, help="Only failed evaluations (WARN or ERROR).")
@click.option(
    "--partition",
    metavar="KEY",
    help="Only this partition (a date such as 2026-11-03, or a static key).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="table is aligned for a terminal; json and csv are for scripts.",
)
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    help=f"At most this many evaluations, 0 for all. Default: {TABLE_LIMIT} for table, all"
    " for json and csv.",
)
@db_option
def command(dataset, check, since, failed, partition, fmt, limit, db) -> None:
    """Show the check history of DATASET (or of every dataset), newest first: one
    line per evaluation with its time (UTC), dataset, check, result, severity and
    what it found.

    \b
    Examples:
      drift-assets history orders --since 7d
      drift-assets history --failed --since 24h
      drift-assets history customers --check null_rate --format csv > nulls.csv
      drift-assets history orders --partition 2026-11-03
      drift-assets history --format json | jq '.[] | select(.severity == "ERROR")'
    """
    if limit is None:
        limit = TABLE_LIMIT if fmt == "table" else 0
    with opened_store(db) as store:
        if dataset is not None:
            require_dataset(store, dataset)
        # One row more than asked tells whether older rows were left out.
        results = store.check_history(
            dataset=dataset,
            check=check,
            since=since,
            failed_only=failed,
            limit=limit + 1 if limit else None,
            partition=partition,
        )
    cut = bool(limit) and len(results) > limit
    results = results[:limit] if limit else results
    if fmt == "json":
        click.echo(history_json(results), nl=False)
        return
    if fmt == "csv":
        click.echo(history_csv(results), nl=False)
        return
    if not results:
        click.echo("no check results match" + (" (try a longer --since)" if since else ""))
        return
    width = shutil.get_terminal_size().columns if sys.stdout.isatty() else None
    click.echo(history_table(results, width), nl=False)
    summary = history_summary(results)
    if cut:
        summary += f"; older ones not shown (--limit {limit}; 0 shows all)"
    click.echo(summary)
