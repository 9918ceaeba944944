"""Time-window partitions in the store, on both backends: baselines come in
partition order whatever order the batches arrived in, a failed partition is
passed over, an accepted one is a floor, and a re-materialized partition's
earlier profile and results are superseded (kept as history, not current)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from drift_assets.checks.outcome import Severity
from drift_assets.settings.partitions import Partition
from drift_assets.store import DriftStore
from drift_assets.store.partition_history import PartitionHistory
from drift_assets_tests.builders import outcome, profile

DAY = timedelta(days=1)
START = datetime(2026, 11, 1, tzinfo=UTC)


def _day(n: int) -> Partition:
    start = START + (n - 1) * DAY
    return Partition(f"2026-11-{n:02d}", start, start + DAY)


def _store_day(store: DriftStore, n: int, *, rows: int, passed: bool = True) -> int:
    stored = store.record_evaluation(
        profile=profile("orders", rows=rows, at=datetime.now(UTC).isoformat()),
        asset_key="orders",
        run_id=f"run-{n}-{rows}",
        baseline=None,
        baseline_strategy="previous",
        outcomes=[outcome("null_rate", passed, None if passed else Severity.ERROR)],
        partition=_day(n),
    )
    return stored.profile_id


def test_baselines_follow_partition_order_and_pass_over_failed_partitions(store_target):
    store = DriftStore(store_target)
    ids = {}
    for n in (4, 1, 3, 2):  # a backfill whose runs finished out of order
        ids[n] = _store_day(store, n, rows=100 * n, passed=n != 3)
    history = PartitionHistory(store)

    nearest = history.baselines("orders", _day(5).start, limit=None)
    assert [p.key for _, p in nearest] == ["2026-11-04", "2026-11-02", "2026-11-01"]
    assert [prof.row_count for prof, _ in nearest] == [400, 200, 100]
    assert nearest[0][1].start == _day(4).start  # tz-aware on both engines

    everything = history.baselines("orders", _day(5).start, limit=None, healthy_only=False)
    assert [p.key for _, p in everything] == [
        "2026-11-04",
        "2026-11-03",
        "2026-11-02",
        "2026-11-01",
    ]
    since_day_2 = history.baselines("orders", _day(5).start, limit=None, since=_day(2).start)
    assert [p.key for _, p in since_day_2] == ["2026-11-04", "2026-11-02"]

    store.accept("orders", ids[3], actor="ana", reason="the new normal")
    floored = history.baselines("orders", _day(5).start, limit=None)
    assert [p.key for _, p in floored] == ["2026-11-04", "2026-11-03"]


def test_a_rematerialized_partition_supersedes_its_earlier_profile_and_results(store_target):
    store = DriftStore(store_target)
    day_1 = _store_day(store, 1, rows=100)
    first = _store_day(store, 2, rows=5, passed=False)
    second = _store_day(store, 2, rows=200)
    history = PartitionHistory(store)

    (current,) = [prof for prof, p in history.current("orders", limit=5) if p.key == "2026-11-02"]
    assert current.profile_id == second != first
    states = history.states("orders", START)
    assert [(s.partition.key, s.profile_id) for s in states] == [
        ("2026-11-01", day_1),
        ("2026-11-02", second),
    ]
    rows = store.check_history(partition="2026-11-02")
    assert sorted((r.profile_id, r.passed) for r in rows) == [(first, False), (second, True)]
    assert [
        r.profile_id for r in store.check_history(partition="2026-11-02", current_only=True)
    ] == [second]
