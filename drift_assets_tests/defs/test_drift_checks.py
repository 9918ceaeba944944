"""build_drift_checks: the same four checks on an asset someone already has."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from dagster import AssetKey, DagsterInstance, InMemoryIOManager, asset, materialize
from dagster_polars import PolarsParquetIOManager

from drift_assets import build_drift_checks
from drift_assets.checks.outcome import CHECK_NAMES
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


def test_a_value_that_is_not_a_table_fails_naming_its_type_and_what_is_accepted(store):
    @asset
    def numbers() -> list:
        return [1, 2, 3]

    with DagsterInstance.ephemeral() as instance:
        result = run(numbers, build_drift_checks([numbers]), store, instance)
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert (
        "drift checks of numbers: cannot profile a builtins.list; the value must be a"
        " pandas.DataFrame, polars.DataFrame, polars.LazyFrame, pyarrow.Table,"
        " pyarrow.RecordBatch or a duckdb relation"
    ) in failure.step_failure_data.error.message
    assert store.get_store().check_history() == []


# Each library's table of the same rows: pandas (the reference), Polars eager and
# lazy, Arrow, and a DuckDB relation over another connection.
TABLE_KINDS = {
    "polars.DataFrame": lambda df: pl.from_pandas(df),
    "polars.LazyFrame": lambda df: pl.from_pandas(df).lazy(),
    "pyarrow.Table": lambda df: pa.Table.from_pandas(df, preserve_index=False),
    "pyarrow.RecordBatch": lambda df: pa.RecordBatch.from_pandas(df, preserve_index=False),
    "duckdb relation": lambda df: duckdb.connect().from_arrow(pa.Table.from_pandas(df)),
}


@pytest.mark.parametrize("kind", TABLE_KINDS)
def test_every_table_library_is_checked_like_pandas(store, kind):
    batches = iter([frame(seed=1), frame(shift=0.6, seed=3)])

    @asset(key=["analytics", "sales"], io_manager_key="tables")
    def sales():
        return TABLE_KINDS[kind](next(batches))

    with DagsterInstance.ephemeral() as instance:
        for _ in range(2):
            result = materialize(
                [sales, *build_drift_checks([sales])],
                instance=instance,
                resources={"drift_store": store, "tables": InMemoryIOManager()},
            )
    last = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert last["distribution_shift"].passed is False and "price" in last["distribution_shift"].description
    assert last["schema_change"].passed and last["null_rate"].passed
    (profile, _) = store.get_store().recent_profiles("analytics/sales", 2)
    assert {c.name: c.logical_type.value for c in profile.columns} == {"price": "float", "region": "string"}


def test_dagster_polars_io_manager_values_are_checked(store, tmp_path):
    # dagster-polars 0.27 installs beside Dagster 1.13: its IO manager hands the
    # checks a Polars DataFrame read back from Parquet.
    batches = iter([frame(seed=1), frame(shift=0.6, seed=3)])

    @asset(io_manager_key="polars_parquet")
    def prices() -> pl.DataFrame:
        return pl.from_pandas(next(batches))

    resources = {
        "drift_store": store,
        "polars_parquet": PolarsParquetIOManager(base_dir=str(tmp_path / "parquet")),
    }
    with DagsterInstance.ephemeral() as instance:
        for _ in range(2):
            result = materialize(
                [prices, *build_drift_checks([prices])], instance=instance, resources=resources
            )
    assert (tmp_path / "parquet" / "prices.parquet").exists()
    last = {e.check_name: e for e in result.get_asset_check_evaluations()}
    assert last["distribution_shift"].passed is False
    assert len(store.get_store().check_history(dataset="prices")) == 2 * len(CHECK_NAMES)


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
