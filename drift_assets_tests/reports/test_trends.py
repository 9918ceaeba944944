"""`drift-assets trend`: which points a metric has, the verdict behind each, the
thresholds drawn (fixed tiers, column overrides, the null-rate allowance that
moves with the baseline), and the chart files it writes."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from drift_assets.cli import main
from drift_assets.reports.trend_chart import save_chart, trend_chart
from drift_assets.reports.trends import TrendError, build_trend
from drift_assets_tests.builders import build_history_store


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    store = build_history_store(tmp_path_factory.mktemp("trend") / "drift.duckdb")
    profiles = store.recent_profiles("orders", 100)
    results = store.check_history(dataset="orders")
    return store, profiles, results


def trend_of(history, metric, column=None):
    _, profiles, results = history
    return build_trend("orders", metric, column, profiles, results)


@pytest.mark.parametrize(
    ("metric", "column", "values", "results", "tiers"),
    [
        # From profiles: exists from the first batch; judged by every check at once.
        ("row_count", None, [100, 100, 100, 100], ["PASS", "PASS", "ERROR", "ERROR"], (None, None)),
        # A dataset metric of a check, with that check's tiers.
        ("worst_psi", None, [0.0, 0.02, 0.03, 0.4], ["PASS", "PASS", "PASS", "ERROR"], (0.1, 0.25)),
        # A column metric of a check, judged by that check.
        ("psi", "amount", [0.0, 0.02, 0.03, 0.4], ["PASS", "PASS", "PASS", "ERROR"], (0.1, 0.25)),
        # A column override replaces the warn tier and keeps the error tier.
        ("psi", "country", [0.01] * 4, ["PASS", "PASS", "PASS", "ERROR"], (0.2, 0.25)),
        # A column's null rate from profiles, coloured by the null-rate check.
        ("null_rate", "email", [0.01, 0.01, 0.31, 0.01], ["PASS", "PASS", "ERROR", "PASS"], (None, None)),
        # No tier judges a raw mean.
        ("mean", "amount", [30.0, 30.5, 30.2, 41.0], ["PASS", "PASS", "PASS", "ERROR"], (None, None)),
    ],
)
def test_points_oldest_first_with_verdicts_and_tiers(history, metric, column, values, results, tiers):
    trend = trend_of(history, metric, column)
    assert [p.value for p in trend.points] == pytest.approx(values)
    assert [p.result for p in trend.points] == results
    assert (trend.warn, trend.error) == tiers
    assert [p.at.day for p in trend.points] == [1, 2, 3, 4]


def test_null_rate_allowance_is_the_baseline_rate_plus_the_increase_tiers(history):
    points = trend_of(history, "null_rate", "email").points
    # Day 1 had no baseline; day 4 was compared with day 3's spike (31% nulls).
    assert [p.warn_at for p in points] == pytest.approx([None, 0.06, 0.06, 0.36])
    assert [p.error_at for p in points] == pytest.approx([None, 0.21, 0.21, 0.51])


@pytest.mark.parametrize(
    ("metric", "column", "message"),
    [
        ("psi", None, "no dataset metric 'psi' (a column metric: add --column); dataset metrics: column_count,"),
        ("worst_psi", "amount", "no column metric 'worst_psi'; column metrics: distinct_count, increase_pp,"),
        ("psi", "amout", "orders has no column 'amout' (columns: amount, country, email)"),
    ],
)
def test_a_wrong_name_lists_what_can_be_charted(history, metric, column, message):
    with pytest.raises(TrendError, match="^" + message.replace("(", r"\(").replace(")", r"\)")):
        trend_of(history, metric, column)


def test_chart_draws_line_points_and_both_tiers(history):
    spec = trend_chart(trend_of(history, "worst_psi")).to_dict()
    marks = [layer["mark"]["type"] if isinstance(layer["mark"], dict) else layer["mark"] for layer in spec["layer"]]
    assert marks == ["line", "rule", "text", "rule", "text", "point"]
    assert spec["title"]["text"] == "orders: worst_psi"
    assert "warn 0.1 and error 0.25 (distribution_shift, latest policy)" in spec["title"]["subtitle"]


@pytest.mark.parametrize(("suffix", "magic"), [(".png", b"\x89PNG"), (".svg", b"<svg"), (".html", b"<!DOCTYPE html>")])
def test_chart_files_are_written_offline(history, tmp_path, suffix, magic):
    path = tmp_path / f"chart{suffix}"
    save_chart(trend_chart(trend_of(history, "null_rate", "email")), path)
    assert path.read_bytes().lstrip()[: len(magic)] == magic
    if suffix == ".html":
        # Vega's scripts are inlined: the page opens without a network.
        assert "<script src=" not in path.read_text()


def test_cli_writes_the_chart_and_says_what_it_shows(history, tmp_path):
    store, _, _ = history
    out = tmp_path / "psi.svg"
    result = CliRunner().invoke(main, ["trend", "orders", "--metric", "worst_psi", "--out", str(out), "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"wrote {out}: orders: worst_psi, 4 points from 2026-11-01 06:00 to 2026-11-04 06:00 UTC,"
        " latest 0.4, 1 judged WARN or ERROR\n"
    )
    assert out.stat().st_size > 1000


def test_cli_since_narrows_the_points(history, tmp_path):
    store, _, _ = history
    out = tmp_path / "rows.html"
    result = CliRunner().invoke(main, ["trend", "orders", "--metric", "row_count", "--since", "2026-11-03", "--out", str(out), "--db", str(store.path)])
    assert "2 points from 2026-11-03 06:00" in result.output
    assert json.dumps("orders: row_count") in out.read_text()


def test_cli_rejects_an_unknown_file_type(history):
    store, _, _ = history
    result = CliRunner().invoke(main, ["trend", "orders", "--metric", "row_count", "--out", "chart.jpg", "--db", str(store.path)])
    assert result.exit_code == 2
    assert "chart.jpg: choose a .png, .svg or .html file" in result.output
