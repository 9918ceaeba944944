"""`drift-assets demo run` while another process holds the store: the day is not
reported as healthy, every dataset says why it did not complete, the command exits
non-zero, and once the store is free the next day plays and routes normally."""

from __future__ import annotations

import shutil

from click.testing import CliRunner

from drift_assets.cli import main
from drift_assets.store import DriftStore
from drift_assets_tests.conftest import REPO
from drift_assets_tests.store.test_journal import held_by_another_process


def test_a_demo_day_on_a_busy_store_says_what_did_not_complete_and_fails(tmp_path, monkeypatch):
    shutil.copy(REPO / "datasets.yaml", tmp_path / "datasets.yaml")
    (tmp_path / "home").mkdir()
    store_path = tmp_path / "drift.duckdb"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(tmp_path / "datasets.yaml"))
    monkeypatch.setenv("DRIFT_ASSETS_DB", str(store_path))
    monkeypatch.setenv("DRIFT_ASSETS_LOCK_TIMEOUT", "0.5")
    for variable in ("SLACK_BOT_TOKEN", "SLACK_WEBHOOK_URL"):
        monkeypatch.delenv(variable, raising=False)
    shutil.copy(REPO / "dagster.yaml", tmp_path / "home" / "dagster.yaml")
    DriftStore(store_path).datasets()  # the file exists, as after an earlier day

    with held_by_another_process(store_path):
        busy = CliRunner().invoke(main, ["demo", "run", "--days", "1"])
    assert busy.exit_code == 1, busy.output
    assert "all checks passed" not in busy.output
    assert "): not complete: orders, customers, web_events, router" in busy.output
    lines = busy.output.splitlines()
    for dataset in ("orders", "customers", "web_events"):
        (line,) = [x for x in lines if f"NOT COMPLETE {dataset}: no check ran:" in x]
        assert (
            f"nothing was checked: the drift store {store_path} stayed locked by another"
            " process for 0.5 s (held by PID "
        ) in line, line
    assert "NOT COMPLETE router: the drift store" in busy.output
    assert "Error: day 1 did not complete (the NOT COMPLETE lines);" in busy.output
    assert DriftStore(store_path).check_history() == []

    # Day 1 was not counted as played: the next run plays it again, completely.
    free = CliRunner().invoke(main, ["demo", "run", "--days", "1"])
    assert free.exit_code == 0, free.output
    assert "day   1 (" in free.output
    assert "NOT COMPLETE" not in free.output
    assert {r.dataset for r in DriftStore(store_path).check_history()} == {
        "orders",
        "customers",
        "web_events",
    }

    # The demo's progress belongs to the instance it played on: a fresh
    # DAGSTER_HOME beside the same data folder starts again at day 1.
    assert "demo already at day 1" in CliRunner().invoke(main, ["demo", "run", "--if-new"]).output
    (tmp_path / "fresh_home").mkdir()
    shutil.copy(REPO / "dagster.yaml", tmp_path / "fresh_home" / "dagster.yaml")
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "fresh_home"))
    monkeypatch.setenv("DRIFT_ASSETS_DB", str(tmp_path / "fresh.duckdb"))
    again = CliRunner().invoke(main, ["demo", "run", "--days", "1", "--if-new"])
    assert again.exit_code == 0 and "day   1 (" in again.output, again.output
