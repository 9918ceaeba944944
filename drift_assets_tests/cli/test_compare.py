"""drift-assets compare: the one-shot report, its JSON shape and its exit status."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from drift_assets.cli.compare import command as compare
from drift_assets.reports.compare_report import report_schema

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


# --- never a traceback: real files nobody here designed ------------------------

SCHEMA = report_schema()


def write(path, text: str):
    path.write_text(text, encoding="utf-8")
    return path


def labelled(values, n: int = 200, column: str = "sex") -> str:
    return f"{column},weight\n" + "".join(
        f"{values[i % len(values)]},{60 + i % 37}\n" for i in range(n)
    )


@pytest.mark.parametrize(
    ("baseline", "current", "exit_code", "failing"),
    [
        # labels recoded: the most common real drift, and it used to crash
        (labelled(["male", "female"]), labelled(["M", "F"]), 1, {"distribution_shift": "sex"}),
        # every value new in a text column with many values
        (
            labelled([f"sp{i}" for i in range(40)]),
            labelled([f"other{i}" for i in range(40)]),
            1,
            {"distribution_shift": "sex"},
        ),
        # re-cased labels
        (
            labelled(["male", "female"]),
            labelled(["Male", "Female"]),
            1,
            {"distribution_shift": "sex"},
        ),
        # a column that became all null: nulls up 100 pp, values not compared
        (labelled(["male", "female"]), labelled([""]), 1, {"null_rate": "sex"}),
        # all null on both sides
        (labelled([""]), labelled([""]), 0, {}),
        # a header and no rows on both sides
        ("a,b\n", "a,b\n", 0, {}),
        # one row each
        ("x,y\n1,a\n", "x,y\n2,b\n", 0, {}),
        # a column of only NaN and inf, on both sides
        ("x\nnan\ninf\n-inf\n" * 20, "x\ninf\nnan\n-inf\n" * 20, 0, {}),
        # unicode, empty strings and quoted commas as values
        (
            labelled(["日本", "Ünïcødé", '"a,b"', "🙂"]),
            labelled(["日本", "Ünïcødé", '"a,b"', "🙂"]),
            0,
            {},
        ),
        # duplicate, blank and odd column names
        ('x,x,"a b","",é\n' + "1,2,3,4,5\n" * 50, 'x,x,"a b","",é\n' + "1,2,3,4,5\n" * 50, 0, {}),
    ],
    ids=[
        "recoded",
        "all-new",
        "re-cased",
        "became-null",
        "all-null",
        "header-only",
        "one-row",
        "nan-inf",
        "unicode",
        "odd-names",
    ],
)
def test_real_files_get_a_report_that_follows_the_schema(
    tmp_path, baseline, current, exit_code, failing
):
    result = run(
        write(tmp_path / "baseline.csv", baseline),
        write(tmp_path / "current.csv", current),
        "--format",
        "json",
    )
    assert result.exit_code == exit_code, result.output
    report = json.loads(result.stdout)
    jsonschema.validate(report, SCHEMA)
    assert not any("could not be evaluated" in c["description"] for c in report["checks"])
    for check in report["checks"]:
        if check["check"] in failing:
            assert not check["passed"]
            failed = [c["column"] for c in check["columns"] if c["failed"]]
            assert failing[check["check"]] in failed
        else:
            assert check["passed"], check["description"]


def test_recoded_labels_name_the_new_values_in_the_text_report(tmp_path):
    result = run(
        write(tmp_path / "a.csv", labelled(["male", "female"])),
        write(tmp_path / "b.csv", labelled(["M", "F"])),
    )
    assert result.exit_code == 1
    assert "ERROR  sex: both baseline values vanished; new: F, M (error at 5%)" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("{base}",), "Missing argument 'CURRENT'."),
        (("{base}", "{base}", "--bogus"), "No such option '--bogus'."),
        (("{base}", "{base}", "--out", "{tmp}/no/such/folder/r.json"), "cannot write the report"),
        (("{tmp}", "{base}"), "is a directory"),
        (("{base}", "{empty}"), "the file is empty (no header, no rows)"),
        (("{base}", "{binary}"), "binary.parquet"),
    ],
    ids=[
        "missing-argument",
        "unknown-option",
        "unwritable-out",
        "directory",
        "empty",
        "not-parquet",
    ],
)
def test_bad_usage_or_unreadable_input_is_one_line_on_stderr_and_exit_2(tmp_path, args, message):
    paths = {
        "base": write(tmp_path / "base.csv", labelled(["a", "b"])),
        "empty": write(tmp_path / "empty.csv", ""),
        "binary": write(tmp_path / "binary.parquet", "this is not parquet\n"),
        "tmp": tmp_path,
    }
    result = run(*(a.format(**paths) for a in args))
    assert result.exit_code == 2
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("drift-assets compare: ") and message in line


# --- what compare imports -------------------------------------------------------

_MODULES_AFTER = """
import sys
from drift_assets.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in {mods!r})))
"""
_HEAVY = {"dagster", "pandas", "scipy", "duckdb", "numpy"}


def modules_after(*args) -> set[str]:
    code = _MODULES_AFTER.format(mods=_HEAVY)
    done = subprocess.run(
        [sys.executable, "-c", code, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])},
    )
    return set(done.stdout.split("\n")[-2].split())


def test_compare_help_imports_nothing_heavy():
    assert modules_after("compare", "--help") == set()


def test_compare_of_large_files_imports_no_dagster_pandas_or_scipy_stats(tmp_path):
    # 40,000 rows a side: KS's limiting distribution applies (n_eff above 10,000),
    # so scipy.special is enough; the exact small-sample one needs scipy.stats.
    rng = np.random.default_rng(0)
    for name in ("a", "b"):
        pd.DataFrame(
            {"x": rng.normal(size=40_000), "n": rng.integers(0, 9, 40_000), "s": "k"}
        ).to_parquet(tmp_path / f"{name}.parquet")
        pd.DataFrame({"x": rng.normal(size=40_000)}).to_csv(tmp_path / f"{name}.csv")
    for suffix in ("parquet", "csv"):
        loaded = modules_after("compare", tmp_path / f"a.{suffix}", tmp_path / f"b.{suffix}")
        assert {m.split(".")[0] for m in loaded} == {"duckdb", "numpy", "scipy"}
        assert not any(m.startswith("scipy.stats") for m in loaded), suffix
