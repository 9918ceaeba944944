"""``drift-assets show``: one dataset's baseline, latest profile and latest checks."""

from __future__ import annotations

import json

import click

from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.cli.history_options import (
    dataset_strategy,
    db_option,
    opened_store,
    require_dataset,
    rolling_window,
)
from drift_assets.reports.dataset_summary import DatasetState, summary_dict, summary_text
from drift_assets.store.partition_history import PartitionHistory


@click.command("show")
@click.argument("dataset")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="text for a terminal, json for scripts.",
)
@click.option(
    "--partition",
    metavar="KEY",
    help="A partitioned dataset's partition (default: the latest one).",
)
@db_option
def command(dataset, fmt, partition, db) -> None:
    """Show where DATASET stands: the baseline its next batch is compared with,
    its latest profile (per column: type, null rate, distinct values, mean and
    std or the most frequent values) and the latest result of each check, with
    the columns that failed.

    The baseline strategy comes from the dataset file (DRIFT_ASSETS_CONFIG, else
    ./datasets.yaml).

    \b
    Examples:
      drift-assets show orders
      drift-assets show customers --format json
      drift-assets show orders --partition 2026-11-03
    """
    with opened_store(db) as store:
        require_dataset(store, dataset)
        strategy = dataset_strategy(dataset)
        partitioned = PartitionHistory(store).current(dataset, key=partition)
        if partition is not None and not partitioned:
            raise click.ClickException(f"{dataset} has no stored partition {partition!r}")
        state = _partition_state(store, dataset, strategy, partitioned[0]) if partitioned else None
        state = state or DatasetState(
            dataset=dataset,
            strategy=strategy,
            pinned=store.pinned(dataset),
            recent=tuple(store.recent_profiles(dataset, 1)),
            baselines=tuple(store.baseline_profiles(dataset, rolling_window(strategy))),
            latest_checks=tuple(
                result
                for check in CHECK_NAMES
                for result in store.check_history(dataset=dataset, check=check, limit=1)
            ),
        )
    if fmt == "json":
        click.echo(json.dumps(summary_dict(state), indent=2, default=str))
    else:
        click.echo(summary_text(state), nl=False)


def _partition_state(store, dataset, strategy, current) -> DatasetState:
    """A partition's state: its current profile, its current results and the
    partitions its evaluation was compared with."""
    profile, partition = current
    results = store.check_history(dataset=dataset, partition=partition.key, current_only=True)
    used = set(results[0].baseline_profile_ids) if results else set()
    return DatasetState(
        dataset=dataset,
        strategy=strategy,
        pinned=store.pinned(dataset),
        recent=(profile,),
        baselines=tuple(p for p in map(store.profile, sorted(used, reverse=True)) if p),
        latest_checks=tuple(r for r in results if r.profile_id == profile.profile_id),
        partition=partition.key,
    )
