"""Partitioned datasets through real Dagster runs and a real store: each partition
is checked on its own, baselines follow partition order (never arrival order),
an out-of-order backfill ends with the verdicts of an in-order one, a
re-materialized past partition replaces its result, static keys are separate
streams, SQL takes the partition as bound parameters, and the alert names the
partition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from dagster import (
    AssetCheckKey,
    DagsterInstance,
    DailyPartitionsDefinition,
    StaticPartitionsDefinition,
    asset,
    materialize,
)

from drift_assets.alerts.message import alert_message
from drift_assets.alerts.router import Kind
from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.drift_checks import build_drift_checks
from drift_assets.defs.pickup import PickupCursor, pick_up
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.evaluation import evaluate_batch, partition_baseline
from drift_assets.profiling.profiler import profile_dataframe, profile_source
from drift_assets.settings.dataset_file import load_config
from drift_assets.settings.partitions import Partition
from drift_assets.settings.policy import DriftPolicy
from drift_assets.settings.severity import Severity
from drift_assets.store import DriftStore

DAYS = [f"2026-10-{d:02d}" for d in range(1, 7)]
SHIFTED = {"2026-10-03", "2026-10-04"}  # amounts 3 SD up on two days, fixed on the third
# Arrival order of an out-of-order backfill: later partitions before earlier ones.
SHUFFLED = ["2026-10-05", "2026-10-02", "2026-10-06", "2026-10-01", "2026-10-04", "2026-10-03"]
ROWS = 400

YAML = """\
datasets:
  - name: orders
    source: {csv: "data/orders/{partition}.csv"}
    partitions: {daily: {start: "2026-10-01"}}
  - name: sales
    source:
      sql: "SELECT * FROM read_csv('data/sales.csv') WHERE region = $partition_key"
    partitions: {static: [eu, us]}
"""


def batch(day: str, shifted: bool) -> pd.DataFrame:
    rng = np.random.default_rng([7, int(day[-2:])])
    return pd.DataFrame(
        {
            "amount": np.round(rng.normal(130 if shifted else 100, 10, ROWS), 2),
            "country": rng.choice(["DE", "FR", "NL"], ROWS, p=[0.5, 0.3, 0.2]),
        }
    )


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("partitioned")
    (tmp_path / "data" / "orders").mkdir(parents=True)
    for day in DAYS:
        batch(day, day in SHIFTED).to_csv(tmp_path / "data" / "orders" / f"{day}.csv", index=False)
    (tmp_path / "datasets.yaml").write_text(YAML, encoding="utf-8")
    return tmp_path, load_config(tmp_path / "datasets.yaml")


def backfill(project, order, db_name="drift.duckdb"):
    """One run per partition, in ``order``; returns the store, the instance's
    final verdict per (partition, check) and the runs' results."""
    folder, config = project
    orders = build_dataset_asset(config.dataset("orders"), config.base_dir)
    store = DriftStoreResource(database=str(folder / db_name))
    instance = DagsterInstance.ephemeral()
    in_dagster, results = {}, []
    for key in order:
        result = materialize(
            [orders], instance=instance, resources={"drift_store": store}, partition_key=key
        )
        results.append(result)
        # Later runs also report partitions they evaluated again: the last word counts.
        for evaluation in result.get_asset_check_evaluations():
            in_dagster[(evaluation.partition, evaluation.check_name)] = evaluation.passed
    return store.get_store(), in_dagster, instance, results


def verdicts(store):
    """Each partition's current results, with the partitions compared with."""
    current = store.check_history(dataset="orders", current_only=True)
    key_of = {r.profile_id: r.partition_key for r in store.check_history(dataset="orders")}
    return {
        (r.partition_key, r.check_name): (
            r.passed,
            r.severity,
            r.description,
            tuple(key_of[i] for i in r.baseline_profile_ids),
        )
        for r in current
    }


@pytest.fixture(scope="module")
def in_order(project):
    """Shared by the tests below; the re-materialization test, which changes it,
    runs last."""
    return backfill(project, DAYS)


def test_each_partition_is_checked_against_the_nearest_earlier_healthy_one(in_order):
    store, in_dagster, _, results = in_order
    got = verdicts(store)
    assert len(got) == len(DAYS) * len(CHECK_NAMES)  # one current result per partition and check
    shift = {day: got[(day, "distribution_shift")] for day in DAYS}
    assert [shift[d][0] for d in DAYS] == [True, True, False, False, True, True]
    assert "amount" in shift["2026-10-03"][2] and shift["2026-10-03"][1] == "ERROR"
    # The two shifted days are both compared with the last healthy day, and the
    # day after them too: a failing partition is never a baseline.
    assert [shift[d][3] for d in DAYS] == [
        (),
        ("2026-10-01",),
        ("2026-10-02",),
        ("2026-10-02",),
        ("2026-10-02",),
        ("2026-10-05",),
    ]
    assert in_dagster == {(d, c): v[0] for (d, c), v in got.items()}
    # Dagster's own per-partition check status (what the partition health bar shows).
    assert all(
        e.partition == r.dagster_run.tags["dagster/partition"]
        for r in results
        for e in r.get_asset_check_evaluations()
    )


def test_an_out_of_order_backfill_ends_with_the_in_order_verdicts(project, in_order):
    in_order_store, in_order_dagster, _, _ = in_order
    shuffled_store, shuffled_dagster, _, _ = backfill(project, SHUFFLED, "shuffled.duckdb")
    assert verdicts(shuffled_store) == verdicts(in_order_store)
    assert shuffled_dagster == in_order_dagster


def test_the_alert_names_the_failing_partition(in_order):
    _, _, instance, _ = in_order
    keys = [AssetCheckKey.from_user_string(f"orders:{c}") for c in CHECK_NAMES]
    events, _ = pick_up(
        instance,
        keys,
        PickupCursor(started=True),
        now=datetime.now(UTC),
        initial_lookback=timedelta(days=1),
        webserver="http://ui",
    )
    failed = [e for e in events if not e.passed]
    assert {e.partition for e in failed} == SHIFTED
    message = alert_message(failed[0], Kind.ALERT, Severity.ERROR, webserver="http://ui")
    assert f"(partition {failed[0].partition})" in message.text
    assert f"*Partition*\\n{failed[0].partition}" in str(message.blocks)  # repr of "\n"
    # The next step accepts that partition's batch, not the dataset's latest one.
    assert f"baseline accept orders --partition {failed[0].partition}`" in str(message.blocks)


def test_static_keys_are_separate_streams_and_sql_binds_the_key(project):
    folder, config = project
    frames = []
    for run, shifted in ((1, False), (2, True)):
        for region in ("eu", "us"):
            frame = batch(f"2026-10-0{run}", shifted and region == "eu")
            frames.append(frame.assign(region=region, run=run))
    sales = build_dataset_asset(config.dataset("sales"), config.base_dir)
    store = DriftStoreResource(database=str(folder / "static.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        for run in (1, 2):
            rows = pd.concat([f for f in frames if f["run"].iloc[0] == run])
            rows.drop(columns="run").to_csv(folder / "data" / "sales.csv", index=False)
            for region in ("eu", "us"):
                materialize(
                    [sales],
                    instance=instance,
                    resources={"drift_store": store},
                    partition_key=region,
                )
    history = store.get_store().check_history(dataset="sales", check="distribution_shift")
    latest = {r.partition_key: r for r in reversed(history)}
    assert (latest["eu"].passed, latest["us"].passed) == (False, True)
    assert not any(r.superseded for r in history)  # a static key's batches are a stream
    eu_first = next(r for r in reversed(history) if r.partition_key == "eu")
    assert latest["eu"].baseline_profile_ids == (eu_first.profile_id,)
    assert store.get_store().profile(eu_first.profile_id).row_count == ROWS


def test_a_partition_key_reaches_sql_as_a_value_not_as_text(project):
    folder, config = project
    pd.DataFrame({"region": ["eu", "us", "x' OR '1'='1"], "v": [1, 2, 3]}).to_csv(
        folder / "data" / "sales.csv", index=False
    )
    source = config.dataset("sales").source
    count = {
        key: profile_source(source, folder, "sales", partition=Partition(key)).row_count
        for key in ("eu", "x' OR '1'='1", "' OR '1'='1")
    }
    # Formatted into the query, the last key would select every row.
    assert count == {"eu": 1, "x' OR '1'='1": 1, "' OR '1'='1": 0}


def test_seasonal_baselines_pool_the_same_weekday_of_earlier_weeks(tmp_path):
    store = DriftStore(tmp_path / "drift.duckdb")
    policy = DriftPolicy(baseline="seasonal:2")
    start = datetime(2026, 10, 5, tzinfo=UTC)  # a Monday
    days = [
        Partition(
            f"{start + timedelta(d):%Y-%m-%d}", start + timedelta(d), start + timedelta(d + 1)
        )
        for d in range(15)
    ]
    for day in days:
        # Mondays are busier: compared with Tuesdays they would always drift.
        frame = batch(day.key, day.start.weekday() == 0)
        evaluation = evaluate_batch(
            store,
            dataset="visits",
            asset_key="visits",
            policy=policy,
            run_id=None,
            partition=day,
            profiler=lambda reference, frame=frame: profile_dataframe(
                frame, "visits", reference=reference
            ),
        )
        assert all(o.passed for o in evaluation.outcomes), (day.key, evaluation.outcomes)
    # The third Monday: the two Mondays before it, pooled; the second Tuesday: the first.
    assert partition_baseline(store, "visits", policy, days[14])[1] == ("2026-10-12", "2026-10-05")
    assert partition_baseline(store, "visits", policy, days[8])[1] == ("2026-10-06",)
    assert partition_baseline(store, "visits", policy, days[0])[1] == ()


@pytest.mark.parametrize(
    "partitions_def",
    [DailyPartitionsDefinition(start_date="2026-10-01"), StaticPartitionsDefinition(["a", "b"])],
    ids=["daily", "static"],
)
def test_drift_checks_on_your_own_partitioned_asset_load_the_partition(tmp_path, partitions_def):
    keys = partitions_def.get_partition_keys()[:2]

    @asset(partitions_def=partitions_def)
    def sales(context) -> pd.DataFrame:
        return batch("2026-10-01", context.partition_key == keys[1])

    checks = build_drift_checks([sales])
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        seen = {}
        for key in keys:
            result = materialize(
                [sales, *checks],
                instance=instance,
                resources={"drift_store": store},
                partition_key=key,
            )
            seen.update(
                {
                    (e.partition, e.check_name): e.passed
                    for e in result.get_asset_check_evaluations()
                }
            )
    assert seen[(keys[0], "distribution_shift")] is True
    # Daily: the second day is compared with the first. Static: each key is its
    # own stream, so the second key records its own baseline.
    assert seen[(keys[1], "distribution_shift")] is isinstance(
        partitions_def, StaticPartitionsDefinition
    )
    stored = store.get_store().check_history(dataset="sales")
    assert {r.partition_key for r in stored} == set(keys)


def test_rematerializing_a_past_partition_compares_it_with_its_predecessors_and_replaces_it(
    project, in_order
):
    store, _, instance, _ = in_order
    folder, config = project
    orders = build_dataset_asset(config.dataset("orders"), config.base_dir)
    resources = {"drift_store": DriftStoreResource(database=str(store.path))}
    before = verdicts(store)
    # Day 3's data is fixed upstream and the partition materialized again.
    batch("2026-10-03", False).to_csv(folder / "data/orders/2026-10-03.csv", index=False)
    result = materialize(
        [orders], instance=instance, resources=resources, partition_key="2026-10-03"
    )
    redone = {(e.partition, e.check_name): e.passed for e in result.get_asset_check_evaluations()}
    after = verdicts(store)
    assert len(after) == len(DAYS) * len(CHECK_NAMES)  # replaced, not added
    assert after[("2026-10-03", "distribution_shift")][0] is True
    assert after[("2026-10-03", "distribution_shift")][3] == ("2026-10-02",)  # not a later day
    # Day 3 healthy now: day 4 (still shifted) is compared with it, and day 5
    # and 6 with day 3 and 5: the later partitions were evaluated again.
    assert after[("2026-10-04", "distribution_shift")][3] == ("2026-10-03",)
    assert redone[("2026-10-04", "distribution_shift")] is False
    assert after[("2026-10-05", "distribution_shift")][3] == ("2026-10-03",)
    assert after[("2026-10-01", "null_rate")] == before[("2026-10-01", "null_rate")]
    old = [r for r in store.check_history(partition="2026-10-03") if r.superseded]
    assert {r.check_name for r in old} == set(CHECK_NAMES) and not any(
        r.passed for r in old if r.check_name == "distribution_shift"
    )
