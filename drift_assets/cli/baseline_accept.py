"""``drift-assets baseline accept DATASET``: the "Accept as new baseline" button for
people without Slack."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import click

from drift_assets.alerts.actions import Action
from drift_assets.cli.alert_actions import actor
from drift_assets.cli.history_options import (
    dataset_strategy,
    db_option,
    opened_store,
    require_dataset,
)
from drift_assets.store.action_log import ActionLog, ActionRequest
from drift_assets.store.partition_history import PartitionHistory


@click.command("accept")
@click.argument("dataset")
@click.option(
    "--profile",
    "profile_id",
    type=int,
    metavar="ID",
    help="The stored profile to accept (see `baseline show`). Default: the latest.",
)
@click.option(
    "--partition",
    metavar="KEY",
    help="A partitioned dataset: accept this partition's current profile.",
)
@click.option("--reason", help="Why, kept in the audit trails.")
@db_option
def accept(dataset, profile_id, partition, reason, db) -> None:
    """Accept a profile of DATASET (default: its latest) as the new normal: it
    counts as a baseline though its checks failed, it is pinned, and baselines are
    no longer taken from older profiles. So the next batch is compared with it
    whatever the strategy (under `rolling:N` the window refills from it), and a
    lasting change that kept failing passes from the next batch on.

    \b
    Examples:
      drift-assets baseline accept orders
      drift-assets baseline accept orders --profile 12 --reason "new price list"
      drift-assets baseline accept orders --partition 2026-11-23

    A partitioned dataset's later partitions are then compared with the
    accepted one, never with earlier ones.
    """
    with opened_store(db) as store:
        require_dataset(store, dataset)
        if partition is not None and profile_id is None:
            current = PartitionHistory(store).current(dataset, key=partition)
            if not current:
                raise click.ClickException(f"{dataset} has no stored partition {partition!r}")
            profile_id = current[0][0].profile_id
        if profile_id is None:
            profile_id = store.recent_profiles(dataset, 1)[0].profile_id
        request = ActionRequest(
            request_id=f"cli:{uuid.uuid4()}",
            source="cli",
            action=Action.ACCEPT_BASELINE,
            actor=actor(),
            at=datetime.now(UTC),
        )
        try:
            applied = ActionLog(store).accept(request, dataset, profile_id, reason=reason)
        except (KeyError, ValueError) as exc:
            raise click.ClickException(exc.args[0]) from exc
    click.echo(applied.summary)
    if dataset_strategy(dataset) == "latest":
        click.echo(
            f"note: {dataset} uses `latest`: its next batch is compared with its newest"
            " profile, accepted or not",
            err=True,
        )
