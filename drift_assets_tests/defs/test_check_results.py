"""What the Dagster UI shows without opening JSON: stable, human metadata keys on
check evaluations and the numeric series the asset's Plots tab charts."""

from __future__ import annotations

from dagster import AssetKey, FloatMetadataValue, IntMetadataValue, TextMetadataValue

from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import Severity
from drift_assets.defs.check_results import check_results, materialization_metadata
from drift_assets.evaluation import Evaluation
from drift_assets.settings.policy import DriftPolicy
from drift_assets_tests.builders import category_column, numeric_column, profile

BASELINE = profile(
    "orders",
    numeric_column("amount", [1.0, 2.0], [10, 80, 10]),
    category_column("email", [("a@x", 99)], nulls=1),
    at="2026-11-03T06:00:00.123456+00:00",
    profile_id=3,
)
CURRENT = profile(
    "orders",
    numeric_column("amount", [1.0, 2.0], [10, 80, 10]),
    category_column("email", [("a@x", 70)], nulls=30),
    profile_id=4,
)
# What the real checks conclude about this pair: email's nulls rose from 1% to 30%.
OUTCOMES = evaluate_all(CURRENT, BASELINE, DriftPolicy())
EVALUATION = Evaluation(profile=CURRENT, baseline=BASELINE, outcomes=OUTCOMES, policy=DriftPolicy())


def test_materialization_carries_the_series_people_chart():
    metadata = materialization_metadata(EVALUATION)
    assert metadata["dagster/row_count"] == IntMetadataValue(100)
    assert [c.name for c in metadata["dagster/column_schema"].schema.columns] == ["amount", "email"]
    # Counts stay whole numbers, measurements are rounded for reading.
    assert metadata["drifted_columns"] == IntMetadataValue(0)
    assert metadata["columns_added"] == IntMetadataValue(0)
    # amount's bins are the baseline's own: no shift at all.
    assert metadata["worst_psi"] == FloatMetadataValue(0.0)
    assert metadata["max_null_rate_increase_pp"] == FloatMetadataValue(29.0)
    # Only columns with nulls now or in the baseline get a null-rate series.
    assert metadata["null_rate:email"] == FloatMetadataValue(0.3)
    assert "null_rate:amount" not in metadata
    # The id is for `baseline pin --profile`, not a series to chart.
    assert metadata["profile_id"] == TextMetadataValue("4")


def test_each_check_says_what_it_was_compared_with():
    results = {r.check_name: r for r in check_results(EVALUATION, AssetKey("orders"))}
    null_rate = results["null_rate"]
    assert not null_rate.passed
    assert null_rate.severity.value == Severity.ERROR.value
    assert null_rate.description.startswith("null rate up in 1 column: email 30.0% (+29.0 pp")
    assert null_rate.metadata["baseline"] == TextMetadataValue(
        "previous: profile #3 of 2026-11-03 06:00 UTC (100 rows)"
    )
    assert null_rate.metadata["max_null_rate_increase_pp"] == FloatMetadataValue(29.0)
    assert results["distribution_shift"].metadata["drifted_columns"] == IntMetadataValue(0)
