"""The row-count history in a real store, played day by day through
``evaluate_batch`` on an injected calendar: the first batches learn, a drop
fails and keeps failing (it never becomes the usual volume), accepting it makes
it the new normal and the check learns again from there, an accept for another
check's sake keeps the history, and batches stored before the check existed
count as healthy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd

from drift_assets.evaluation import evaluate_batch
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.partitions import Partition
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore
from drift_assets.store.volume_history import healthy_volumes
from drift_assets_tests.builders import outcome, profile

DAY_1 = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)
POLICY = DriftPolicy()


def play(store: DriftStore, day: int, rows: int, policy: DriftPolicy = POLICY):
    """Day ``day``'s batch of ``rows`` rows, evaluated as the asset does."""
    frame = pd.DataFrame({"amount": np.random.default_rng(day).normal(100, 10, rows)})
    evaluation = evaluate_batch(
        store,
        dataset="orders",
        asset_key="orders",
        policy=policy,
        run_id=f"day-{day}",
        profiler=lambda reference: profile_dataframe(
            frame, "orders", reference=reference, profiled_at=DAY_1 + timedelta(days=day - 1)
        ),
    )
    by_check = {o.check: o for o in evaluation.outcomes}
    return evaluation, by_check["row_count"]


def test_a_drop_keeps_failing_until_accepted_then_the_check_learns_again(store_target):
    store = DriftStore(store_target)
    for day in range(1, 8):
        _, verdict = play(store, day, 1000 + day)
        assert verdict.passed and "still learning the usual volume" in verdict.description
    _, normal = play(store, 8, 1004)
    assert normal.passed and normal.description.startswith("1,004 rows, +0.0% against the usual")

    _, dropped = play(store, 9, 100)
    assert dropped.severity.value == "ERROR"
    _, still = play(store, 10, 100)
    assert still.severity.value == "ERROR", "a failing batch must not become the usual volume"
    assert [b.row_count for b in healthy_volumes(store, "orders", 3)] == [1004, 1007, 1006]

    evaluation, _ = play(store, 11, 100)
    store.accept("orders", evaluation.profile.profile_id, actor="ana", reason="new feed")
    history = healthy_volumes(store, "orders", 28)
    assert [(b.row_count, b.profile_id) for b in history] == [(100, evaluation.profile.profile_id)]
    assert history[0].at == DAY_1 + timedelta(days=10)
    _, learning = play(store, 12, 100)
    assert learning.passed
    assert "still learning the usual volume: 1 of the 7" in learning.description


def test_an_accept_for_another_checks_sake_keeps_the_history(store_target):
    store = DriftStore(store_target)
    for day in range(1, 10):
        evaluation, verdict = play(store, day, 1000)
    assert verdict.passed
    store.accept("orders", evaluation.profile.profile_id, actor="ana")
    assert len(healthy_volumes(store, "orders", 28)) == 9


def test_batches_stored_before_the_check_existed_count_as_healthy(store_target):
    store = DriftStore(store_target)
    for day in range(1, 9):
        store.record_evaluation(
            profile=profile("orders", rows=500, at=(DAY_1 + timedelta(days=day)).isoformat()),
            asset_key="orders",
            run_id=f"old-{day}",
            baseline=None,
            baseline_strategy="previous",
            outcomes=[outcome("schema_change"), outcome("null_rate")],
        )
    assert [b.row_count for b in healthy_volumes(store, "orders", 5)] == [500] * 5
    assert healthy_volumes(store, "customers", 5) == []


def test_a_partitions_history_is_the_partitions_before_it_whatever_their_arrival(store_target):
    store = DriftStore(store_target)
    day = timedelta(days=1)
    # A backfill whose runs finished out of order: days 5, 1, 3, 2, 4 (rows 100 * day).
    for n in (5, 1, 3, 2, 4):
        start = DAY_1.replace(hour=0) + (n - 1) * day
        store.record_evaluation(
            profile=profile("orders", rows=100 * n, at=datetime.now(UTC).isoformat()),
            asset_key="orders",
            run_id=f"day-{n}",
            baseline=None,
            baseline_strategy="previous",
            outcomes=[outcome("row_count")],
            partition=Partition(f"day-{n}", start, start + day),
        )
    before_day_4 = healthy_volumes(store, "orders", 5, before=DAY_1.replace(hour=0) + 3 * day)
    assert [b.row_count for b in before_day_4] == [300, 200, 100]  # nearest partition first
    assert [b.at for b in before_day_4] == [DAY_1.replace(hour=0) + k * day for k in (2, 1, 0)]
    # Unpartitioned reading: arrival order, newest first.
    assert [b.row_count for b in healthy_volumes(store, "orders", 2)] == [400, 200]
