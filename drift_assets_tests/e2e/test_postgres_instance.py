"""deploy/dagster.yaml for real: a Dagster instance whose runs, event log and
schedule state live in a real PostgreSQL server (dagster-postgres), running the
demo datasets in separate step processes."""

from __future__ import annotations

import shutil
from datetime import date

import psycopg
import pytest
from dagster import DagsterInstance, execute_job, reconstructable

from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.demo.generate import write_day
from drift_assets.store import DriftStore
from drift_assets_tests.conftest import REPO
from drift_assets_tests.e2e.multiprocess_job import demo_job


@pytest.mark.slow
def test_deploy_instance_on_postgres_records_every_run_and_check(postgres, tmp_path, monkeypatch):
    database_url = postgres.create_database("dagster_instance")
    home = tmp_path / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "deploy" / "dagster.yaml", home / "dagster.yaml")
    for name, value in {
        "DAGSTER_PG_HOST": postgres.host,
        "DAGSTER_PG_PORT": str(postgres.port),
        "DAGSTER_PG_DB": "dagster_instance",
        "DAGSTER_PG_USER": postgres.user,
        "DAGSTER_PG_PASSWORD": "",  # the test server trusts loopback
    }.items():
        monkeypatch.setenv(name, value)
    shutil.copy(REPO / "datasets.yaml", tmp_path / "datasets.yaml")
    day = date(2026, 11, 1)  # the demo datasets are daily-partitioned
    write_day(1, tmp_path / "demo_data", day)
    db = tmp_path / "drift.duckdb"
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(tmp_path / "datasets.yaml"))
    monkeypatch.setenv("DRIFT_ASSETS_DB", str(db))
    monkeypatch.chdir(REPO)  # the step processes import drift_assets_tests from here

    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        with execute_job(
            reconstructable(demo_job),
            instance=instance,
            tags={"dagster/partition": day.isoformat()},
        ) as result:
            assert result.success
            run_id = result.run_id
            in_dagster = {
                (e.asset_key.to_user_string(), e.check_name): e.passed
                for e in result.get_asset_check_evaluations()
            }
        step_pids = {
            e.dagster_event.pid
            for e in instance.all_logs(run_id)
            if e.is_dagster_event and e.dagster_event.is_step_start
        }
    assert len(step_pids) == 3  # three step processes, one per dataset

    # What Dagster recorded is in Postgres, not in a file under DAGSTER_HOME.
    with psycopg.connect(database_url) as conn:
        (runs,) = conn.execute("SELECT count(*) FROM runs WHERE run_id = %s", [run_id]).fetchone()
        (check_events,) = conn.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = %s"
            " AND dagster_event_type = 'ASSET_CHECK_EVALUATION'",
            [run_id],
        ).fetchone()
    assert runs == 1
    assert check_events == len(in_dagster) == 3 * len(CHECK_NAMES)
    assert not list(home.glob("**/*.db"))
    stored = {(r.dataset, r.check_name): r.passed for r in DriftStore(db).check_history()}
    assert stored == in_dagster
