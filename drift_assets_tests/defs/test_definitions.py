"""The code location: what it shows Dagster, and that a broken dataset file or a
missing source never takes it down or touches the store."""

from __future__ import annotations

import importlib
import textwrap
from datetime import UTC, datetime

import pytest
from dagster import AssetKey, DagsterInstance, Definitions, build_schedule_context, materialize

from drift_assets import definitions
from drift_assets.defs.config_status import build_config_status_asset
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.location import build_definitions
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.dataset_file import load_config
from drift_assets_tests.conftest import REPO


@pytest.fixture(scope="module")
def defs() -> Definitions:
    return build_definitions(load_config(REPO / "datasets.yaml"))


def test_the_repo_definitions_load(defs):
    Definitions.validate_loadable(defs)


def test_the_code_location_reads_the_dataset_file_when_loaded_not_imported(
    tmp_path, monkeypatch, defs
):
    # Imported while the dataset file it names does not exist yet: had the import
    # read it, the location would hold only the error.
    path = tmp_path / "datasets.yaml"
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(path))
    importlib.reload(definitions)
    path.write_text((REPO / "datasets.yaml").read_text())
    loaded = definitions.defs()
    # The defs folder's definitions are the dataset file's, nothing missing or extra.
    assert set(loaded.resolve_all_asset_keys()) == set(defs.resolve_all_asset_keys())
    assert {s.name for s in loaded.schedules} == {s.name for s in defs.schedules}
    assert {s.name for s in loaded.sensors} == {"drift_alert_router"}
    assert set(loaded.resources) == set(defs.resources)


@pytest.mark.parametrize("dataset", ["orders", "customers", "web_events"])
def test_each_dataset_is_an_asset_with_the_three_checks(defs, dataset):
    asset = defs.resolve_assets_def(dataset)
    checks = {key.name for key in asset.check_keys}
    assert checks == {"schema_change", "null_rate", "distribution_shift"}
    specs = {spec.name: spec for spec in asset.check_specs}
    # Schema errors block downstream assets by default; the other families warn.
    assert specs["schema_change"].blocking is True
    assert specs["null_rate"].blocking is False


@pytest.mark.parametrize(
    ("dataset", "cron"),
    [("orders", "0 6 * * *"), ("customers", "30 6 * * *"), ("web_events", "0 7 * * *")],
)
def test_each_dataset_has_a_described_schedule_and_job(defs, dataset, cron):
    schedule = defs.resolve_schedule_def(f"{dataset}_schedule")
    assert schedule.cron_schedule == cron
    assert dataset in schedule.description and cron in schedule.description
    job = defs.resolve_job_def(f"{dataset}_job")
    assert job.description == f"Profile {dataset} and run its drift checks."


def test_a_partitioned_schedule_runs_the_latest_daily_partition(defs):
    schedule = defs.resolve_schedule_def("orders_schedule")
    at = datetime(2026, 11, 20, 6, tzinfo=UTC)
    with build_schedule_context(
        scheduled_execution_time=at, repository_def=defs.get_repository_def()
    ) as context:
        (request,) = schedule.evaluate_tick(context).run_requests
    # end_offset 1: the demo's datasets include today's partition.
    assert request.partition_key == "2026-11-20"


def test_a_broken_dataset_is_left_out_and_shown(tmp_path):
    path = tmp_path / "datasets.yaml"
    path.write_text(
        textwrap.dedent(
            """
            datasets:
              - {name: fine, source: {csv: fine.csv}}
              - {name: broken, source: {csv: b.csv}, policy: {baseline: yesterday}}
            """
        )
    )
    defs = build_definitions(load_config(path, strict=False))
    Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert keys == {"fine", "dataset_config", "drift_alert_router"}
    status = defs.resolve_assets_def("dataset_config")
    assert (
        "dataset 'broken': field policy.baseline"
        in status.descriptions_by_key[AssetKey("dataset_config")]
    )

    result = materialize([status], raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    assert "dataset 'broken': field policy.baseline" in evaluation.description


def test_an_unreadable_dataset_file_still_loads_a_code_location(tmp_path):
    defs = build_definitions(load_config(tmp_path / "missing.yaml", strict=False))
    Definitions.validate_loadable(defs)
    status = defs.resolve_assets_def("dataset_config")
    assert "cannot read the dataset file" in status.descriptions_by_key[AssetKey("dataset_config")]


def test_a_valid_file_passes_the_config_check(tmp_path):
    config = load_config(REPO / "datasets.yaml")
    result = materialize([build_config_status_asset(config)])
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed and "3 dataset(s) valid" in evaluation.description


def test_a_missing_source_fails_the_run_clearly_and_stores_nothing(tmp_path):
    path = tmp_path / "datasets.yaml"
    path.write_text("datasets:\n  - {name: ghost, source: {csv: nowhere/ghost.csv}}\n")
    config = load_config(path)
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            [build_dataset_asset(config.datasets[0], config.base_dir)],
            instance=instance,
            resources={"drift_store": store},
            raise_on_error=False,
        )
        assert not result.success
        failure = next(e for e in result.all_events if e.is_step_failure)
        message = failure.step_failure_data.error.message
        assert "dataset ghost" in message and "ghost.csv" in message
    assert store.get_store().check_history() == []
