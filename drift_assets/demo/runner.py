"""Plays demo days: writes each day's batches, materializes the demo datasets on
the Dagster instance, lets the alert router take one tick on the demo's calendar,
and runs the scripted ``drift-assets baseline accept`` commands, so ``dagster dev``
and ``drift-assets alerts`` show a history of failures, repeats and recoveries."""

from __future__ import annotations

import contextlib
import io
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from dagster import DagsterInstance, Definitions, build_sensor_context, materialize

from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY, build_dataset_asset
from drift_assets.defs.pickup import PickupCursor
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.demo.generate import DEMO_ACCEPTANCES, DEMO_DATASETS, FIRST_DAY, write_day
from drift_assets.settings.dataset_file import ProjectConfig
from drift_assets.store.outbox import Outbox, OutboxRow

DEMO_FOLDER = "demo_data"
_DAY_FILE = ".last_day"
DEMO_DAY_TAG = "drift_assets/demo_day"


@dataclass(frozen=True)
class CheckVerdict:
    dataset: str
    check: str
    passed: bool
    severity: str | None
    description: str


@dataclass(frozen=True)
class DemoDay:
    day: int
    run_id: str
    run_succeeded: bool
    verdicts: tuple[CheckVerdict, ...]
    routed: tuple[OutboxRow, ...]  # what the router's tick wrote to the outbox
    accepted: tuple[str, ...]  # each scripted `baseline accept`: the command and its output

    def failed(self) -> dict[str, set[str]]:
        failing: dict[str, set[str]] = {}
        for verdict in self.verdicts:
            if not verdict.passed:
                failing.setdefault(verdict.dataset, set()).add(verdict.check)
        return failing


def demo_folder(config: ProjectConfig) -> Path:
    return config.base_dir / DEMO_FOLDER


def last_day(config: ProjectConfig) -> int:
    """The last demo day written (0 before the first)."""
    marker = demo_folder(config) / _DAY_FILE
    return int(marker.read_text()) if marker.exists() else 0


def run_demo_days(
    config: ProjectConfig,
    days: Iterable[int],
    instance: DagsterInstance,
    *,
    accept: Callable[[Path | str, str, str], str],
    store: DriftStoreResource | None = None,
    on_day: Callable[[DemoDay], None] = lambda day: None,
) -> list[DemoDay]:
    """Write, materialize, route and accept each day in turn (one in-process run a day).

    ``accept(store, dataset, reason)`` (the file or URL) runs a scripted acceptance the way a
    person would (the CLI passes its own ``baseline accept`` command) and returns
    what to show of it."""
    missing = [name for name in DEMO_DATASETS if name not in {d.name for d in config.datasets}]
    if missing:
        raise ValueError(f"the dataset file does not declare the demo dataset(s) {missing}")
    assets = [
        build_dataset_asset(d, config.base_dir) for d in config.datasets if d.name in DEMO_DATASETS
    ]
    store = store or DriftStoreResource()
    folder = demo_folder(config)
    # A started, empty cursor: the router reads every evaluation of the instance;
    # those it routed before (an earlier `demo run`) are already in the outbox.
    cursor = PickupCursor(started=True).serialize()
    played = []
    for day in days:
        write_day(day, folder)
        (folder / _DAY_FILE).write_text(str(day))
        result = materialize(
            assets,
            instance=instance,
            resources={STORE_RESOURCE_KEY: store},
            tags={DEMO_DAY_TAG: str(day)},
            # The day's verdicts are reported by the caller; Dagster's step-by-step
            # debug log stays in the run's event log, not the terminal.
            run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            # A blocking schema check fails the run on purpose; keep playing.
            raise_on_error=False,
        )
        verdicts = tuple(
            CheckVerdict(
                dataset=e.asset_key.to_user_string(),
                check=e.check_name,
                passed=e.passed,
                severity=None if e.passed else e.severity.value,
                description=e.description or "",
            )
            for e in result.get_asset_check_evaluations()
        )
        cursor, routed = _route(config, assets, instance, store, cursor, day)
        target = store.get_store().target
        accepted = tuple(
            accept(target.path or target.url, a.dataset, a.reason)
            for a in DEMO_ACCEPTANCES
            if a.day == day
        )
        played.append(
            DemoDay(
                day=day,
                run_id=result.run_id,
                run_succeeded=result.success,
                verdicts=verdicts,
                routed=routed,
                accepted=accepted,
            )
        )
        on_day(played[-1])
    return played


def _demo_time(day: int) -> datetime:
    """06:00 UTC on the demo's calendar day ``day`` (day 1 is FIRST_DAY)."""
    return datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 6, tzinfo=UTC) + timedelta(
        days=day - 1
    )


def _route(config, assets, instance, store, cursor: str, day: int):
    """One tick of the real router sensor, its clock on the demo's calendar (and
    running from there, for its pacing), so a lasting failure is repeated a day
    later as it would be in production. It sends to Slack only when configured."""
    start, started = _demo_time(day), time.monotonic()
    sensor = build_alert_sensor(
        config, clock=lambda: start + timedelta(seconds=time.monotonic() - started)
    )
    resources = {STORE_RESOURCE_KEY: store, **alert_resources()}
    definitions = Definitions(assets=assets, sensors=[sensor], resources=resources)
    context = build_sensor_context(
        instance=instance, cursor=cursor, resources=resources, definitions=definitions
    )
    outbox = Outbox(store.get_store())
    before = max((row.outbox_id for row in outbox.rows(limit=1)), default=0)
    # The tick's log (its console handler is made inside the tick) would repeat
    # every day what the caller reports from the outbox.
    with contextlib.redirect_stderr(io.StringIO()):
        tick = sensor.evaluate_tick(context)
    routed = [row for row in outbox.rows() if row.outbox_id > before]
    return tick.cursor, tuple(sorted(routed, key=lambda r: r.outbox_id))
