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


def test_row_count_says_which_healthy_batches_made_the_usual_volume():
    from datetime import UTC, datetime, timedelta

    from drift_assets.alerts.events import CheckEvent
    from drift_assets.alerts.message import alert_message
    from drift_assets.alerts.router import Kind
    from drift_assets.checks.row_count import BatchVolume

    day = datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
    history = tuple(BatchVolume(1000, day + timedelta(days=i), 10 + i) for i in range(7, -1, -1))
    dropped = profile("orders", rows=100, at="2026-11-03T06:00:00+00:00", profile_id=20)
    evaluation = Evaluation(
        profile=dropped,
        baseline=BASELINE,
        outcomes=evaluate_all(dropped, BASELINE, DriftPolicy(), history),
        policy=DriftPolicy(),
        history=history,
    )
    result = {r.check_name: r for r in check_results(evaluation, AssetKey("orders"))}["row_count"]
    assert not result.passed and result.severity.value == "ERROR"
    assert result.metadata["baseline"] == TextMetadataValue(
        "8 healthy batches: profiles #10 of 2026-10-25 06:00 UTC to #17 of 2026-11-01 06:00 UTC"
    )
    assert result.metadata["expected_row_count"] == FloatMetadataValue(1000.0)
    assert result.metadata["row_count_change"] == FloatMetadataValue(-0.9)
    assert materialization_metadata(evaluation)["row_count_deviation"].value < -6

    # The alert a person gets says it all in its one-line fallback, and lists the figures.
    event = CheckEvent(
        evaluation_id=1,
        run_id="run-20",
        asset_key="orders",
        check_name="row_count",
        passed=False,
        dagster_severity="ERROR",
        evaluated_at=day,
        description=result.description,
        baseline=result.metadata["baseline"].value,
        metrics={
            k: v.value
            for k, v in result.metadata.items()
            if isinstance(v, IntMetadataValue | FloatMetadataValue)
        },
    )
    message = alert_message(event, Kind.ALERT, Severity.ERROR, webserver="http://dagster")
    assert "orders / row_count failed: row count dropped 90%: 100 rows against the usual 1,000" in (
        message.text
    )
    listed = next(b["text"]["text"] for b in message.blocks if "*Metadata*" in str(b))
    assert "• expected_row_count: 1000" in listed and "• row_count_change: -0.9" in listed
    assert "baseline: 8 healthy batches" in str(message.blocks[-2:])
