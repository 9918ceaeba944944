"""`drift-assets history`: newest first, filters, the three formats, the `--since`
grammar, one-line errors, and `--help` with examples on every history command."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from drift_assets.cli import main
from drift_assets_tests.builders import build_history_store


@pytest.fixture
def db(tmp_path):
    build_history_store(tmp_path / "drift.duckdb")
    return str(tmp_path / "drift.duckdb")


def run(*args: str):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_table_lists_every_evaluation_newest_first_with_a_summary(db):
    result = run("history", "--db", db)
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["TIME", "(UTC)", "DATASET", "CHECK", "RESULT", "SEVERITY", "DESCRIPTION"]
    assert lines[1].startswith("2026-11-05 06:00  customers  schema_change")
    assert lines[2].startswith("2026-11-04 06:00  orders     distribution_shift  FAIL    ERROR")
    assert "1 column drifted: amount PSI 0.4" in lines[2]
    assert lines[-1] == "13 evaluations, 2 failed (2 ERROR)"


def test_columns_are_aligned(db):
    header, *rows = run("history", "orders", "--db", db).output.splitlines()[:-1]
    for row in rows:
        assert row[header.index("CHECK") - 2 : header.index("CHECK")] == "  "
        assert row[header.index("RESULT") :].startswith(("PASS", "FAIL"))


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # One dataset only.
        (["customers"], [("customers", "schema_change")]),
        # One check across datasets.
        (["--check", "null_rate"], [("orders", "null_rate")] * 4),
        # Failed only: the null spike of day 3 and the shift of day 4.
        (["orders", "--failed"], [("orders", "distribution_shift"), ("orders", "null_rate")]),
        # Since a date (UTC): days 4 and 5.
        (["--since", "2026-11-04", "--check", "schema_change"], [("customers", "schema_change"), ("orders", "schema_change")]),
        # Limit keeps the newest.
        (["orders", "--limit", "2"], [("orders", "distribution_shift"), ("orders", "null_rate")]),
    ],
)
def test_filters(db, args, expected):
    records = json.loads(run("history", *args, "--format", "json", "--db", db).output)
    assert [(r["dataset"], r["check"]) for r in records] == expected


def test_json_keeps_what_a_script_needs(db):
    records = json.loads(run("history", "orders", "--failed", "--format", "json", "--db", db).output)
    shift = records[0]
    assert shift == shift | {
        "time": "2026-11-04T06:00:00+00:00",
        "result": "FAIL",
        "passed": False,
        "severity": "ERROR",
        "baseline_strategy": "previous",
        "metrics": {"worst_psi": 0.4, "drifted_columns": 1},
    }
    assert shift["baseline_profile_ids"] == [shift["profile_id"] - 1]


def test_csv_has_a_header_and_one_row_per_evaluation(db):
    rows = list(csv.DictReader(io.StringIO(run("history", "--format", "csv", "--db", db).output)))
    assert len(rows) == 13
    assert list(rows[0]) == ["time", "dataset", "check", "result", "severity", "description", "profile_id", "run_id"]
    assert rows[1]["severity"] == "ERROR" and rows[1]["run_id"] == "run-4"
    assert rows[0]["severity"] == ""


def test_table_says_when_older_rows_are_left_out(db):
    output = run("history", "--limit", "3", "--db", db).output
    assert len(output.splitlines()) == 5
    assert output.splitlines()[-1].endswith("older ones not shown (--limit 3; 0 shows all)")


def test_nothing_to_show_is_said_plainly(db):
    result = run("history", "customers", "--failed", "--db", db)
    assert result.exit_code == 0
    assert result.output == "no check results match\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        # A misspelt dataset names the ones that exist.
        (["history", "ordrs"], "Error: no dataset named 'ordrs' in "),
        (["show", "ordrs"], "(known: customers, orders)"),
        (["trend", "ordrs", "--metric", "row_count"], "(known: customers, orders)"),
        (["baseline", "pin", "ordrs"], "(known: customers, orders)"),
    ],
)
def test_an_unknown_dataset_is_one_line_and_exit_1(db, args, message):
    result = CliRunner().invoke(main, [*args, "--db", db])
    assert result.exit_code == 1
    assert message in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_a_missing_store_is_not_silently_created(tmp_path):
    missing = tmp_path / "nowhere.duckdb"
    result = CliRunner().invoke(main, ["history", "--db", str(missing)])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: no drift store at {missing}: set DRIFT_ASSETS_DB")
    assert not missing.exists()


def test_a_bad_since_is_a_usage_error(db):
    result = CliRunner().invoke(main, ["history", "--since", "last week", "--db", db])
    assert result.exit_code == 2
    assert "'last week' is neither a duration (30s, 15m, 4h, 7d or 2w) nor a date" in result.output


@pytest.mark.parametrize(
    "command",
    [["history"], ["show"], ["trend"], ["baseline"], ["baseline", "show"], ["baseline", "pin"], ["baseline", "unpin"]],
)
def test_every_history_command_explains_itself_with_an_example(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "drift-assets " + command[0] in result.output.split("Example")[1]


def test_a_terminal_line_is_cut_to_its_width_with_an_ellipsis(db):
    from drift_assets.reports.history_table import history_table
    from drift_assets.store import DriftStore

    table = history_table(DriftStore(db).check_history(dataset="orders", limit=1), width=80)
    assert [len(line) for line in table.splitlines()] == [76, 80]
    assert table.splitlines()[1].endswith("FAIL    ERROR     1 column drift…")
