"""drift-assets compare: the one-shot report, its JSON shape and its exit status."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from drift_assets.cli.compare import command as compare

ROWS = 3_000


def batch(seed: int, *, shift: float = 0.0, nulls: float = 0.0, drop: str | None = None):
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "amount": rng.normal(50 + 10 * shift, 10, ROWS),
            "country": rng.choice(["DE", "FR", "US"], ROWS),
            "email": [f"u{i}@x.org" for i in range(ROWS)],
        }
    )
    frame["amount"] = frame["amount"].mask(rng.random(ROWS) < nulls)
    return frame.drop(columns=[drop]) if drop else frame


@pytest.fixture
def files(tmp_path):
    paths = {}
    for name, frame in {
        "base": batch(1),
        "same": batch(2),
        "shifted": batch(3, shift=0.5),
        "nullier": batch(4, nulls=0.08),
        "narrower": batch(5, drop="country"),
    }.items():
        paths[name] = tmp_path / f"{name}.csv"
        frame.to_csv(paths[name], index=False)
    batch(6, shift=0.5).to_parquet(tmp_path / "shifted.parquet")
    paths["shifted_parquet"] = tmp_path / "shifted.parquet"
    return paths


def run(*args):
    return CliRunner().invoke(compare, [str(a) for a in args])


def test_the_same_distribution_passes_with_exit_0(files):
    result = run(files["base"], files["same"])
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("All checks passed.")


def test_the_json_report_has_the_documented_shape(files):
    result = run(files["base"], files["shifted_parquet"], "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["passed"] is False
    assert [c["check"] for c in report["checks"]] == [
        "schema_change",
        "null_rate",
        "distribution_shift",
    ]
    for check in report["checks"]:
        assert set(check) >= {"check", "passed", "severity", "description", "columns"}
        assert check["severity"] in ("WARN", "ERROR", None)
        assert all({"column", "failed"} <= set(c) for c in check["columns"])
    shift = report["checks"][2]
    assert shift["severity"] == "ERROR" and "amount" in shift["description"]
    amount = next(c for c in shift["columns"] if c["column"] == "amount")
    assert amount["failed"] is True
    assert {"test", "statistic", "pvalue"} <= set(amount)
    assert amount["pvalue"] < 0.01
    email = next(c for c in shift["columns"] if c["column"] == "email")
    assert email["failed"] is False  # id-like: set aside, not failed


def test_schema_entries_carry_change_and_types(files):
    report = json.loads(run(files["base"], files["narrower"], "--format", "json").output)
    (removed,) = [c for c in report["checks"][0]["columns"] if c["failed"]]
    assert (removed["column"], removed["change"], removed["from"], removed["to"]) == (
        "country",
        "removed",
        "string",
        None,
    )
    assert report["checks"][0]["severity"] == "ERROR"


@pytest.mark.parametrize(
    ("args", "exit_code", "null_severity"),
    [
        # +8 pp of nulls is over the default warn tier (5 pp) but under error (20 pp)
        ((), 1, "WARN"),
        # the flag sets the warn tier: 2 pp still warns
        (("--null-thresh", "2"), 1, "WARN"),
        # a warn tier above the change passes
        (("--null-thresh", "10"), 0, None),
        # a warn tier above the default error tier lifts the error tier with it
        (("--null-thresh", "30"), 0, None),
    ],
)
def test_null_threshold_flag(files, args, exit_code, null_severity):
    result = run(files["base"], files["nullier"], "--format", "json", *args)
    report = json.loads(result.output)
    assert result.exit_code == exit_code
    assert report["checks"][1]["severity"] == null_severity


@pytest.mark.parametrize(
    ("args", "mean_tiers", "std_tiers"),
    [
        # defaults: warn 0.1 / error 0.35 SD, std change 0.25 / 0.5
        ((), {"warn": 0.1, "error": 0.35}, {"warn": 0.25, "error": 0.5}),
        # a warn tier below the error tier keeps the error tier
        (("--mean-thresh", "0.2"), {"warn": 0.2, "error": 0.35}, {"warn": 0.25, "error": 0.5}),
        # a warn tier above the error tier lifts it
        (
            ("--mean-thresh", "0.8", "--std-thresh", "0.6"),
            {"warn": 0.8, "error": 0.8},
            {"warn": 0.6, "error": 0.6},
        ),
    ],
)
def test_threshold_flags_set_warn_tiers(files, args, mean_tiers, std_tiers):
    report = json.loads(run(files["base"], files["shifted"], "--format", "json", *args).output)
    thresholds = report["checks"][2]["thresholds"]
    assert thresholds["mean_shift_sd"] == mean_tiers
    assert thresholds["std_change"] == std_tiers


def test_a_policy_file_applies(files, tmp_path):
    policy = tmp_path / "policy.yaml"
    policy.write_text("policy:\n  columns:\n    amount: {ignore: true}\n")
    assert run(files["base"], files["shifted"]).exit_code == 1
    ignored = run(files["base"], files["shifted"], "--config", policy)
    assert ignored.exit_code == 0, ignored.output


def test_a_bad_threshold_is_a_usage_error(files):
    result = run(files["base"], files["same"], "--null-thresh", "-5")
    assert result.exit_code == 2
    assert "the command-line thresholds: null_rate.max_increase_pp.warn" in result.output
    assert "greater than or equal to 0" in result.output


def test_out_writes_the_report_to_a_file(files, tmp_path):
    out = tmp_path / "report.json"
    result = run(files["base"], files["same"], "--format", "json", "--out", out)
    assert result.exit_code == 0 and result.output == ""
    assert json.loads(out.read_text())["passed"] is True


@pytest.mark.parametrize(
    ("make_args", "message"),
    [
        (lambda f, t: (t / "missing.csv", f["base"]), "missing.csv"),
        (lambda f, t: (f["base"], t / "notes.txt.md"), "expected a .csv or .parquet file"),
        (
            lambda f, t: (f["base"], f["same"], "--config", t / "nope.yaml"),
            "nope.yaml: cannot read the policy file",
        ),
        (lambda f, t: (f["base"], f["same"], "--format", "xml"), "Invalid value for '--format'"),
    ],
)
def test_bad_input_exits_2_with_one_line(files, tmp_path, make_args, message):
    result = run(*make_args(files, tmp_path))
    assert result.exit_code == 2
    assert message in result.output


@pytest.mark.parametrize(
    ("content", "exit_code", "message"),
    [
        # nothing at all: unreadable input
        ("", 2, "the file is empty (no header, no rows)"),
        # a header and no rows: a valid, empty batch; the columns differ, so schema fails
        ("a,b\n", 1, "schema changed"),
    ],
)
def test_empty_files_are_clear(files, tmp_path, content, exit_code, message):
    empty = tmp_path / "empty.csv"
    empty.write_text(content)
    result = run(files["base"], empty)
    assert result.exit_code == exit_code
    assert message in result.output
    assert "Traceback" not in result.output


def test_no_progress_bar_when_not_in_a_terminal(files):
    result = CliRunner().invoke(compare, [str(files["base"]), str(files["same"])])
    assert "Profiling" not in result.output
