"""A backfill in step processes, one run per daily partition (as the assets'
BackfillPolicy.multi_run(1) launches it) and out of order: three datasets write
the store at once from three processes, every result arrives, and each
partition ends with the verdicts partition order gives."""

from __future__ import annotations

import shutil
from datetime import date

import pytest
from dagster import execute_job, instance_for_test, reconstructable

from drift_assets.demo.generate import write_day
from drift_assets.store import DriftStore
from drift_assets_tests.conftest import REPO
from drift_assets_tests.e2e.multiprocess_job import demo_job

DATES = {1: date(2026, 11, 1), 2: date(2026, 11, 2)}


@pytest.mark.slow
def test_an_out_of_order_backfill_in_step_processes_records_every_result(tmp_path, monkeypatch):
    shutil.copy(REPO / "datasets.yaml", tmp_path / "datasets.yaml")
    for day, on in DATES.items():
        write_day(day, tmp_path / "demo_data", on)
    db = tmp_path / "drift.duckdb"
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(tmp_path / "datasets.yaml"))
    monkeypatch.setenv("DRIFT_ASSETS_DB", str(db))
    # The step processes import drift_assets_tests from the working directory.
    monkeypatch.chdir(REPO)

    (tmp_path / "dagster_home").mkdir()
    with instance_for_test(temp_dir=str(tmp_path / "dagster_home")) as instance:
        for day in (2, 1):  # the later day's run finishes first
            key = DATES[day].isoformat()
            with execute_job(
                reconstructable(demo_job), instance=instance, tags={"dagster/partition": key}
            ) as result:
                assert result.success
                evaluations = result.get_asset_check_evaluations()
                run_id = result.run_id
            own = [e for e in evaluations if e.partition == key]
            assert len(own) == 12  # three datasets, four checks
            stored = DriftStore(db).check_history(partition=key, current_only=True)
            from_run = {(r.dataset, r.check_name): r.passed for r in stored if r.run_id == run_id}
            in_dagster = {(e.asset_key.to_user_string(), e.check_name): e.passed for e in own}
            assert from_run == in_dagster

        # The three steps really ran in three processes.
        step_starts = [
            e
            for e in instance.all_logs(run_id)
            if e.is_dagster_event and e.dagster_event.is_step_start
        ]
        assert len({e.dagster_event.pid for e in step_starts}) == 3
    current = DriftStore(db).check_history(current_only=True)
    assert len(current) == 24  # one current result per partition, dataset and check (four)
    key_of = {r.profile_id: r.partition_key for r in DriftStore(db).check_history()}
    # Day 2 arrived first and recorded a baseline; once day 1 was stored it was
    # evaluated again (in day 1's step processes) against day 1, as on time.
    day_2 = [r for r in current if r.partition_key == "2026-11-02"]
    assert {key_of[r.baseline_profile_ids[0]] for r in day_2} == {"2026-11-01"}
    assert all(r.passed for r in current)
