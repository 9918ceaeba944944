"""The code location's definitions, built from the dataset file when Dagster loads
them (never at import): dataset assets and schedules, the dataset file's own status,
the alert router and its health, and the resources they share."""

from __future__ import annotations

import dagster as dg

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


def build_definitions(config: ProjectConfig) -> dg.Definitions:
    assets = [build_dataset_asset(d, config.base_dir) for d in config.datasets]
    schedules = [s for d in config.datasets if (s := build_dataset_schedule(d)) is not None]
    return dg.Definitions(
        assets=[*assets, build_config_status_asset(config), router_health_asset()],
        asset_checks=[router_health_check(config.alerts)],
        schedules=schedules,
        sensors=[build_alert_sensor(config)],
        resources={STORE_RESOURCE_KEY: DriftStoreResource(), **alert_resources()},
    )


@dg.definitions
def location() -> dg.Definitions:
    # Not strict: a broken dataset file still loads a code location whose
    # dataset_config asset shows what is wrong.
    return build_definitions(load_config(strict=False))
