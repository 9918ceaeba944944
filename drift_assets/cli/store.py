"""``drift-assets store``: the store itself, for now moving it to Postgres."""

from __future__ import annotations

import click

from drift_assets.cli.history_options import db_option, opened_store
from drift_assets.store import DriftStore
from drift_assets.store.backends import StoreUnavailableError, is_url, store_errors
from drift_assets.store.transfer import TransferError, copy_store


@click.group("store")
def command() -> None:
    """The drift store: where profiles, baselines, results, alerts and actions live
    (a DuckDB file, or Postgres when steps run on several hosts).

    \b
    Example:
      drift-assets store migrate --to postgresql://drift@db.internal/drift
    """


@command.command("migrate")
@click.option(
    "--to",
    "to",
    required=True,
    metavar="URL",
    help="The empty Postgres store: postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE.",
)
@db_option
def migrate(to, db) -> None:
    """Copy every profile, baseline, result, alert and action of the store (by
    default the DuckDB file) into an empty Postgres database, then check that
    every table there holds as many rows. Running it again changes nothing; a
    target holding other data is refused. Then point DRIFT_ASSETS_DB at the URL.

    \b
    Example:
      drift-assets store migrate --to postgresql://drift@db.internal/drift
    """
    if not is_url(to):
        raise click.ClickException(f"--to takes a postgresql:// URL, not {to!r}")
    with opened_store(db) as source:
        target = DriftStore(to, lock_timeout=15)
        try:
            copies = copy_store(source, target)
        except (TransferError, StoreUnavailableError) as exc:
            raise click.ClickException(str(exc)) from None
        except store_errors() as exc:
            first_line = str(exc).splitlines()[0]
            raise click.ClickException(
                f"cannot copy into {target.location}: {first_line}"
            ) from None
    total = sum(c.rows for c in copies)
    if not any(c.copied for c in copies):
        click.echo(f"{target.location} already holds this store's {total} rows: nothing copied")
        return
    click.echo(f"copied {source.location} -> {target.location}")
    width = max(len(c.table) for c in copies)
    for c in copies:
        click.echo(f"  {c.table:<{width}}  {c.rows:>8} rows")
    click.echo(f"verified: {total} rows, every table as many as in the source")
