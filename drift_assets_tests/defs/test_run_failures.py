"""Broken pipelines reach the router: a materialization that raises (naming the
checks it kept from running, which send nothing of their own) and a check that
raises are alerts saying what broke (the error's first line, the run, a link to
it), each deduplicated in its own class and resolved by the next success. Real in-process runs on both SQLite
storages, the sensor evaluated through its own function."""

from __future__ import annotations

import pytest
from dagster import (
    AssetCheckResult,
    Definitions,
    Failure,
    asset,
    asset_check,
    build_sensor_context,
    instance_for_test,
    materialize,
)

from drift_assets.alerts.events import MATERIALIZATION
from drift_assets.defs.alert_sensor import build_alert_sensor
from drift_assets.defs.resources import DriftStoreResource, SlackAlertsResource
from drift_assets.settings.alert_routes import WEBSERVER_ENV_VAR
from drift_assets.settings.dataset_file import ProjectConfig
from drift_assets.store.outbox import Outbox
from drift_assets_tests.defs.test_alert_sensor import overrides

BROKEN = {"now": True}


@asset
def orders() -> int:
    if BROKEN["now"]:
        # raised on purpose, with a message for people, as our dataset assets do
        raise Failure("cannot read orders.csv: no such file\n(the second line stays out)")
    return 1


@asset_check(asset=orders)
def has_rows() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


@asset
def prices() -> int:
    return 1


@asset_check(asset=prices)
def positive() -> AssetCheckResult:
    if BROKEN["now"]:
        raise ZeroDivisionError("division by zero")
    return AssetCheckResult(passed=True)


# prices is materialized, but this check also waits for orders, so a broken orders
# keeps it from running: a check without a result of its own asset's making.
@asset_check(asset=prices, additional_deps=[orders])
def matches_orders() -> AssetCheckResult:
    return AssetCheckResult(passed=True)


CHECKS = [has_rows, positive, matches_orders]
ALL = [orders, prices, *CHECKS]
SENSOR = build_alert_sensor(ProjectConfig())
DEFS = Definitions(assets=[orders, prices], asset_checks=CHECKS, sensors=[SENSOR])


@pytest.mark.parametrize("kind", ["run_sharded", "consolidated"])
def test_a_broken_run_says_what_broke_once_and_its_fix_resolves_it(kind, tmp_path, monkeypatch):
    monkeypatch.setenv(WEBSERVER_ENV_VAR, "http://dagster.example:3000")
    home = str(tmp_path)
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    resources = {"drift_store": store, "slack_alerts": SlackAlertsResource()}
    cursor, runs = None, []
    with instance_for_test(temp_dir=home, overrides=overrides(kind, home)) as instance:
        for broken in (True, True, False):  # fails, fails again, fixed
            BROKEN["now"] = broken
            runs.append(materialize(ALL, instance=instance, raise_on_error=False))
            context = build_sensor_context(
                instance=instance, cursor=cursor, resources=resources, definitions=DEFS
            )
            cursor = SENSOR.evaluate_tick(context).cursor
    assert [r.success for r in runs] == [False, False, True]

    rows = sorted(Outbox(store.get_store()).rows(), key=lambda r: r.outbox_id)
    table = [(r.kind.value, r.severity.value, r.asset_key, r.check_name, r.run_id) for r in rows]
    first, second, fixed = (r.run_id for r in runs)
    assert sorted(table) == sorted(
        [
            # has_rows never ran: the materialization's alert names it, once
            ("alert", "ERROR", "orders", MATERIALIZATION, first),
            ("alert", "ERROR", "prices", "positive", first),
            ("alert", "WARN", "prices", "matches_orders", first),
            # the same breakage again: one class each, so repeats, held back
            ("repeat", "ERROR", "orders", MATERIALIZATION, second),
            ("repeat", "ERROR", "prices", "positive", second),
            ("repeat", "WARN", "prices", "matches_orders", second),
            ("resolved", "INFO", "orders", MATERIALIZATION, fixed),
            ("resolved", "INFO", "prices", "positive", fixed),
            ("resolved", "INFO", "prices", "matches_orders", fixed),
        ]
    )
    assert {r.status.value for r in rows if r.kind.value == "repeat"} == {"suppressed"}

    said = {(r.asset_key, r.check_name): r.event for r in rows[:3]}
    run = first[:8]
    broke = said["orders", MATERIALIZATION]
    assert broke.description == (
        f"materialization failed in run {run}: cannot read orders.csv: no such file"
        " (1 check not run: has_rows)"
    )
    assert broke.metrics == {
        "error": "cannot read orders.csv: no such file",
        "run_id": first,
        "run_url": f"http://dagster.example:3000/runs/{first}",
        "step": "orders",
    }
    assert said["prices", "positive"].description == (
        f"errored in run {run}: ZeroDivisionError: division by zero"
    )
    assert said["prices", "positive"].metrics["step"] == "prices_positive"
    assert said["prices", "matches_orders"].description == (
        f"skipped: run {run} failed at step orders: cannot read orders.csv: no such file"
    )
