"""The router sensor against real in-process runs on both SQLite storages (run-sharded
default and consolidated), across a restart: every evaluation of every asset check
(hand-written ones too) is picked up once, the cursor neither misses nor repeats,
and neither the token nor the webhook URL reaches the tick log or the outbox. A
tick keeps its budget when another process holds the store's lock."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
from dagster import (
    AssetCheckResult,
    AssetCheckSeverity,
    DagsterInstance,
    Definitions,
    asset,
    asset_check,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from drift_assets.alerts.router import Kind, Status
from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.resources import DriftStoreResource, SlackAlertsResource
from drift_assets.defs.router_health import DELIVERY_CHECK, router_health_asset, router_health_check
from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.dataset_file import ProjectConfig
from drift_assets.store.outbox import Outbox
from drift_assets_tests.fake_slack import FakeSlack

OUTCOMES: dict[str, bool] = {}  # check name -> passes, set by each test step


@asset
def orders() -> int:
    return 1


@asset_check(asset=orders)
def has_rows() -> AssetCheckResult:
    # hand-written: no description, no metadata
    return AssetCheckResult(passed=OUTCOMES["has_rows"], severity=AssetCheckSeverity.ERROR)


@asset_check(asset=orders)
def fresh_enough() -> AssetCheckResult:
    return AssetCheckResult(
        passed=OUTCOMES["fresh_enough"],
        severity=AssetCheckSeverity.WARN,
        description="last row is 26 h old (limit 24 h)",
        metadata={"lag_hours": 26.0},
    )


CONFIG = ProjectConfig()
SENSOR = build_alert_sensor(CONFIG)
DEFS = Definitions(
    assets=[orders, router_health_asset()],
    asset_checks=[has_rows, fresh_enough, router_health_check(CONFIG.alerts)],
    sensors=[SENSOR],
    resources={"drift_store": DriftStoreResource()},  # each test passes its own to the sensor
)


def overrides(kind: str, home: str) -> dict:
    if kind == "run_sharded":  # Dagster's default: one SQLite file per run
        return {}
    return {
        "event_log_storage": {
            "module": "dagster._core.storage.event_log",
            "class": "ConsolidatedSqliteEventLogStorage",
            "config": {"base_dir": f"{home}/history"},
        }
    }


def run(instance, **outcomes: bool) -> None:
    OUTCOMES.update(outcomes)
    assert materialize([orders, has_rows, fresh_enough], instance=instance).success


def tick_log(capfd) -> str:
    """What the sensor wrote to its log (Dagster's console handler writes to stderr)."""
    return capfd.readouterr().err


def tick(instance, cursor, resources, sensor=SENSOR):
    context = build_sensor_context(
        instance=instance, cursor=cursor, resources=resources, definitions=DEFS
    )
    return sensor.evaluate_tick(context)


@pytest.mark.parametrize("kind", ["run_sharded", "consolidated"])
def test_every_evaluation_once_across_a_restart(kind, tmp_path, capfd, monkeypatch):
    home = str(tmp_path)
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with FakeSlack() as slack:
        # the same wiring as definitions.py: secrets reach the resource through EnvVar
        monkeypatch.setenv("SLACK_BOT_TOKEN", slack.token)
        monkeypatch.setenv("SLACK_API_URL", slack.api_url)
        resources = {"drift_store": store, **alert_resources()}
        with instance_for_test(temp_dir=home, overrides=overrides(kind, home)) as instance:
            run(instance, has_rows=False, fresh_enough=False)
            first = tick(instance, None, resources)
            run(instance, has_rows=True, fresh_enough=False)
        # the daemon restarts: a new instance on the same folder, the stored cursor
        with instance_for_test(temp_dir=home, overrides=overrides(kind, home)) as instance:
            second = tick(instance, first.cursor, resources)
            third = tick(instance, second.cursor, resources)
            run(instance, has_rows=True, fresh_enough=True)
            fourth = tick(instance, third.cursor, resources)

        texts = [m.body["text"] for m in slack.messages]
        # one run's checks may arrive in either order; the runs' order is kept
        assert sorted(texts[:2]) == [
            ":large_orange_circle: WARN: orders / fresh_enough failed:"
            " last row is 26 h old (limit 24 h)",
            ":red_circle: ERROR: orders / has_rows failed",
        ]
        assert texts[2:] == [
            ":large_green_circle: INFO: orders / has_rows passes again",
            ":large_green_circle: INFO: orders / fresh_enough passes again:"
            " last row is 26 h old (limit 24 h)",
        ]
        (hand_written,) = [
            m.body["attachments"][0]["blocks"]
            for m in slack.messages[:2]
            if "fresh" in m.body["text"]
        ]
        assert "• lag_hours: 26" in hand_written[3]["text"]["text"]
    rows = Outbox(store.get_store()).rows()
    assert sorted((r.kind, r.status, r.check_name) for r in rows) == sorted(
        [
            (Kind.ALERT, Status.DELIVERED, "has_rows"),
            (Kind.ALERT, Status.DELIVERED, "fresh_enough"),
            (Kind.RESOLVED, Status.DELIVERED, "has_rows"),
            (Kind.REPEAT, Status.SUPPRESSED, "fresh_enough"),
            (Kind.RESOLVED, Status.DELIVERED, "fresh_enough"),
        ]
    )
    assert len({r.key for r in rows}) == 5
    assert third.cursor == second.cursor  # nothing new, nothing repeated
    assert fourth.cursor != third.cursor
    log = tick_log(capfd)
    assert "picked up 2 new evaluations (2 failed) of 3 checks" in log
    assert "held back repeat WARN orders/fresh_enough: still failing" in log
    assert slack.token not in log and slack.token not in repr(rows)


def test_dry_run_routes_and_records_and_says_so(tmp_path, capfd):
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        run(instance, has_rows=False, fresh_enough=True)
        tick(instance, None, {"drift_store": store, "slack_alerts": SlackAlertsResource()})
    (row,) = Outbox(store.get_store()).rows()
    assert (row.kind, row.status, row.check_name) == (Kind.ALERT, Status.DRY_RUN, "has_rows")
    log = tick_log(capfd)
    assert "DRY-RUN would send alert ERROR orders/has_rows to #drift-alerts" in log
    assert "DRY-RUN: no SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL is set" in log


def test_alerts_stuck_in_the_outbox_fail_the_router_health_check(tmp_path, capfd):
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with FakeSlack() as slack, DagsterInstance.ephemeral() as instance:
        resources = {
            "drift_store": store,
            "slack_alerts": SlackAlertsResource(token=slack.token, api_url=slack.api_url),
        }
        slack.go_down()
        run(instance, has_rows=False, fresh_enough=True)
        first = tick(instance, None, resources)
        assert [(e.check_name, e.passed) for e in first.asset_events] == [(DELIVERY_CHECK, True)]
        instance.report_runless_asset_event(first.asset_events[0])  # as the daemon does

        an_hour_later = build_alert_sensor(
            CONFIG, clock=lambda: datetime.now(UTC) + timedelta(hours=1)
        )
        late = tick(instance, first.cursor, resources, an_hour_later)
        (health,) = late.asset_events
        assert not health.passed and "is Slack reachable?" in health.description
        instance.report_runless_asset_event(health)
        assert tick(instance, late.cursor, resources, an_hour_later).asset_events == []
        assert "an alert has waited 1:00:0" in tick_log(capfd)


def test_a_tick_that_cannot_get_the_store_in_its_budget_ends_with_one_line(tmp_path, capfd):
    path = tmp_path / "drift.duckdb"
    store = DriftStoreResource(database=str(path))  # waits 60 s for a lock by default
    resources = {"drift_store": store, "slack_alerts": SlackAlertsResource()}
    sensor = build_alert_sensor(
        ProjectConfig(alerts=AlertsConfig(tick_budget=timedelta(seconds=1)))
    )
    holder = subprocess.Popen(  # a run's step or the CLI, holding DuckDB's file lock
        [
            sys.executable,
            "-c",
            f"import duckdb, time; c = duckdb.connect({str(path)!r});"
            " print('locked', flush=True); time.sleep(120)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline() == "locked\n"
        with DagsterInstance.ephemeral() as instance:
            run(instance, has_rows=False, fresh_enough=True)
            capfd.readouterr()
            began = time.monotonic()
            locked = tick(instance, None, resources, sensor)
            took = time.monotonic() - began
            assert took < 10  # the budget and the pickup, not the store's 60 s
            assert locked.cursor is None  # kept: the next tick reads the same again
            # Waited the tick's remaining budget (about a second), not the store's 60 s.
            assert re.search(r"stayed locked by another process for 0\.\d+ s", locked.skip_message)
            warnings = [line for line in tick_log(capfd).splitlines() if "WARNING" in line]
            assert len(warnings) == 1 and "Traceback" not in "\n".join(warnings)
            assert re.search(
                rf"the drift store {re.escape(str(path))} stayed locked by another process for"
                rf" [\d.]+ s \(held by PID {holder.pid}\); this tick ends and the next one tries"
                " again",
                warnings[0],
            )

            holder.kill()
            holder.wait()
            tick(instance, None, resources, sensor)
    finally:
        holder.kill()
    (row,) = Outbox(store.get_store()).rows()
    assert (row.kind, row.check_name) == (Kind.ALERT, "has_rows")
