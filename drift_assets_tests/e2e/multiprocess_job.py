"""A job over the demo datasets that Dagster can rebuild in step subprocesses
(the multiprocess executor imports this module by name)."""

from __future__ import annotations

from dagster import Definitions, JobDefinition, define_asset_job, multiprocess_executor

from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY, build_dataset_asset
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.dataset_file import load_config

JOB_NAME = "all_demo_datasets"


def demo_job() -> JobDefinition:
    config = load_config()  # DRIFT_ASSETS_CONFIG names the file
    defs = Definitions(
        assets=[build_dataset_asset(d, config.base_dir) for d in config.datasets],
        jobs=[define_asset_job(JOB_NAME, selection=[d.name for d in config.datasets])],
        resources={STORE_RESOURCE_KEY: DriftStoreResource()},  # DRIFT_ASSETS_DB names the file
        executor=multiprocess_executor.configured({"max_concurrent": 3}),
    )
    return defs.resolve_job_def(JOB_NAME)
