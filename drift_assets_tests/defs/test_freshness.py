"""Declared freshness reaches Dagster as its own FreshnessPolicy, on a dataset of
the dataset file and on an asset someone already has, and Dagster's freshness
daemon then reports UNKNOWN, PASS, WARN and FAIL on the schedule declared."""

from __future__ import annotations

import textwrap
from datetime import UTC, datetime, timedelta

import pytest
from dagster import (
    AssetKey,
    AssetMaterialization,
    AssetSpec,
    Definitions,
    FreshnessPolicy,
    asset,
    instance_for_test,
)
from dagster._core.definitions.freshness import FreshnessState
from dagster._core.remote_origin import InProcessCodeLocationOrigin
from dagster._core.test_utils import freeze_time
from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
from dagster._core.workspace.context import WorkspaceProcessContext
from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
from dagster._daemon.freshness import FreshnessDaemon

from drift_assets import with_freshness
from drift_assets.defs.location import build_definitions
from drift_assets.settings.dataset_file import ConfigError, load_config

EXPECTED = FreshnessPolicy.time_window(
    fail_window=timedelta(hours=30), warn_window=timedelta(hours=26)
)


def dataset_file(tmp_path, freshness: str) -> object:
    (tmp_path / "orders.csv").write_text("id,amount\n1,2.5\n")
    path = tmp_path / "datasets.yaml"
    path.write_text(
        textwrap.dedent(
            f"""\
            datasets:
              - name: orders
                source: {{csv: orders.csv}}
                freshness: {freshness}
            """
        )
    )
    return path


def freshness_of(defs: Definitions, key: str):
    return defs.resolve_asset_graph().get(AssetKey(key)).freshness_policy


def test_a_dataset_declares_its_freshness_to_dagster(tmp_path):
    config = load_config(dataset_file(tmp_path, "{warn_after: 26h, fail_after: 30h}"))
    assert config.datasets[0].freshness.describe() == (
        "warn after 26h, fail after 30h without a new materialization"
    )
    assert freshness_of(build_definitions(config), "orders") == EXPECTED


def test_without_a_declaration_dagster_sees_no_policy(tmp_path):
    config = load_config(dataset_file(tmp_path, "null"))
    assert freshness_of(build_definitions(config), "orders") is None


@pytest.mark.parametrize(
    "freshness, message",
    [
        (
            "{warn_after: 30h, fail_after: 26h}",
            "field freshness: warn_after (30h) must be below fail_after (26h)",
        ),
        ("{fail_after: 30x}", "field freshness.fail_after: '30x' is not a duration"),
        ("{fail_after: 30s}", "field freshness.fail_after: 30s is under a minute"),
        ("{warn_after: 26h}", "field freshness.fail_after: Field required"),
        ("{fail_after: 30h, stale_after: 2h}", "field freshness.stale_after: unknown field"),
    ],
)
def test_a_bad_declaration_is_one_line_naming_the_field(tmp_path, freshness, message):
    with pytest.raises(ConfigError) as caught:
        load_config(dataset_file(tmp_path, freshness))
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert "dataset 'orders'" in str(caught.value)


def test_assets_you_already_have_take_the_same_declaration():
    @asset
    def sales() -> int:
        return 1

    external = AssetSpec("crm_export")
    adopted = with_freshness([sales, external], {"warn_after": "26h", "fail_after": "30h"})
    defs = Definitions(assets=adopted)
    assert freshness_of(defs, "sales") == freshness_of(defs, "crm_export") == EXPECTED
    with pytest.raises(TypeError, match="freshness belongs to the asset's definition"):
        with_freshness([AssetKey("sales")], {"fail_after": "30h"})


def test_dagsters_daemon_reports_the_declared_states(tmp_path, monkeypatch):
    """The daemon `dagster dev` runs evaluates the policy against the latest
    materialization: this is the state the router's freshness pickup reads."""
    path = dataset_file(tmp_path, "{warn_after: 26h, fail_after: 30h}")
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(path))
    origin = LoadableTargetOrigin(module_name="drift_assets.definitions", attribute="defs")
    key = AssetKey("orders")
    with instance_for_test(temp_dir=str(tmp_path)) as instance:
        target = InProcessWorkspaceLoadTarget(InProcessCodeLocationOrigin(origin))
        with WorkspaceProcessContext(instance, target) as workspace:

            def state_at(moment: datetime) -> FreshnessState:
                with freeze_time(moment):
                    list(FreshnessDaemon().run_iteration(workspace))
                return instance.get_freshness_state_records([key])[key].freshness_state

            start = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
            assert state_at(start) == FreshnessState.UNKNOWN
            with freeze_time(start):
                instance.report_runless_asset_event(AssetMaterialization(key))
            assert state_at(start + timedelta(hours=25)) == FreshnessState.PASS
            assert state_at(start + timedelta(hours=27)) == FreshnessState.WARN
            assert state_at(start + timedelta(hours=31)) == FreshnessState.FAIL
            with freeze_time(start + timedelta(hours=32)):
                instance.report_runless_asset_event(AssetMaterialization(key))
            assert state_at(start + timedelta(hours=33)) == FreshnessState.PASS
