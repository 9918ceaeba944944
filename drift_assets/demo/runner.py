"""Plays demo days: writes each day's batches and materializes the demo datasets
on the Dagster instance, so ``dagster dev`` shows a history of passes and failures."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from dagster import DagsterInstance, materialize

from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY, build_dataset_asset
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.demo.generate import DEMO_DATASETS, write_day
from drift_assets.settings.dataset_file import ProjectConfig

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
    store: DriftStoreResource | None = None,
    on_day: Callable[[DemoDay], None] = lambda day: None,
) -> list[DemoDay]:
    """Write and materialize each day in turn (one in-process run a day)."""
    missing = [name for name in DEMO_DATASETS if name not in {d.name for d in config.datasets}]
    if missing:
        raise ValueError(f"the dataset file does not declare the demo dataset(s) {missing}")
    assets = [
        build_dataset_asset(d, config.base_dir) for d in config.datasets if d.name in DEMO_DATASETS
    ]
    folder = demo_folder(config)
    played = []
    for day in days:
        write_day(day, folder)
        (folder / _DAY_FILE).write_text(str(day))
        result = materialize(
            assets,
            instance=instance,
            resources={STORE_RESOURCE_KEY: store or DriftStoreResource()},
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
        played.append(
            DemoDay(day=day, run_id=result.run_id, run_succeeded=result.success, verdicts=verdicts)
        )
        on_day(played[-1])
    return played
