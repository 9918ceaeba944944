"""Definitions built from datasets when Dagster loads them (never at import): the
dataset assets and schedules with their file's status, and the alert router with
its health and the resources. The components (``defs.components``) call these."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import dagster as dg

from drift_assets.checks.containment import reason
from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.config_status import (
    STATUS_ASSET,
    build_config_status_asset,
    build_config_status_sensor,
    left_out_placeholder,
)
from drift_assets.defs.dataset_assets import (
    STORE_RESOURCE_KEY,
    build_dataset_asset,
    build_dataset_schedule,
)
from drift_assets.defs.executor import run_executor
from drift_assets.defs.halted_router import build_halted_alert_sensor
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.defs.router_health import (
    ROUTER_ASSET,
    router_health_asset,
    router_health_check,
)
from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.dataset_file import ProjectConfig, load_config

# One store resource object for every component: Dagster merges definitions that
# bind a key to the very same object, and refuses two different ones.
STORE = DriftStoreResource()

# Asset keys defined beside the datasets; a dataset may not take them.
_OWN_ASSETS = frozenset({STATUS_ASSET, ROUTER_ASSET.to_user_string()})


def build_definitions(config: ProjectConfig) -> dg.Definitions:
    """Everything one dataset file makes: its datasets and the alert router."""
    return dg.Definitions.merge(build_dataset_definitions(config), build_alert_definitions(config))


def build_dataset_definitions(
    config: ProjectConfig,
    *,
    key_prefix: Sequence[str] = (),
    reload: Callable[[], ProjectConfig] | None = None,
) -> dg.Definitions:
    """The datasets' assets and schedules, their status asset (``dataset_config``
    under ``key_prefix``) and its sensor. A dataset Dagster refuses is left out and
    its error shown like a dataset file mistake; ``reload`` (default: the dataset
    file again) re-reads the datasets when the status asset is materialized."""
    prefix = tuple(key_prefix)
    if reload is None and config.source_file is not None:
        file = config.source_file
        reload = lambda: load_config(file, strict=False)  # noqa: E731
    executor, problem = run_executor()
    if problem is not None:
        config = config.model_copy(update={"errors": (*config.errors, problem)})
    config, assets, schedules = _checked(config, prefix)
    status_key = dg.AssetKey([*prefix, STATUS_ASSET])

    def recheck() -> ProjectConfig:
        return _checked(reload(), prefix)[0] if reload is not None else config

    return dg.Definitions(
        assets=[
            *assets,
            *(left_out_placeholder(name, config, prefix) for name in config.left_out),
            build_config_status_asset(config, key=status_key, recheck=recheck),
        ],
        schedules=schedules,
        sensors=[build_config_status_sensor(config, key=status_key)],
        resources={STORE_RESOURCE_KEY: STORE},
        executor=executor,
    )


def build_alert_definitions(config: ProjectConfig) -> dg.Definitions:
    """The alert router (sensor), its health asset and check, and their resources."""
    return dg.Definitions(
        assets=[router_health_asset()],
        asset_checks=[router_health_check(config.alerts)],
        sensors=[build_alert_sensor(config)],
        resources={STORE_RESOURCE_KEY: STORE, **alert_resources(config.alerts)},
    )


def build_halted_alert_definitions(problem: str) -> dg.Definitions:
    """What an alerts configuration that does not load leaves: the router's health
    asset, its check (failing with ``problem`` when run), and a router that sends
    nothing and says why (``halted_router``)."""
    return dg.Definitions(
        assets=[router_health_asset()],
        asset_checks=[router_health_check(AlertsConfig(), halted=problem)],
        sensors=[build_halted_alert_sensor(problem)],
        resources={STORE_RESOURCE_KEY: STORE},
    )


def _checked(config: ProjectConfig, prefix: tuple[str, ...]):
    """The datasets Dagster accepts, built; the others are left out with their error,
    and should the set still not load together, every dataset is left out."""
    assets, schedules, errors, left_out = [], [], list(config.errors), list(config.left_out)
    for dataset in config.datasets:
        try:
            if "/".join([*prefix, dataset.name]) in _OWN_ASSETS:
                raise ValueError("the name is the code location's own asset")
            asset = build_dataset_asset(
                dataset, config.base_dir, config.data_roots, key_prefix=prefix
            )
            schedule = build_dataset_schedule(dataset, key_prefix=prefix)
        except Exception as exc:
            errors.append(f"{config.source_file}: dataset {dataset.name!r}: {reason(exc)}")
            if dataset.name not in _OWN_ASSETS:
                left_out.append(dataset.name)
            continue
        assets.append(asset)
        schedules += [schedule] if schedule is not None else []
    kept = {a.key.path[-1] for a in assets}
    checked = config.model_copy(
        update={
            "datasets": tuple(d for d in config.datasets if d.name in kept),
            "errors": tuple(errors),
            "left_out": tuple(left_out),
        }
    )
    placeholders = [left_out_placeholder(n, checked, prefix) for n in checked.left_out]
    try:
        dg.Definitions(
            assets=[*assets, *placeholders],
            schedules=schedules,
            resources={STORE_RESOURCE_KEY: STORE},
        ).get_repository_def()
    except Exception as exc:
        problem = f"{config.source_file}: the datasets could not be loaded together: {reason(exc)}"
        # No placeholders either: they may be what clashes.
        update = {"datasets": (), "errors": (*errors, problem), "left_out": ()}
        return checked.model_copy(update=update), [], []
    return checked, assets, schedules
