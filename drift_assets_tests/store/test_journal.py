"""A store held by another process past its budget: the batch's results wait in
the journal beside the file and land exactly once when the store is next opened;
nothing is dropped, nothing is written twice, and the caller is told."""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from contextlib import ExitStack, contextmanager
from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from drift_assets.evaluation import BatchError, evaluate_batch
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.partitions import Partition
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore
from drift_assets.store.drift_store import WriteJournaled
from drift_assets_tests.builders import numeric_column, outcome, profile
from drift_assets_tests.store.test_drift_store import record

# Opens the store file (taking DuckDB's process lock) and holds it until its
# standard input closes.
_HOLDER = (
    "import duckdb, sys; c = duckdb.connect(sys.argv[1]); print('locked', flush=True);"
    " sys.stdin.read()"
)


@contextmanager
def held_by_another_process(path):
    holder = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        yield
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)


@pytest.fixture
def store(tmp_path):
    store = DriftStore(tmp_path / "drift.duckdb", lock_timeout=0.5)
    record(store, run_id="run-0")  # an existing history the journal must not disturb
    return store


def _results(store: DriftStore, run_id: str):
    return [(r.check_name, r.passed) for r in store.check_history() if r.run_id == run_id]


def test_a_busy_store_journals_the_write_and_its_next_opening_applies_it_once(store):
    with held_by_another_process(store.path), pytest.raises(WriteJournaled) as raised:
        record(store, passed=False, run_id="run-1")
    (entry,) = list(store.journal.pending())
    assert raised.value.path == entry.path
    assert "stayed locked by another process" in str(raised.value)
    assert str(entry.path) in str(raised.value)

    # Any later opening, here a read in another process's place, applies it.
    later = DriftStore(store.path)
    assert sorted(_results(later, "run-1")) == [
        ("distribution_shift", False),
        ("null_rate", True),
        ("schema_change", True),
    ]
    assert list(later.journal.pending()) == []
    assert not any(later.journal.folder.glob("*.json"))
    # The profile it wrote is a stored profile like any other, with an id.
    (profile_id,) = {r.profile_id for r in later.check_history() if r.run_id == "run-1"}
    assert later.profile(profile_id).dataset == "orders"
    assert len(later.check_history()) == 6  # run-0's three and run-1's three, once each


def test_an_entry_applied_whose_file_survived_is_not_applied_again(store, tmp_path):
    with held_by_another_process(store.path), pytest.raises(WriteJournaled):
        record(store, run_id="run-1")
    (entry,) = list(store.journal.pending())
    kept = tmp_path / "kept.json"
    shutil.copy(entry.path, kept)
    assert len(_results(DriftStore(store.path), "run-1")) == 3
    # As if the process had died between the commit and removing the file.
    shutil.copy(kept, entry.path)
    reopened = DriftStore(store.path)
    assert len(_results(reopened, "run-1")) == 3
    assert list(reopened.journal.pending()) == []


def test_an_unreadable_entry_is_set_aside_and_the_others_still_land(store, caplog):
    with held_by_another_process(store.path):
        for run in ("run-1", "run-2"):
            with pytest.raises(WriteJournaled):
                record(store, run_id=run)
    first, _second = sorted(store.journal.folder.glob("*.json"))
    first.write_text('{"entry_id": "trunc')
    with caplog.at_level(logging.WARNING):
        reopened = DriftStore(store.path)
        assert _results(reopened, "run-1") == []
        assert len(_results(reopened, "run-2")) == 3
    assert (reopened.journal.folder / "rejected" / first.name).exists()
    assert f"journal entry {first.name} is unreadable" in caplog.text


def test_a_batch_checked_while_the_store_is_busy_keeps_its_verdicts(store):
    frame = pd.DataFrame({"amount": [1.0, 2.0, 3.0] * 20})
    policy = DriftPolicy()
    with ExitStack() as holding:

        def profiler(reference):
            # Another process takes the store while this batch is profiled: after
            # the baseline was read, before the results are written.
            holding.enter_context(held_by_another_process(store.path))
            return profile_dataframe(
                frame, "orders", reference=reference, **policy.profiler_options()
            )

        evaluation = evaluate_batch(
            store,
            dataset="orders",
            asset_key="orders",
            policy=policy,
            run_id="run-1",
            profiler=profiler,
        )
    assert evaluation.journaled is not None and "stored on its next opening" in evaluation.journaled
    assert len(evaluation.outcomes) >= 3  # the verdicts are there for Dagster and the router
    stored = _results(DriftStore(store.path), "run-1")
    assert sorted(stored) == sorted((o.check, o.passed) for o in evaluation.outcomes)


def test_a_batch_whose_baseline_cannot_be_read_says_so_in_one_line(store):
    with held_by_another_process(store.path), pytest.raises(BatchError) as raised:
        evaluate_batch(
            store,
            dataset="orders",
            asset_key="orders",
            policy=DriftPolicy(),
            run_id="run-1",
            profiler=lambda reference: pytest.fail("profiled without a baseline"),
        )
    message = str(raised.value)
    assert message.startswith("nothing was checked: the drift store")
    assert "\n" not in message


def test_a_journaled_partition_lands_before_the_write_that_opens_the_store(store):
    start = datetime(2026, 11, 30, tzinfo=UTC)
    day = Partition("2026-11-30", start, start + timedelta(days=1))

    def write(run_id):
        return store.record_evaluation(
            profile=profile("orders", numeric_column("amount", [1.0, 2.0], [10, 80, 10])),
            asset_key="orders",
            run_id=run_id,
            baseline=None,
            baseline_strategy="previous",
            outcomes=[outcome("schema_change")],
            partition=day,
        )

    with held_by_another_process(store.path), pytest.raises(WriteJournaled):
        write("run-late")
    # The partition is materialized again: opening the store for that write
    # applies the journaled one first, so the new one is the partition's current.
    write("run-again")
    current = store.check_history(partition="2026-11-30", current_only=True)
    assert [r.run_id for r in current] == ["run-again"]
    every = store.check_history(partition="2026-11-30")
    assert sorted(r.run_id for r in every) == ["run-again", "run-late"]


def test_an_unreachable_postgres_store_journals_the_write_until_it_can_be_reached(
    postgres, tmp_path, monkeypatch
):
    # The database does not exist yet: every connection is refused, as when the
    # server is down or the network cut; the journal is in this host's DAGSTER_HOME.
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    url = postgres.url("not_created_yet")
    store = DriftStore(url, lock_timeout=1)
    with pytest.raises(WriteJournaled) as raised:
        record(store, passed=False, run_id="run-1")
    (entry,) = list(store.journal.pending())
    assert entry.path.parent.parent == tmp_path / "home"
    assert "cannot connect to the drift store" in str(raised.value)
    assert "\n" not in str(raised.value)

    assert postgres.create_database("not_created_yet") == url
    reached = DriftStore(url)
    assert sorted(_results(reached, "run-1")) == [
        ("distribution_shift", False),
        ("null_rate", True),
        ("schema_change", True),
    ]
    assert list(reached.journal.pending()) == []
    assert len(DriftStore(url).check_history()) == 3  # applied once, not at every opening
