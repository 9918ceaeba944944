"""What the history commands (history, show, baseline, trend) share: the ``--db``
option, opening the store with one-line errors, dataset names checked against
the store, the dataset's baseline strategy, and the ``--since`` option."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import click

from drift_assets.settings.dataset_file import ConfigError, load_config
from drift_assets.settings.times import parse_since
from drift_assets.store import DriftStore, default_store_path
from drift_assets.store.backends import StoreUnavailableError, store_errors
from drift_assets.store.connection import StoreLockedError

# A run step holds the store for a fraction of a second; a CLI user should not
# wait the minute a run step would before being told the file is busy.
CLI_LOCK_TIMEOUT_S = 15.0


def db_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--db",
        metavar="FILE|URL",
        help="The store: a DuckDB file or a postgresql:// URL. Default: DRIFT_ASSETS_DB,"
        " else drift_assets.duckdb in DAGSTER_HOME, else in the working folder.",
    )(command)


@contextmanager
def opened_store(db: str | None) -> Iterator[DriftStore]:
    """The existing store, with store errors turned into one-line CLI errors.

    A missing file is an error rather than a new empty store: reading history
    from the wrong place should say so, not show nothing.
    """
    store = DriftStore(db or default_store_path(), lock_timeout=CLI_LOCK_TIMEOUT_S)
    if store.path is not None and not store.path.is_file():
        raise click.ClickException(
            f"no drift store at {store.path}: set DRIFT_ASSETS_DB or DAGSTER_HOME (or pass"
            " --db), or create one with `drift-assets demo run`"
        )
    try:
        yield store
    except (StoreLockedError, StoreUnavailableError) as exc:
        raise click.ClickException(str(exc)) from None
    except store_errors() as exc:
        first_line = str(exc).splitlines()[0]
        raise click.ClickException(
            f"cannot read the drift store {store.location}: {first_line}"
        ) from exc


def require_dataset(store: DriftStore, dataset: str) -> None:
    known = store.datasets()
    if dataset not in known:
        listed = ", ".join(known) if known else "none yet"
        raise click.ClickException(
            f"no dataset named {dataset!r} in {store.location} (known: {listed})"
        )


class Since(click.ParamType):
    name = "WHEN"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None):
        if isinstance(value, datetime):
            return value
        try:
            return parse_since(str(value), datetime.now(UTC))
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


def since_option(command: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--since",
        type=Since(),
        help="Only evaluations from this long ago (30m, 12h, 7d, 2w) or since a date"
        " (2026-11-01, UTC).",
    )(command)


def dataset_strategy(dataset: str) -> str | None:
    """The dataset's baseline strategy from the dataset file, or None when no
    readable file declares it (the store alone still has everything else)."""
    try:
        return load_config().dataset(dataset).policy.baseline
    except ConfigError:
        return None


def rolling_window(strategy: str | None) -> int:
    """How many recent profiles the strategy looks at (1 but for rolling:N)."""
    if strategy and strategy.startswith("rolling:"):
        return int(strategy.split(":")[1])
    return 1
