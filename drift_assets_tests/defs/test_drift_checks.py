"""build_drift_checks: the same four checks on an asset someone already has."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from dagster import AssetKey, DagsterInstance, asset, materialize

from drift_assets import build_drift_checks
from drift_assets.defs.resources import DriftStoreResource

ROWS = 2_000


def frame(shift: float = 0.0, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame(
        {
            "price": rng.normal(100 + 15 * shift, 15, ROWS),
            "region": rng.choice(["north", "south", "east", "west"], ROWS),
        }
    )


@pytest.fixture
def store(tmp_path):
    return DriftStoreResource(database=str(tmp_path / "drift.duckdb"))


def run(asset_def, checks, store, instance):
    return materialize(
        [asset_def, *checks],
        instance=instance,
        resources={"drift_store": store},
        raise_on_error=False,
    )


def test_an_existing_dataframe_asset_gets_the_four_checks(store):
    batches = iter([frame(seed=1), frame(seed=2), frame(shift=0.6, seed=3)])

    @asset(key=["analytics", "sales"])
    def sales() -> pd.DataFrame:
        return next(batches)

    checks = build_drift_checks([sales], policy={"null_rate": {"max_increase_pp": {"warn": 2}}})
    assert {k.name for c in checks for k in c.check_keys} == {
        "schema_change",
        "null_rate",
        "distribution_shift",
        "row_count",
    }

    with DagsterInstance.ephemeral() as instance:
        first = run(sales, checks, store, instance).get_asset_check_evaluations()
        assert all(e.passed and e.description.startswith("baseline recorded") for e in first)
        second = run(sales, checks, store, instance).get_asset_check_evaluations()
        assert all(e.passed for e in second)
        third = {
            e.check_name: e
            for e in run(sales, checks, store, instance).get_asset_check_evaluations()
        }
    assert third["distribution_shift"].passed is False
    assert third["distribution_shift"].severity.value == "ERROR"
    assert "price" in third["distribution_shift"].description
    assert third["schema_change"].passed and third["null_rate"].passed
    assert third["row_count"].passed
    assert "still learning the usual volume: 2 of the 7" in third["row_count"].description

    history = store.get_store().check_history(dataset="analytics/sales")
    assert len(history) == 12
    assert history[0].asset_key == "analytics/sales"
    assert history[0].thresholds  # the policy given is what was applied


def test_keys_and_specs_are_accepted_too():
    checks = build_drift_checks(["plain", AssetKey(["a", "b"])])
    assert {c.check_keys.pop().asset_key for c in checks} == {
        AssetKey("plain"),
        AssetKey(["a", "b"]),
    }


def test_a_value_that_is_not_a_dataframe_fails_clearly(store):
    @asset
    def numbers() -> list:
        return [1, 2, 3]

    with DagsterInstance.ephemeral() as instance:
        result = run(numbers, build_drift_checks([numbers]), store, instance)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "need a pandas DataFrame, but the asset's value is a list" in (
        failure.step_failure_data.error.message
    )


def test_a_value_that_cannot_be_profiled_fails_with_one_line(store):
    # A lone surrogate is a str to Python but no UTF-8 text to DuckDB.
    @asset
    def names() -> pd.DataFrame:
        return pd.DataFrame({"name": pd.Series(["\ud800", "ok"], dtype=object)})

    with DagsterInstance.ephemeral() as instance:
        result = run(names, build_drift_checks([names]), store, instance)
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert message.startswith(
        "dagster._core.definitions.events.Failure: drift checks of names: could not be"
        " profiled: InvalidInputException: "
    )
    assert "surrogate" in message and "\n" not in message.strip()
    assert store.get_store().check_history() == []
