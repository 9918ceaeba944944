"""Plays demo days: writes each day's batches as that date's daily partition,
materializes the demo datasets' partitions through their own jobs on the Dagster
instance, lets the alert router take one tick on that date, and runs the scripted
``drift-assets baseline accept`` commands, so ``dagster dev`` and ``drift-assets
alerts`` show a history of failures, repeats and recoveries, read by date.

The demo's days are real dates ending today: the first ``demo run --days N``
plays the N days up to today; later runs continue from the day after the last
one played, up to today."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from time import monotonic

from dagster import DagsterInstance, Definitions, build_sensor_context

from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.check_results import STORE_WRITE_KEY
from drift_assets.defs.dataset_assets import (
    STORE_RESOURCE_KEY,
    build_dataset_asset,
    build_dataset_job,
)
from drift_assets.defs.pickup import PickupCursor
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.demo.generate import DEMO_ACCEPTANCES, DEMO_DATASETS, write_day
from drift_assets.settings.dataset_file import ProjectConfig
from drift_assets.store.backends import StoreUnavailableError
from drift_assets.store.connection import StoreLockedError
from drift_assets.store.outbox import Outbox, OutboxRow

DEMO_FOLDER = "demo_data"
_DAY_FILE = ".last_day"
_FIRST_DATE_FILE = ".first_date"
DEMO_DAY_TAG = "drift_assets/demo_day"
# Dagster's UI lists a job's runs by the code location they were launched from,
# a hidden tag that runs launched by the UI or the daemon carry and in-process
# runs do not; the demo's runs carry it so each dataset's job page lists them.
# The location is the one `make dev` loads (pyproject's code_location_name).
CODE_LOCATION = "drift_assets"
_LOCATION_TAG = {".dagster/repository": f"__repository__@{CODE_LOCATION}"}


@dataclass(frozen=True)
class CheckVerdict:
    dataset: str
    check: str
    passed: bool
    severity: str | None
    description: str
    partition: str | None = None
    run_id: str | None = None


@dataclass(frozen=True)
class DemoDay:
    day: int
    date: date  # the daily partition the day's batches are
    run_ids: dict[str, str]  # one run per dataset, through its own job
    failed_runs: tuple[str, ...]  # datasets whose run failed (a blocking check)
    verdicts: tuple[CheckVerdict, ...]
    routed: tuple[OutboxRow, ...]  # what the router's tick wrote to the outbox
    accepted: tuple[str, ...]  # each scripted `baseline accept`: the command and its output
    # "<dataset or router>: why", for each part of the day that did not complete:
    # a dataset that ran no check or whose results wait in the store's journal,
    # a router tick that could not run.
    incomplete: tuple[str, ...] = ()

    @property
    def run_succeeded(self) -> bool:
        return not self.failed_runs

    def failed(self) -> dict[str, set[str]]:
        failing: dict[str, set[str]] = {}
        for verdict in self.verdicts:
            if not verdict.passed:
                failing.setdefault(verdict.dataset, set()).add(verdict.check)
        return failing


def demo_folder(config: ProjectConfig) -> Path:
    return config.base_dir / DEMO_FOLDER


def progress_folder(instance: DagsterInstance) -> Path:
    """Where the demo remembers how far it got: beside the Dagster instance whose
    runs it played, so a fresh ``DAGSTER_HOME`` starts the demo again at day 1
    (the data folder is only the day's files, rewritten as each day is played)."""
    return Path(instance.root_directory) / "drift_assets_demo"


def last_day(instance: DagsterInstance) -> int:
    """The last demo day played on this instance (0 before the first)."""
    marker = progress_folder(instance) / _DAY_FILE
    return int(marker.read_text()) if marker.exists() else 0


def demo_dates(instance: DagsterInstance, days: list[int], today: date) -> dict[int, date]:
    """Each demo day's date. Day 1's date is fixed when the demo is first played,
    so that the days asked for end today; a day after today does not exist yet
    (its partition neither), and asking for it is an error saying when it can."""
    marker = progress_folder(instance) / _FIRST_DATE_FILE
    if marker.exists():
        first = date.fromisoformat(marker.read_text().strip())
    else:
        first = today - timedelta(days=max(days, default=1) - 1)
    dates = {day: first + timedelta(days=day - 1) for day in days}
    late = [day for day, on in dates.items() if on > today]
    if late:
        raise ValueError(
            f"demo day {late[0]} is {dates[late[0]]}, after today: the demo plays one daily"
            f" partition a day, up to today ({today}); play it on {dates[late[0]]}"
        )
    return dates


def run_demo_days(
    config: ProjectConfig,
    days: Iterable[int],
    instance: DagsterInstance,
    *,
    accept: Callable[[Path | str, str, str], str],
    today: date,
    store: DriftStoreResource | None = None,
    on_day: Callable[[DemoDay], None] = lambda day: None,
) -> list[DemoDay]:
    """Write, materialize, route and accept each day in turn: one in-process run
    per dataset and day, through the dataset's own job, for that date's partition.

    ``accept(store, dataset, reason)`` (the file or URL) runs a scripted acceptance the way a
    person would (the CLI passes its own ``baseline accept`` command) and returns
    what to show of it. ``today`` is the last date that may be played."""
    missing = [name for name in DEMO_DATASETS if name not in {d.name for d in config.datasets}]
    if missing:
        raise ValueError(f"the dataset file does not declare the demo dataset(s) {missing}")
    demo = [d for d in config.datasets if d.name in DEMO_DATASETS]
    assets = [build_dataset_asset(d, config.base_dir) for d in demo]
    store = store or DriftStoreResource()
    definitions = Definitions(
        assets=assets,
        jobs=[build_dataset_job(d) for d in demo],
        resources={STORE_RESOURCE_KEY: store},
    )
    jobs = {d.name: definitions.resolve_job_def(f"{d.name}_job") for d in demo}
    days = list(days)
    dates = demo_dates(instance, days, today)
    folder = demo_folder(config)
    progress = progress_folder(instance)
    progress.mkdir(parents=True, exist_ok=True)
    if days and not (progress / _FIRST_DATE_FILE).exists():
        (progress / _FIRST_DATE_FILE).write_text(
            (dates[days[0]] - timedelta(days=days[0] - 1)).isoformat()
        )
    # A started, empty cursor: the router reads every evaluation of the instance;
    # those it routed before (an earlier `demo run`) are already in the outbox.
    cursor = PickupCursor(started=True).serialize()
    played = []
    for day in days:
        on = dates[day]
        write_day(day, folder, on)
        results = {
            dataset.name: jobs[dataset.name].execute_in_process(
                instance=instance,
                partition_key=on.isoformat(),
                tags={DEMO_DAY_TAG: str(day), **_LOCATION_TAG},
                # The day's verdicts are reported by the caller; Dagster's step-by-step
                # debug log stays in the run's event log, not the terminal.
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                # A blocking schema check fails the run on purpose; keep playing.
                raise_on_error=False,
            )
            for dataset in demo
        }
        verdicts = tuple(
            CheckVerdict(
                dataset=e.asset_key.to_user_string(),
                check=e.check_name,
                passed=e.passed,
                severity=None if e.passed else e.severity.value,
                description=e.description or "",
                partition=e.partition,
                run_id=result.run_id,
            )
            for result in results.values()
            for e in result.get_asset_check_evaluations()
        )
        incomplete = _incomplete(results, verdicts)
        try:
            cursor, routed = _route(config, assets, instance, store, cursor, on)
        except (StoreLockedError, StoreUnavailableError) as exc:
            # The cursor stays put, so the next tick routes this day's results.
            routed, incomplete = (), (*incomplete, f"router: {exc}; the next tick routes them")
        target = store.get_store().target
        accepted = tuple(
            accept(target.path or target.url, a.dataset, a.reason)
            for a in DEMO_ACCEPTANCES
            if a.day == day
        )
        played.append(
            DemoDay(
                day=day,
                date=on,
                run_ids={name: result.run_id for name, result in results.items()},
                failed_runs=tuple(name for name, result in results.items() if not result.success),
                verdicts=verdicts,
                routed=routed,
                accepted=accepted,
                incomplete=incomplete,
            )
        )
        on_day(played[-1])
        if incomplete:
            # Not counted as played: the next `demo run` plays this day again
            # (its partitions are re-materialized), and no later day runs on a
            # history with a hole in it.
            break
        (progress / _DAY_FILE).write_text(str(day))
    return played


def _incomplete(results: dict, verdicts: tuple[CheckVerdict, ...]) -> tuple[str, ...]:
    """What of the day did not complete, per dataset: a step that ran no check
    (its failure's line), or results that wait in the store's journal."""
    checked = {v.dataset for v in verdicts}
    failures = {
        event.step_key: _failure_line(event)
        for result in results.values()
        for event in result.get_step_failure_events()
    }
    lines = [
        f"{name}: no check ran: {failures.get(name, 'its step did not run')}"
        for name in DEMO_DATASETS
        if name not in checked
    ]
    materializations = (m for r in results.values() for m in r.get_asset_materialization_events())
    for materialization in materializations:
        written = materialization.materialization.metadata.get(STORE_WRITE_KEY)
        if written is not None and written.value.startswith("journaled"):
            lines.append(f"{materialization.asset_key.to_user_string()}: {written.value}")
    return tuple(lines)


def _failure_line(event) -> str:
    # A Failure raised by our asset carries its one-line description; anything
    # else, the first line of the error.
    data = event.step_failure_data
    if data.user_failure_data is not None and data.user_failure_data.description:
        return data.user_failure_data.description
    message = data.error.message if data.error is not None else "the step failed"
    return message.strip().splitlines()[0]


def _route(config, assets, instance, store, cursor: str, on: date):
    """One tick of the real router sensor, its clock at 06:00 UTC of the day's
    date (and running from there, for its pacing), so a lasting failure is
    repeated a day later as it would be in production. It sends to Slack only
    when configured."""
    start, started = datetime.combine(on, time(6), tzinfo=UTC), monotonic()
    sensor = build_alert_sensor(
        config, clock=lambda: start + timedelta(seconds=monotonic() - started)
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
