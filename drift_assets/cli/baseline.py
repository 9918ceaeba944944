"""``drift-assets baseline``: see, pin and unpin the profile a dataset is compared with.

The group is open for more subcommands: another module adds one with
``from drift_assets.cli.baseline import command as baseline`` and
``@baseline.command("accept")``, imported before ``main`` runs.
"""

from __future__ import annotations

import getpass

import click

from drift_assets.cli.history_options import (
    dataset_strategy,
    db_option,
    opened_store,
    require_dataset,
    rolling_window,
)
from drift_assets.reports.dataset_summary import (
    UNKNOWN_STRATEGY,
    DatasetState,
    describe_pin,
    next_baseline,
)
from drift_assets.settings.times import show_time

# Profiles listed by `baseline show`, so a person can pick one to pin.
RECENT_SHOWN = 10


@click.group("baseline")
def command() -> None:
    """See, pin and unpin the baseline a dataset's batches are compared with.

    Under `previous` (the default) and `rolling:N` a batch is compared with the
    latest batch(es) that passed every check or were accepted
    (`drift-assets baseline accept`): a lasting change keeps failing until
    accepted. A pin is used by datasets whose policy says `baseline: pinned`;
    under the other strategies it is kept but not used.

    \b
    Examples:
      drift-assets baseline show orders
      drift-assets baseline pin orders --profile 12 --reason "after the price change"
      drift-assets baseline unpin orders
    """


@command.command("show")
@click.argument("dataset")
@db_option
def show(dataset, db) -> None:
    """Show DATASET's baseline strategy, its pinned profile, what its next batch
    will be compared with, and its recent profiles (the ids `pin` takes).

    \b
    Example:
      drift-assets baseline show orders
    """
    strategy = dataset_strategy(dataset)
    with opened_store(db) as store:
        require_dataset(store, dataset)
        pinned = store.pinned(dataset)
        accepted = store.accepted(dataset)
        recent = store.recent_profiles(dataset, RECENT_SHOWN)
        baselines = store.baseline_profiles(dataset, rolling_window(strategy))
        failed = store.failed_profiles(dataset, [p.profile_id for p in recent])
    state = DatasetState(dataset, strategy, pinned, tuple(recent), (), tuple(baselines))
    click.echo(f"{dataset}")
    click.echo(f"  strategy      {strategy or UNKNOWN_STRATEGY}")
    click.echo(f"  next batch    compared with {next_baseline(state)}")
    click.echo(f"  pinned        {describe_pin(pinned)}")
    if accepted is not None:
        click.echo(f"  accepted      profile #{accepted}: older profiles are no longer baselines")
    click.echo("")
    click.echo("Recent profiles (newest first, UTC; a failed one is a baseline only if accepted)")
    for profile in recent:
        pid = profile.profile_id
        marks = ["failed" if pid in failed else "passed"]
        marks += ["accepted"] * (pid == accepted) + ["pinned"] * bool(
            pinned and pinned.profile_id == pid
        )
        click.echo(
            f"  #{pid:<6} {show_time(profile.profiled_at)}"
            f"  {profile.row_count:>12,} rows  {len(profile.columns):>3} columns"
            f"  {', '.join(marks)}"
        )


@command.command("pin")
@click.argument("dataset")
@click.option(
    "--profile",
    "profile_id",
    type=int,
    metavar="ID",
    help="The stored profile to pin (see `baseline show`). Default: the latest.",
)
@click.option("--reason", help="Why, kept in the store's baseline audit trail.")
@db_option
def pin(dataset, profile_id, reason, db) -> None:
    """Pin a stored profile as DATASET's baseline, until pinned again or unpinned.

    \b
    Examples:
      drift-assets baseline pin orders                 # the latest profile
      drift-assets baseline pin orders --profile 12 --reason "known good week"
    """
    strategy = dataset_strategy(dataset)
    with opened_store(db) as store:
        require_dataset(store, dataset)
        if profile_id is None:
            profile_id = store.recent_profiles(dataset, 1)[0].profile_id
        try:
            store.pin(dataset, profile_id, actor=_actor(), reason=reason)
        except (KeyError, ValueError) as exc:
            raise click.ClickException(exc.args[0]) from exc
        pinned = store.profile(profile_id)
    click.echo(
        f"pinned profile #{profile_id} ({show_time(pinned.profiled_at)} UTC,"
        f" {pinned.row_count:,} rows) as the baseline of {dataset}"
    )
    if strategy != "pinned":
        uses = f"uses the `{strategy}` baseline" if strategy else "is in no dataset file here"
        click.echo(
            f"note: {dataset} {uses}; the pin is used once its policy says `baseline: pinned`",
            err=True,
        )


@command.command("unpin")
@click.argument("dataset")
@click.option("--reason", help="Why, kept in the store's baseline audit trail.")
@db_option
def unpin(dataset, reason, db) -> None:
    """Forget DATASET's pinned baseline. Under `baseline: pinned` the next run
    pins the newest stored profile in its place.

    \b
    Example:
      drift-assets baseline unpin orders --reason "reset after the migration"
    """
    with opened_store(db) as store:
        require_dataset(store, dataset)
        was = store.pinned(dataset)
        store.unpin(dataset, actor=_actor(), reason=reason)
    if was is None:
        click.echo(f"{dataset} had no pinned baseline; nothing to do")
    else:
        click.echo(f"unpinned profile #{was.profile_id} from {dataset}")


def _actor() -> str:
    """Who acted, for the audit trail: the CLI and the login name."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"
