"""The code location's definitions, built from the dataset file when Dagster loads
them (never at import): dataset assets and schedules, the dataset file's own status,
the alert router and its health, and the resources they share."""

from __future__ import annotations

import dagster as dg

from drift_assets.checks.containment import reason
from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.config_status import build_config_status_asset
from drift_assets.defs.dataset_assets import (
    STORE_RESOURCE_KEY,
    build_dataset_asset,
    build_dataset_schedule,
)
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.defs.router_health import router_health_asset, router_health_check
from drift_assets.settings.dataset_file import ProjectConfig, load_config

# Asset keys the location defines itself; a dataset may not take them.
_OWN_ASSETS = frozenset({"dataset_config", "router_health"})


def build_definitions(config: ProjectConfig) -> dg.Definitions:
    """The location's definitions. A dataset Dagster refuses is left out and its
    error shown by ``dataset_config`` like a dataset file mistake, and should the
    whole set still not load, every dataset is left out: the location always loads."""
    assets, schedules, errors = [], [], list(config.errors)
    for dataset in config.datasets:
        try:
            if dataset.name in _OWN_ASSETS:
                raise ValueError("the name is the code location's own asset")
            asset = build_dataset_asset(dataset, config.base_dir, config.data_roots)
            schedule = build_dataset_schedule(dataset)
        except Exception as exc:
            errors.append(f"{config.source_file}: dataset {dataset.name!r}: {reason(exc)}")
            continue
        assets.append(asset)
        schedules += [schedule] if schedule is not None else []
    kept = {a.key.to_user_string() for a in assets}
    config = config.model_copy(
        update={
            "datasets": tuple(d for d in config.datasets if d.name in kept),
            "errors": tuple(errors),
        }
    )
    defs = _definitions(config, assets, schedules)
    try:
        defs.get_repository_def()
    except Exception as exc:
        problem = f"{config.source_file}: the datasets could not be loaded together: {reason(exc)}"
        config = config.model_copy(update={"datasets": (), "errors": (*errors, problem)})
        defs = _definitions(config, [], [])
    return defs


def _definitions(config: ProjectConfig, assets: list, schedules: list) -> dg.Definitions:
    return dg.Definitions(
        assets=[*assets, build_config_status_asset(config), router_health_asset()],
        asset_checks=[router_health_check(config.alerts)],
        schedules=schedules,
        sensors=[build_alert_sensor(config)],
        resources={STORE_RESOURCE_KEY: DriftStoreResource(), **alert_resources(config.alerts)},
    )


@dg.definitions
def location() -> dg.Definitions:
    # Not strict: a broken dataset file still loads a code location whose
    # dataset_config asset shows what is wrong.
    return build_definitions(load_config(strict=False))
