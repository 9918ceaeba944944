"""Concurrent step processes writing the store at once: every result arrives."""

from __future__ import annotations

import shutil

import pytest
from dagster import execute_job, instance_for_test, reconstructable

from drift_assets.demo.generate import write_day
from drift_assets.store import DriftStore
from drift_assets_tests.conftest import REPO
from drift_assets_tests.e2e.multiprocess_job import demo_job


@pytest.mark.slow
def test_three_datasets_in_three_processes_record_every_result(tmp_path, monkeypatch):
    shutil.copy(REPO / "datasets.yaml", tmp_path / "datasets.yaml")
    write_day(1, tmp_path / "demo_data")
    db = tmp_path / "drift.duckdb"
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(tmp_path / "datasets.yaml"))
    monkeypatch.setenv("DRIFT_ASSETS_DB", str(db))
    # The step processes import drift_assets_tests from the working directory.
    monkeypatch.chdir(REPO)

    (tmp_path / "dagster_home").mkdir()
    with instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        for _ in range(2):  # the second run compares with the first one's baselines
            with execute_job(reconstructable(demo_job), instance=instance) as result:
                assert result.success
                evaluations = result.get_asset_check_evaluations()
                assert len(evaluations) == 12  # three datasets, four checks
                run_id = result.run_id
            stored = DriftStore(db).check_history()
            from_run = {(r.dataset, r.check_name): r.passed for r in stored if r.run_id == run_id}
            in_dagster = {
                (e.asset_key.to_user_string(), e.check_name): e.passed for e in evaluations
            }
            assert from_run == in_dagster

        # The three steps really ran in three processes.
        step_starts = [
            e
            for e in instance.all_logs(run_id)
            if e.is_dagster_event and e.dagster_event.is_step_start
        ]
        assert len({e.dagster_event.pid for e in step_starts}) == 3
    assert len(DriftStore(db).check_history()) == 24  # two runs, three datasets, four checks
