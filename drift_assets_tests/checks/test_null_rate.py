"""null_rate: absolute null rates and significant increases over the baseline, said in percentage points."""

from __future__ import annotations

import pytest

from drift_assets.checks.null_rate import evaluate
from drift_assets.checks.outcome import Severity
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile, LogicalType
from drift_assets.settings.policy import DriftPolicy


def column(name: str, nulls: int, position: int = 0) -> ColumnProfile:
    return ColumnProfile(name, LogicalType.STRING, "VARCHAR", position, nulls, 10)


def profile(rows: int, **nulls: int) -> DatasetProfile:
    columns = tuple(column(name, n, i) for i, (name, n) in enumerate(nulls.items()))
    return DatasetProfile("customers", rows, columns, "2026-11-01T06:00:00+00:00")


def finding(outcome, name):
    return next(f for f in outcome.columns if f.column == name)


def test_the_first_profile_is_recorded_as_the_baseline():
    outcome = evaluate(profile(1_000, email=20, phone=60), None, DriftPolicy())
    assert outcome.passed
    assert outcome.description == "baseline recorded: 2 columns, 1,000 rows"


def test_increases_are_named_worst_first_with_rate_rise_and_tier():
    baseline = profile(1_000, email=20, phone=60, name=0)
    current = profile(1_000, email=120, phone=310, name=0)
    outcome = evaluate(current, baseline, DriftPolicy())
    assert not outcome.passed
    assert outcome.severity == Severity.ERROR
    assert outcome.description == (
        "null rate up in 2 columns: phone 31.0% (+25.0 pp, error at +20 pp),"
        " email 12.0% (+10.0 pp, warn at +5 pp)"
    )
    assert outcome.metrics == {
        "max_null_rate": pytest.approx(0.31),
        "max_null_rate_increase_pp": pytest.approx(25.0),
        "columns_failed": 2,
    }
    email = finding(outcome, "email")
    assert email.severity == Severity.WARN
    assert email.metrics == {"null_rate": pytest.approx(0.12), "null_rate_increase_pp": pytest.approx(10.0), "null_count": 120}
    assert email.detail["pvalue"] < 1e-10


@pytest.mark.parametrize(
    ("baseline_nulls", "current_nulls", "rows", "severity"),
    [
        (0, 3, 40, None),  # +7.5 pp on 40 rows: p = 0.24, not yet a trend
        (0, 300, 4_000, Severity.WARN),  # the same +7.5 pp on 4,000 rows
        (100, 20, 1_000, None),  # nulls went down: never an alarm
        (50, 99, 1_000, None),  # +4.9 pp: below the warn tier even though significant
        (0, 50, 1_000, Severity.WARN),  # exactly +5 pp: tiers are inclusive
    ],
)
def test_an_increase_alarms_only_when_it_reaches_a_tier_and_is_significant(baseline_nulls, current_nulls, rows, severity):
    outcome = evaluate(profile(rows, email=current_nulls), profile(rows, email=baseline_nulls), DriftPolicy())
    assert finding(outcome, "email").severity == severity
    assert outcome.passed == (severity is None)


def test_a_small_sample_increase_says_why_it_did_not_alarm():
    outcome = evaluate(profile(40, email=3), profile(40, email=0), DriftPolicy())
    assert finding(outcome, "email").summary == "7.5% null (+7.5 pp, warn at +5 pp, p=0.24), not significant at 0.01"


def test_a_column_override_sets_an_absolute_limit():
    policy = DriftPolicy.model_validate({"columns": {"notes": {"null_rate": {"max_rate": {"warn": 0.5, "error": 0.9}}}}})
    outcome = evaluate(profile(1_000, notes=620, email=0), profile(1_000, notes=600, email=0), policy)
    assert outcome.severity == Severity.WARN
    assert outcome.description == "null rate too high in 1 column: notes 62.0% (warn at 50%)"
    assert outcome.thresholds["column_overrides"] == {"notes": {"max_rate": {"warn": 0.5, "error": 0.9}}}
    assert outcome.thresholds["max_increase_pp"] == {"warn": 5.0, "error": 20.0}


def test_a_column_new_in_this_batch_is_judged_on_its_absolute_rate_only():
    policy = DriftPolicy(null_rate={"max_rate": {"warn": 0.5}})
    outcome = evaluate(profile(1_000, email=0, referrer=800), profile(1_000, email=0), policy)
    referrer = finding(outcome, "referrer")
    assert referrer.severity == Severity.WARN
    assert referrer.metrics["null_rate_increase_pp"] is None
    assert referrer.summary == "80.0% (warn at 50%); not in the baseline"


def test_ignored_columns_are_left_out_and_listed_in_the_thresholds():
    policy = DriftPolicy(ignore_columns=("phone",))
    outcome = evaluate(profile(1_000, email=0, phone=900), profile(1_000, email=0, phone=0), policy)
    assert outcome.passed
    assert [f.column for f in outcome.columns] == ["email"]
    assert outcome.thresholds["ignored_columns"] == ["phone"]


def test_a_passing_outcome_names_the_highest_rate_and_the_largest_increase():
    outcome = evaluate(profile(10_000, email=200, phone=100), profile(10_000, email=150, phone=100), DriftPolicy())
    assert outcome.passed
    assert outcome.description == "null rates within limits (2 columns, highest email 2.0%, largest increase +0.5 pp on email)"


def test_columns_without_nulls_pass_plainly():
    outcome = evaluate(profile(500, a=0, b=0), profile(500, a=0, b=0), DriftPolicy())
    assert outcome.description == "null rates within limits (2 columns)"
    assert outcome.metrics == {"max_null_rate": 0.0, "max_null_rate_increase_pp": 0.0, "columns_failed": 0}


def test_an_empty_batch_does_not_divide_by_zero():
    outcome = evaluate(profile(0, email=0), profile(1_000, email=10), DriftPolicy())
    assert outcome.passed
