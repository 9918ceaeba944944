"""Freshness state changes become alerts: Dagster's own freshness daemon (run here
in-process, on Dagster's frozen clock) evaluates a ``FreshnessPolicy``; the router
announces WARN, escalates FAIL, resolves when the asset is fresh again, and does
the same for an asset of another code location. A restart repeats nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dagster import (
    Definitions,
    FreshnessPolicy,
    asset,
    build_sensor_context,
    instance_for_test,
    materialize,
)
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon

from drift_assets.alerts.events import FRESHNESS
from drift_assets.defs.alert_sensor import build_alert_sensor
from drift_assets.defs.resources import DriftStoreResource, SlackAlertsResource
from drift_assets.settings.dataset_file import ProjectConfig
from drift_assets.store.outbox import Outbox


@asset(
    freshness_policy=FreshnessPolicy.time_window(
        fail_window=timedelta(hours=30), warn_window=timedelta(hours=26)
    )
)
def sales() -> int:
    return 1


@asset(freshness_policy=FreshnessPolicy.time_window(fail_window=timedelta(hours=2)))
def partner_feed() -> int:  # another team's code location
    return 1


OURS = Definitions(assets=[sales])
THEIRS = Definitions(assets=[partner_feed])


def workspace(instance):
    origins = [
        InProcessCodeLocationOrigin(
            LoadableTargetOrigin(python_file=__file__, attribute=name), location_name=name
        )
        for name in ("OURS", "THEIRS")
    ]
    return WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origins))


def test_stale_warns_then_errors_and_fresh_again_resolves_for_any_asset(tmp_path):
    start = datetime.now(UTC)
    clock = {"now": start}
    sensor = build_alert_sensor(ProjectConfig(), clock=lambda: clock["now"])
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    resources = {"drift_store": store, "slack_alerts": SlackAlertsResource()}
    cursor = None

    def at(hours: float, instance, daemon_context) -> list[tuple]:
        """The freshness daemon's iteration and the router's tick, `hours` in."""
        nonlocal cursor
        clock["now"] = start + timedelta(hours=hours)
        with freeze_time(clock["now"]):
            list(FreshnessDaemon().run_iteration(daemon_context))
        before = {r.outbox_id for r in Outbox(store.get_store()).rows()}
        context = build_sensor_context(
            instance=instance, cursor=cursor, resources=resources, definitions=OURS
        )
        cursor = sensor.evaluate_tick(context).cursor
        new = [r for r in Outbox(store.get_store()).rows() if r.outbox_id not in before]
        assert {r.check_name for r in new} <= {FRESHNESS}
        return sorted((r.asset_key, r.kind.value, r.severity.value, r.status.value) for r in new)

    (tmp_path / "home").mkdir()
    home = str(tmp_path / "home")
    with instance_for_test(temp_dir=home) as instance, workspace(instance) as daemon:
        materialize([sales, partner_feed], instance=instance)
        assert at(1, instance, daemon) == []  # fresh: nothing to say
        assert at(3, instance, daemon) == [("partner_feed", "alert", "ERROR", "dry_run")]
        assert at(27, instance, daemon) == [("sales", "alert", "WARN", "dry_run")]
        (warned,) = [r for r in Outbox(store.get_store()).rows() if r.asset_key == "sales"]
        assert warned.event.description == (
            "getting stale: last materialized 27.0 h ago (warns after 26h, fails after 30h)"
        )
        assert at(28, instance, daemon) == []  # no change, no message
        assert at(31, instance, daemon) == [("sales", "repeat", "ERROR", "dry_run")]  # worse
        with freeze_time(start + timedelta(hours=32)):
            materialize([sales], instance=instance)
        assert at(32.5, instance, daemon) == [("sales", "resolved", "INFO", "dry_run")]

    # The daemon restarts: the same states are not news.
    with instance_for_test(temp_dir=home) as instance, workspace(instance) as daemon:
        assert at(33, instance, daemon) == []
