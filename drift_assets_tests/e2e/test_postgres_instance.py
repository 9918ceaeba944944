"""deploy/dagster.yaml for real, as a multi-host rehearsal on one machine: a
Dagster instance whose runs, event log and schedule state live in a real
PostgreSQL server (dagster-postgres), and hosts that share no files (each its own working directory,
DAGSTER_HOME and data) run the demo on that instance with the drift store in
Postgres too, and every result, alert and action lands there exactly once."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import psycopg
import pytest
from click.testing import CliRunner
from dagster import DagsterInstance, Definitions, build_sensor_context

from drift_assets.alerts.router import Kind
from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.cli import main
from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY, build_dataset_asset
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.demo.generate import DEMO_DATASETS, FIRST_DAY, write_day
from drift_assets.settings.dataset_file import load_config
from drift_assets.store import DriftStore
from drift_assets.store.action_log import ActionLog
from drift_assets.store.outbox import Outbox
from drift_assets_tests.conftest import REPO


def _host(folder, instance_env):
    """A host's own folder: the dataset file, its demo data, a DAGSTER_HOME."""
    (folder / "home").mkdir(parents=True)
    shutil.copy(REPO / "deploy" / "dagster.yaml", folder / "home" / "dagster.yaml")
    shutil.copy(REPO / "datasets.yaml", folder / "datasets.yaml")
    return {
        **instance_env,
        "DAGSTER_HOME": str(folder / "home"),
        "DRIFT_ASSETS_CONFIG": str(folder / "datasets.yaml"),
    }


def _tick(router, env, cursor, at):
    """One tick of the router sensor on a host of its own."""
    config = load_config(router / "datasets.yaml")
    sensor = build_alert_sensor(config, clock=lambda: at)
    assets = [build_dataset_asset(d, config.base_dir) for d in config.datasets]
    resources = {STORE_RESOURCE_KEY: DriftStoreResource(), **alert_resources()}
    with DagsterInstance.from_config(env["DAGSTER_HOME"]) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        context = build_sensor_context(
            instance=instance,
            cursor=cursor,
            resources=resources,
            definitions=Definitions(assets=assets, sensors=[sensor], resources=resources),
        )
        return sensor.evaluate_tick(context).cursor


@pytest.mark.slow
def test_a_multi_host_rehearsal_lands_every_result_alert_and_action_once(
    postgres, tmp_path, monkeypatch
):
    postgres.create_database("rehearsal_instance")
    store_url = postgres.create_database("rehearsal_store")
    shared = {
        "DAGSTER_PG_HOST": postgres.host,
        "DAGSTER_PG_PORT": str(postgres.port),
        "DAGSTER_PG_DB": "rehearsal_instance",
        "DAGSTER_PG_USER": postgres.user,
        "DAGSTER_PG_PASSWORD": "",
        "DRIFT_ASSETS_DB": store_url,  # the only thing the hosts share besides the instance
    }
    for name in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(name, raising=False)  # the router records, sends nothing
    hosts = {d: tmp_path / f"host_{d}" for d in DEMO_DATASETS}
    env = {d: _host(folder, shared) for d, folder in hosts.items()}
    python_path = os.pathsep.join(p for p in (str(REPO), os.environ.get("PYTHONPATH")) if p)
    router = tmp_path / "router_host"
    router_env = _host(router, shared)
    for name, value in router_env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(router)

    cursor, run_ids = None, []
    for day in (1, 5):  # day 5: the orders amounts jump
        on = FIRST_DAY + timedelta(days=day - 1)  # the demo's daily partition of that date
        for folder in hosts.values():
            write_day(day, folder / "demo_data", on)
        started = [
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "drift_assets_tests.e2e.rehearsal_host",
                    dataset,
                    on.isoformat(),
                ],
                cwd=hosts[dataset],
                env={**os.environ, **env[dataset], "PYTHONPATH": python_path},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for dataset in DEMO_DATASETS
        ]
        for host in started:
            out, err = host.communicate(timeout=300)
            assert host.returncode == 0, err[-2000:]
            run_ids.append(out.split()[-1])
        at = datetime(FIRST_DAY.year, FIRST_DAY.month, FIRST_DAY.day, 6, tzinfo=UTC)
        cursor = _tick(router, router_env, cursor, at + timedelta(days=day - 1))

    store = DriftStore(store_url)
    results = store.check_history()
    assert len(results) == 2 * 3 * len(CHECK_NAMES)  # two days, three datasets
    assert len({(r.run_id, r.dataset, r.check_name) for r in results}) == len(results)
    assert {r.run_id for r in results} == set(run_ids)
    with psycopg.connect(postgres.url("rehearsal_instance")) as conn:
        (evaluations,) = conn.execute(
            "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_CHECK_EVALUATION'"
        ).fetchone()
    assert evaluations == len(results)
    (alert,) = [r for r in Outbox(store).rows() if r.kind is Kind.ALERT]
    assert (alert.asset_key, alert.check_name) == ("orders", "distribution_shift")

    # Someone acknowledges from yet another place; a second router, starting with
    # no cursor, reads every evaluation again and adds nothing.
    acked = CliRunner().invoke(main, ["alerts", "ack", str(alert.outbox_id), "--db", store_url])
    assert acked.exit_code == 0, acked.output
    outbox_before = Outbox(store).rows()
    _tick(router, router_env, None, at + timedelta(days=4, hours=1))
    assert Outbox(store).rows() == outbox_before
    assert [(a.action, a.alert_key) for a in ActionLog(store).trail()] == [
        ("acknowledge", alert.key)
    ]
    assert not list(tmp_path.glob("**/*.duckdb")) and not list(tmp_path.glob("**/*.db"))
