"""The store, on both backends (a DuckDB file, a Postgres database): migrations,
all-or-nothing writes, history queries, pins, writers in many processes; and
DuckDB's cross-process file lock."""

from __future__ import annotations

import multiprocessing
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from drift_assets.checks.outcome import Severity
from drift_assets.store import DriftStore
from drift_assets.store.connection import StoreLockedError, connect
from drift_assets.store.migrations import MIGRATIONS, Migration, migrate
from drift_assets_tests.builders import numeric_column, outcome, profile


def record(
    store: DriftStore,
    dataset: str = "orders",
    *,
    passed: bool = True,
    baseline=None,
    run_id: str = "run-1",
):
    current = profile(dataset, numeric_column("amount", [1.0, 2.0], [10, 80, 10]))
    return store.record_evaluation(
        profile=current,
        asset_key=dataset,
        run_id=run_id,
        baseline=baseline,
        baseline_strategy="previous",
        outcomes=[
            outcome("schema_change"),
            outcome("null_rate"),
            outcome(
                "distribution_shift",
                passed,
                None if passed else Severity.WARN,
                "amount drifted" if not passed else "ok",
                column="amount",
            ),
        ],
    )


@pytest.fixture
def store(store_target):
    return DriftStore(store_target, lock_timeout=5)


def test_a_new_store_gets_every_migration_once(store, store_target):
    record(store)
    reopened = DriftStore(store_target)
    reopened.datasets()  # migrates again: must be a no-op
    with reopened.connection() as conn:
        rows = conn.execute("SELECT version FROM schema_migrations ORDER BY 1").fetchall()
        versions = [r[0] for r in rows]
    assert versions == [m.version for m in MIGRATIONS]


def test_migration_versions_are_unique_and_ascending():
    # Two branches appending the same version number would silently skip one.
    versions = [m.version for m in MIGRATIONS]
    assert versions == sorted(set(versions))


def test_profile_and_results_round_trip(store):
    stored = record(store, passed=False)
    assert stored.profile_id is not None
    assert store.profile(stored.profile_id) == stored
    history = store.check_history(dataset="orders")
    assert [r.check_name for r in history] == ["distribution_shift", "null_rate", "schema_change"]
    failed = history[0]
    assert (failed.passed, failed.severity, failed.description) == (False, "WARN", "amount drifted")
    assert failed.columns[0]["column"] == "amount" and failed.columns[0]["test"] == "psi"
    assert failed.metrics == {"drifted_columns": 1}
    assert failed.profile_id == stored.profile_id and failed.baseline_profile_ids == ()
    assert failed.run_id == "run-1"


def test_results_name_the_baseline_they_were_compared_with(store):
    first = record(store)
    record(store, baseline=first)
    newest = store.check_history(dataset="orders", limit=1)[0]
    assert newest.baseline_profile_ids == (first.profile_id,)


def test_history_filters(store):
    record(store, "orders", passed=False)
    record(store, "customers")
    assert {r.dataset for r in store.check_history()} == {"orders", "customers"}
    assert [r.check_name for r in store.check_history(failed_only=True)] == ["distribution_shift"]
    assert len(store.check_history(check="null_rate")) == 2
    assert store.check_history(since=datetime.now(UTC) + timedelta(minutes=1)) == []
    assert len(store.check_history(limit=2)) == 2
    assert store.datasets() == ["customers", "orders"]


def test_recent_profiles_are_newest_first_and_per_dataset(store):
    ids = [record(store, "orders").profile_id for _ in range(3)]
    record(store, "customers")
    assert [p.profile_id for p in store.recent_profiles("orders", 2)] == ids[::-1][:2]


def test_a_failed_write_leaves_nothing_behind(store):
    record(store)
    bad = outcome("null_rate")
    object.__setattr__(bad, "metrics", {"not json": object()})
    with pytest.raises(TypeError):
        store.record_evaluation(
            profile=profile("orders"),
            asset_key="orders",
            run_id="r",
            baseline=None,
            baseline_strategy="previous",
            outcomes=[bad],
        )
    assert len(store.recent_profiles("orders", 10)) == 1
    assert len(store.check_history()) == 3


def test_pin_unpin_and_the_audit_trail(store):
    first = record(store)
    store.pin("orders", first.profile_id, actor="ana", reason="known good")
    pin = store.pinned("orders")
    assert (pin.profile_id, pin.pinned_by, pin.reason) == (first.profile_id, "ana", "known good")
    assert store.unpin("orders", actor="ben") is True
    assert store.pinned("orders") is None
    assert store.unpin("orders", actor="ben") is False
    with store.connection() as conn:
        trail = conn.execute(
            "SELECT action, actor FROM baseline_events ORDER BY event_id"
        ).fetchall()
    assert trail == [("pin", "ana"), ("unpin", "ben")]


def test_pinning_checks_the_profile(store):
    first = record(store, "orders")
    with pytest.raises(KeyError, match="no stored profile 999"):
        store.pin("orders", 999, actor="ana")
    with pytest.raises(ValueError, match="belongs to 'orders', not 'customers'"):
        store.pin("customers", first.profile_id, actor="ana")


def _write_results(path: str, dataset: str, count: int) -> None:
    store = DriftStore(path, lock_timeout=60)
    for i in range(count):
        record(store, dataset, run_id=f"{dataset}-{i}")


def test_concurrent_processes_lose_nothing(store, store_target):
    # DuckDB: each waits for the file lock; Postgres: they write side by side.
    context = multiprocessing.get_context("spawn")
    writers = [
        context.Process(target=_write_results, args=(store_target, f"ds{i}", 15)) for i in range(3)
    ]
    for writer in writers:
        writer.start()
    for writer in writers:
        writer.join(120)
    assert [w.exitcode for w in writers] == [0, 0, 0]
    assert len(store.check_history()) == 3 * 15 * 3
    assert {r.run_id for r in store.check_history(dataset="ds2")} == {f"ds2-{i}" for i in range(15)}


def _hold_lock(path: str, ready, release) -> None:
    conn = duckdb.connect(path)
    ready.set()
    release.wait(30)
    conn.close()


def test_a_lock_held_too_long_is_a_clear_error(tmp_path):
    path = tmp_path / "locked.duckdb"
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with (
            pytest.raises(StoreLockedError, match=r"stayed locked by another process for 1 s"),
            connect(path, lock_timeout=1),
        ):
            pass
    finally:
        release.set()
        holder.join(30)
    with connect(path, lock_timeout=5) as conn:  # released: opens at once
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_baseline_profiles_are_those_that_passed_or_were_accepted(store):
    def evaluated(passed: bool = True, severity=None, description="ok", dataset="orders"):
        return store.record_evaluation(
            profile=profile(dataset),
            asset_key=dataset,
            run_id=None,
            baseline=None,
            baseline_strategy="previous",
            outcomes=[
                outcome("schema_change"),
                outcome("null_rate", passed, severity, description),
            ],
        ).profile_id

    first = evaluated(False, Severity.ERROR, "null rate 60% (error at 50%)")
    passing = evaluated()
    warned = evaluated(False, Severity.WARN, "email +6 pp (warn at +5 pp)")
    # a check that raised inside is that check's ERROR result: a failure like any other
    broken = evaluated(False, Severity.ERROR, "could not be evaluated: ValueError: boom")
    evaluated(dataset="customers")
    latest = evaluated(False, Severity.ERROR, "schema changed")

    def ids(limit=10):
        return [p.profile_id for p in store.baseline_profiles("orders", limit)]

    # the first profile recorded the baseline: it counts even though it failed
    assert ids() == [passing, first]
    assert ids(1) == [passing]
    assert store.failed_profiles("orders", [first, passing, warned, broken, latest]) == {
        first,
        warned,
        broken,
        latest,
    }
    store.accept("orders", broken, actor="cli:ana")
    assert ids() == [broken]  # nothing older than the accepted profile
    assert [p.profile_id for p in store.recent_profiles("orders", 1)] == [latest]
    assert store.baseline_profiles("nobody", 5) == []


def test_a_migration_may_carry_postgres_text_and_duckdb_keeps_its_own(store_target):
    variant = Migration(
        100,
        "a column type the engines spell differently",
        ("CREATE TABLE spelled (v VARCHAR DEFAULT 'duckdb')",),
        postgres=("CREATE TABLE spelled (v VARCHAR DEFAULT 'postgres')",),
    )
    store = DriftStore(store_target)
    with store.connection() as conn:
        assert migrate(conn, (*MIGRATIONS, variant)) == 100
        conn.execute("INSERT INTO spelled DEFAULT VALUES")
        (spelled,) = conn.execute("SELECT v FROM spelled").fetchone()
    assert spelled == ("postgres" if store.shared else "duckdb")
