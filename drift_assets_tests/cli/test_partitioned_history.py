"""The history commands on a partitioned dataset: a PARTITION column and filter,
a replaced result marked so, `show` on one partition, and `baseline accept
--partition`."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from drift_assets.cli import main
from drift_assets.evaluation import evaluate_batch
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.partitions import Partition
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore

START = datetime(2026, 11, 1, tzinfo=UTC)


def day(n: int) -> Partition:
    return Partition(f"2026-11-0{n}", START + timedelta(days=n - 1), START + timedelta(days=n))


def evaluate(store, n, mean):
    frame = pd.DataFrame({"amount": np.random.default_rng(n).normal(mean, 10, 300)})
    evaluate_batch(
        store,
        dataset="orders",
        asset_key="orders",
        policy=DriftPolicy(),
        run_id=f"run-{n}-{mean}",
        partition=day(n),
        profiler=lambda reference: profile_dataframe(frame, "orders", reference=reference),
    )


@pytest.fixture
def db(tmp_path):
    store = DriftStore(tmp_path / "drift.duckdb")
    evaluate(store, 1, 100)
    evaluate(store, 2, 140)  # shifted
    evaluate(store, 3, 100)
    evaluate(store, 2, 100)  # day 2 fixed upstream and materialized again
    return str(store.path)


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_history_has_a_partition_column_and_filter_and_marks_replaced_results(db):
    table = run("history", "orders", "--check", "distribution_shift", "--db", db).output
    assert table.splitlines()[0].split()[:4] == ["TIME", "(UTC)", "DATASET", "PARTITION"]
    assert "2026-11-02 (replaced)  distribution_shift  FAIL" in table
    rows = json.loads(
        run("history", "--partition", "2026-11-02", "--format", "json", "--db", db).output
    )
    assert {(r["partition"], r["superseded"], r["passed"]) for r in rows} == {
        ("2026-11-02", True, True),
        ("2026-11-02", True, False),
        ("2026-11-02", False, True),
    }


def test_show_reads_one_partition_and_accept_takes_a_partition(db):
    shown = json.loads(
        run("show", "orders", "--partition", "2026-11-02", "--format", "json", "--db", db).output
    )
    assert shown["partition"] == "2026-11-02"
    assert all(c["passed"] for c in shown["latest_checks"])
    assert {c["check"] for c in shown["latest_checks"]} == {
        "schema_change", "null_rate", "distribution_shift", "row_count"
    }
    assert run("show", "orders", "--db", db).output.startswith("orders  partition 2026-11-03")
    accepted = run("baseline", "accept", "orders", "--partition", "2026-11-02", "--db", db)
    current = DriftStore(db).check_history(partition="2026-11-02", current_only=True)[0]
    assert DriftStore(db).accepted("orders") == current.profile_id, accepted.output
    missing = CliRunner().invoke(main, ["show", "orders", "--partition", "2026-12-31", "--db", db])
    assert missing.exit_code == 1 and "no stored partition '2026-12-31'" in missing.output
