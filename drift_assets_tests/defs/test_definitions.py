"""The code location: what it shows Dagster, and that a broken dataset file or a
missing source never takes it down or touches the store."""

from __future__ import annotations

import importlib
import textwrap
from datetime import UTC, datetime

import pytest
from dagster import (
    AssetCheckKey,
    AssetKey,
    DagsterInstance,
    Definitions,
    build_schedule_context,
    build_sensor_context,
    materialize,
)

from drift_assets import definitions
from drift_assets.defs.config_status import build_config_status_asset
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.location import build_definitions
from drift_assets.defs.resources import DriftStoreResource, SlackAlertsResource
from drift_assets.settings.dataset_file import load_config
from drift_assets.store.outbox import Outbox
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
    assert {s.name for s in loaded.sensors} == {"drift_alert_router", "dataset_config_status"}
    assert set(loaded.resources) == set(defs.resources)


@pytest.mark.parametrize("dataset", ["orders", "customers", "web_events"])
def test_each_dataset_is_an_asset_with_the_four_checks(defs, dataset):
    asset = defs.resolve_assets_def(dataset)
    checks = {key.name for key in asset.check_keys}
    assert checks == {"schema_change", "null_rate", "distribution_shift", "row_count"}
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
    assert keys == {"fine", "broken", "dataset_config", "drift_alert_router"}
    # The broken one keeps its catalog row, saying why it is out, and cannot run.
    (placeholder,) = [s for s in defs.assets if getattr(s, "key", None) == AssetKey("broken")]
    assert "Left out of the code location" in placeholder.description
    assert "field policy.baseline" in placeholder.description
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


def test_the_valid_check_fails_on_load_and_passes_once_fixed_without_a_materialization(tmp_path):
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    path = tmp_path / "datasets.yaml"
    path.write_text("defaults: {channel: '#data-alerts'}\ndatasets:\n  - {name: broken, source: {csv: b.csv}, policy: {baseline: yesterday}}\n")
    key = AssetCheckKey(AssetKey("dataset_config"), "valid")
    with DagsterInstance.ephemeral() as instance:

        def tick(cursor=None):
            defs = build_definitions(load_config(path, strict=False))
            sensor = defs.resolve_sensor_def("dataset_config_status")
            context = build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
            result = sensor.evaluate_tick(context)
            for evaluation in result.asset_events:
                instance.report_runless_asset_event(evaluation)
            return result

        first = tick()
        (evaluation,) = first.asset_events
        assert evaluation.passed is False and "field policy.baseline" in evaluation.description
        # The router announces it in the file's channel, like its datasets' alerts.
        defs = build_definitions(load_config(path, strict=False))
        resources = {"drift_store": store, "slack_alerts": SlackAlertsResource()}
        router = defs.resolve_sensor_def("drift_alert_router")
        routed = router.evaluate_tick(
            build_sensor_context(instance=instance, resources=resources, definitions=defs)
        )
        (alert,) = Outbox(store.get_store()).rows()
        assert (alert.asset_key, alert.check_name, alert.channel) == (
            "dataset_config",
            "valid",
            "#data-alerts",
        )
        assert tick(first.cursor).asset_events == []  # recorded once, not every 30 s
        path.write_text("datasets:\n  - {name: broken, source: {csv: b.csv}}\n")
        fixed = tick(first.cursor)
        assert [e.passed for e in fixed.asset_events] == [True]
        latest = instance.event_log_storage.get_latest_asset_check_execution_by_key([key])[key]
        assert latest.evaluation.passed
        # ... so the asset is green again and the alert is resolved, not left stale.
        defs = build_definitions(load_config(path, strict=False))
        defs.resolve_sensor_def("drift_alert_router").evaluate_tick(
            build_sensor_context(
                instance=instance, resources=resources, definitions=defs, cursor=routed.cursor
            )
        )
        kinds = [r.kind.value for r in Outbox(store.get_store()).rows()]
        assert sorted(kinds) == ["alert", "resolved"]


def test_a_dataset_only_dagster_refuses_fails_the_valid_check_when_materialized(tmp_path):
    # The file is valid; only the code location refuses the name. Fixed in a loaded
    # location, the check re-reads the file and says so without a reload.
    path = tmp_path / "datasets.yaml"
    path.write_text("datasets:\n  - {name: fine, source: {csv: f.csv}}\n")
    defs = build_definitions(load_config(path, strict=False))
    path.write_text("datasets:\n  - {name: dataset_config, source: {csv: f.csv}}\n")
    result = materialize([defs.resolve_assets_def("dataset_config")], raise_on_error=False)
    (evaluation,) = result.get_asset_check_evaluations()
    assert evaluation.passed is False
    assert "dataset 'dataset_config': ValueError: the name is the code location's own asset" in evaluation.description
