"""`drift-assets show` and `drift-assets baseline`: what a dataset is compared
with, its latest profile and checks, and pins that are checked and audited."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from drift_assets.cli import main
from drift_assets.reports.dataset_summary import column_summary
from drift_assets.settings.dataset_file import CONFIG_ENV_VAR
from drift_assets.store import DriftStore
from drift_assets_tests.builders import build_history_store, category_column, numeric_column
from drift_assets_tests.conftest import REPO


@pytest.fixture
def db(tmp_path, monkeypatch):
    # The repo's dataset file declares orders with the `previous` strategy.
    shutil.copy(REPO / "datasets.yaml", tmp_path / "datasets.yaml")
    monkeypatch.setenv(CONFIG_ENV_VAR, str(tmp_path / "datasets.yaml"))
    build_history_store(tmp_path / "drift.duckdb")
    return str(tmp_path / "drift.duckdb")


def run(*args: str):
    return CliRunner().invoke(main, list(args))


def test_show_tells_baseline_profile_and_latest_checks(db):
    result = run("show", "orders", "--db", db)
    assert result.exit_code == 0, result.output
    assert result.output == (
        "orders\n"
        "\n"
        "Baseline\n"
        "  strategy      previous\n"
        # #3 (null spike) and #4 (amount shift) failed: they are no baseline
        "  next batch    compared with profile #2 (the latest that passed or was accepted;"
        " newer ones failed)\n"
        "  pinned        none\n"
        "\n"
        "Latest profile #4  2026-11-04 06:00 UTC  100 rows, 3 columns\n"
        "  COLUMN   TYPE    NULLS  DISTINCT  SUMMARY\n"
        "  amount   float   0.00%       100  mean 41, std 12, min 10, max 50\n"
        "  country  string  0.00%         2  US 60.0%, DE 40.0%\n"
        "  email    string  1.00%         1  a@x 100.0%\n"
        "\n"
        "Latest checks  profile #4, 2026-11-04 06:00 UTC, against #3 (previous)\n"
        "  schema_change       PASS         no schema change\n"
        "  null_rate           PASS         no null-rate increase\n"
        "  distribution_shift  FAIL  ERROR  1 column drifted: amount PSI 0.4\n"
        "                        ERROR  amount: PSI 0.4\n"
    )


def test_show_json_for_scripts(db):
    summary = json.loads(run("show", "orders", "--format", "json", "--db", db).output)
    assert summary["baseline"]["strategy"] == "previous"
    assert summary["latest_profile"]["columns"][2] == {
        "name": "email",
        "type": "string",
        "null_rate": 0.01,
        "distinct": 1,
        "summary": "a@x 100.0%",
    }
    assert [c["result"] for c in summary["latest_checks"]] == ["PASS", "PASS", "FAIL"]


def test_show_without_a_dataset_file_still_shows_the_store(db, monkeypatch, tmp_path):
    monkeypatch.setenv(CONFIG_ENV_VAR, str(tmp_path / "missing.yaml"))
    output = run("show", "orders", "--db", db).output
    assert "strategy      unknown: no dataset file here declares it (set DRIFT_ASSETS_CONFIG)" in output
    assert "Latest profile #4" in output


@pytest.mark.parametrize(
    ("column", "expected"),
    [
        # Numbers: centre and spread, then range.
        (numeric_column("x", [1.0, 9.0], [1, 8, 1], mean=5.0, std=2.5), "mean 5, std 2.5, min 1, max 9"),
        # Categories beyond four are counted; an incomplete list says so.
        (category_column("c", [(k, 10) for k in "abcdef"], other=40, complete=False), "a 10.0%, b 10.0%, c 10.0%, d 10.0%, +2 more and others"),
    ],
)
def test_column_summary(column, expected):
    assert column_summary(column) == expected


def test_pin_then_show_then_unpin(db):
    pinned = run("baseline", "pin", "orders", "--profile", "2", "--reason", "known good", "--db", db)
    assert pinned.exit_code == 0
    assert pinned.stdout == "pinned profile #2 (2026-11-02 06:00 UTC, 100 rows) as the baseline of orders\n"
    # orders compares with the previous batch: say that the pin waits for `pinned`.
    assert pinned.stderr.startswith("note: orders uses the `previous` baseline;")

    shown = run("baseline", "show", "orders", "--db", db).output
    assert "  pinned        profile #2 since " in shown and ", by cli:" in shown and ": known good" in shown
    assert "  #4      2026-11-04 06:00           100 rows    3 columns  failed\n" in shown
    assert "  #2      2026-11-02 06:00           100 rows    3 columns  passed, pinned\n" in shown

    assert run("baseline", "unpin", "orders", "--db", db).output == "unpinned profile #2 from orders\n"
    assert run("baseline", "unpin", "orders", "--db", db).output == "orders had no pinned baseline; nothing to do\n"
    assert DriftStore(db).pinned("orders") is None


def test_pin_defaults_to_the_latest_profile(db):
    assert run("baseline", "pin", "orders", "--db", db).stdout.startswith("pinned profile #4 ")


@pytest.mark.parametrize(
    ("profile_id", "message"),
    [
        ("5", "Error: profile 5 belongs to 'customers', not 'orders'\n"),
        ("99", "Error: there is no stored profile 99\n"),
    ],
)
def test_pin_refuses_a_profile_that_is_not_the_datasets(db, profile_id, message):
    result = run("baseline", "pin", "orders", "--profile", profile_id, "--db", db)
    assert result.exit_code == 1
    assert result.output == message
