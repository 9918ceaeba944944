"""distribution_shift: which columns drift, at which tier, on which test, and how it is said."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from drift_assets.checks.distribution_shift import evaluate
from drift_assets.checks.outcome import Severity
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    Histogram,
    LogicalType,
    NumericSummary,
)
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.policy import DriftPolicy

DECILES = [1_000] * 10  # a baseline of 10,000 values in ten equal bins


def numeric(
    name: str,
    counts: list[int],
    *,
    reference: list[int] | None = None,
    mean: float = 100.0,
    std: float = 10.0,
    skip_reason: str | None = None,
) -> ColumnProfile:
    edges = tuple(float(e) for e in range(len(counts) - 1))
    return ColumnProfile(
        name=name,
        logical_type=LogicalType.FLOAT,
        physical_type="DOUBLE",
        position=0,
        null_count=0,
        distinct_count=sum(counts),
        numeric=NumericSummary(
            min=0.0,
            max=float(len(counts)),
            mean=mean,
            std=std,
            histogram=Histogram(edges, tuple(counts)),
            reference_counts=None if reference is None else tuple(reference),
        ),
        skip_reason=skip_reason,
    )


def categorical(
    name: str,
    top: list[tuple[str, int]],
    *,
    other: int = 0,
    reference: list[int] | None = None,
    kind: LogicalType = LogicalType.STRING,
) -> ColumnProfile:
    return ColumnProfile(
        name=name,
        logical_type=kind,
        physical_type="VARCHAR",
        position=1,
        null_count=0,
        distinct_count=len(top),
        categorical=CategoricalSummary(
            top=tuple(top),
            other_count=other,
            complete=other == 0,
            reference_counts=None if reference is None else tuple(reference),
        ),
    )


def profile(*columns: ColumnProfile, rows: int = 10_000) -> DatasetProfile:
    return DatasetProfile("orders", rows, tuple(columns), "2026-11-01T06:00:00+00:00")


def finding(outcome, column):
    return next(f for f in outcome.columns if f.column == column)


COUNTRIES = [("US", 5_000), ("DE", 3_000), ("FR", 2_000)]
BASELINE = profile(numeric("amount", DECILES), categorical("country", COUNTRIES))
# amount moved up by 0.52 baseline SDs
AMOUNT_SHIFTED = numeric("amount", DECILES, reference=[600, 700, 800, 900, 1_000, 1_000, 1_100, 1_200, 1_300, 1_400], mean=105.2)
# country gained a value the baseline never had, BR, with 3.1% of the rows
COUNTRY_WITH_BR = categorical("country", [("US", 4_850), ("DE", 2_900), ("FR", 1_940), ("BR", 310)], reference=[4_850, 2_900, 1_940, 310])
AMOUNT_STEADY = numeric("amount", DECILES, reference=[990, 1_010, 1_000, 1_005, 995, 1_000, 1_002, 998, 1_000, 1_000], mean=100.01)


def test_the_first_profile_is_recorded_as_the_baseline():
    outcome = evaluate(BASELINE, None, DriftPolicy())
    assert outcome.passed
    assert outcome.description == "baseline recorded: 2 columns, 10,000 rows"


def test_drifted_columns_are_named_worst_first_with_value_and_threshold():
    outcome = evaluate(profile(AMOUNT_SHIFTED, COUNTRY_WITH_BR), BASELINE, DriftPolicy())
    assert not outcome.passed
    assert outcome.severity == Severity.ERROR
    assert outcome.description == (
        "2 columns drifted: amount mean +0.52 SD (error at 0.35),"
        " country 3.1% rows in new categories ['BR'] (warn at 1%)"
    )
    assert outcome.metrics == {
        "worst_psi": pytest.approx(finding(outcome, "country").metrics["psi"]),
        "worst_ks_distance": pytest.approx(0.10),
        "drifted_columns": 2,
        "columns_tested": 2,
    }


def test_a_numeric_finding_carries_its_deciding_test_and_every_measure():
    amount = finding(evaluate(profile(AMOUNT_SHIFTED), BASELINE, DriftPolicy()), "amount")
    assert amount.severity == Severity.ERROR
    assert amount.detail["test"] == "mean_shift_sd"
    assert amount.detail["statistic"] == pytest.approx(0.52)
    assert amount.detail["pvalue"] < 1e-100
    shares = [n / 10_000 for n in AMOUNT_SHIFTED.numeric.reference_counts]
    assert amount.metrics["psi"] == pytest.approx(sum((q - 0.1) * math.log(q / 0.1) for q in shares))
    assert amount.metrics["ks_distance"] == pytest.approx(0.10)
    assert amount.metrics["ks_pvalue"] < 1e-30
    assert amount.metrics["std_change"] == 0.0
    assert (amount.metrics["n_baseline"], amount.metrics["n_current"]) == (10_000, 10_000)
    assert amount.summary.startswith("mean +0.52 SD (error at 0.35), p<0.0001; PSI 0.063, KS distance 0.1")


def test_new_categories_are_listed_by_name_with_their_shares():
    country = finding(evaluate(profile(COUNTRY_WITH_BR), BASELINE, DriftPolicy()), "country")
    assert country.severity == Severity.WARN
    assert country.detail["test"] == "new_category_share"
    assert country.detail["statistic"] == pytest.approx(0.031)
    assert country.detail["new_categories"] == {"BR": pytest.approx(0.031)}
    assert country.summary.endswith("in new categories: BR 3.1%")


def test_outside_an_incomplete_baseline_top_k_nothing_is_called_new():
    # The baseline lists its top 3 values and has 1,000 rows of others; now a
    # value outside that list holds 8% of the rows.
    baseline = profile(categorical("city", [("a", 4_000), ("b", 3_000), ("c", 2_000)], other=1_000))
    current = profile(categorical("city", [("a", 3_700), ("b", 2_800), ("c", 1_800), ("zz", 800)], other=900, reference=[3_700, 2_800, 1_800, 1_700]))
    city = finding(evaluate(current, baseline, DriftPolicy()), "city")
    assert city.severity == Severity.ERROR
    assert city.detail["test"] == "new_category_share"
    assert "outside the top 3 ['zz']" in city.detail["headline"]
    assert "new categories" not in city.summary


@pytest.mark.parametrize(
    ("current", "expected_severity", "expected_test"),
    [
        # a mean shift of 0.2 SD on 10,000 rows: warn
        (numeric("amount", DECILES, reference=[800, 850, 900, 950, 1_000, 1_000, 1_050, 1_100, 1_150, 1_200], mean=102.0), Severity.WARN, "mean_shift_sd"),
        # spread doubled, mean unchanged: std change and PSI error, PSI furthest past its tier
        (numeric("amount", DECILES, reference=[2_500, 1_000, 700, 500, 300, 300, 500, 700, 1_000, 2_500], std=20.0), Severity.ERROR, "psi"),
        # same shape, same moments: nothing; the mean is the measure nearest its tier
        (AMOUNT_STEADY, None, "mean_shift_sd"),
    ],
)
def test_numeric_columns_drift_at_the_highest_tier_an_effect_reaches(current, expected_severity, expected_test):
    amount = finding(evaluate(profile(current), BASELINE, DriftPolicy()), "amount")
    assert amount.severity == expected_severity
    assert amount.failed == (expected_severity is not None)
    assert amount.detail["test"] == expected_test


def test_a_big_effect_on_a_few_rows_is_reported_but_not_an_alarm():
    # 40 rows against 40: means 0.5 SD apart (z = 2.24) happen by chance.
    baseline = profile(numeric("amount", [10, 10, 10, 10]), rows=40)
    current = profile(numeric("amount", [4, 8, 12, 16], reference=[4, 8, 12, 16], mean=105.0), rows=40)
    outcome = evaluate(current, baseline, DriftPolicy())
    assert outcome.passed
    amount = finding(outcome, "amount")
    assert amount.summary.startswith("not significant at 0.01: ")
    assert "mean +0.50 SD (error at 0.35) with p=0.025" in amount.summary


def test_a_tiny_effect_on_many_rows_is_significant_but_not_an_alarm():
    # 10M rows each side, 0.01 SD apart: the z-test is sure, the shift is trivial.
    many = [1_000_000] * 10
    shifted = [996_000, 998_000, 999_000, 999_500, 1_000_000, 1_000_000, 1_000_500, 1_001_000, 1_002_000, 1_004_000]
    baseline = profile(numeric("amount", many), rows=10_000_000)
    current = profile(numeric("amount", many, reference=shifted, mean=100.1), rows=10_000_000)
    outcome = evaluate(current, baseline, DriftPolicy())
    assert finding(outcome, "amount").metrics["mean_shift_pvalue"] < 1e-100
    assert outcome.passed
    assert outcome.description == "no column drifted (1 tested, worst PSI <0.001 on amount)"


@pytest.mark.parametrize(
    ("current", "baseline", "reason"),
    [
        # ID-like in the batch (set by profiling)
        (numeric("amount", DECILES, reference=DECILES, skip_reason="id-like: 99.8% of values are distinct"), numeric("amount", DECILES), "id-like: 99.8% of values are distinct"),
        # ID-like in the baseline only
        (numeric("amount", DECILES, reference=DECILES), numeric("amount", DECILES, skip_reason="id-like: 97.0% of values are distinct"), "id-like: 97.0% of values are distinct (in the baseline)"),
        # fewer than min_rows (30) values on one side
        (numeric("amount", [5, 5, 5, 5], reference=[5, 5, 5, 5]), numeric("amount", [10, 10, 10, 10]), "too few values (20 now, 40 in the baseline; min_rows 30)"),
        # type changed: schema_change reports it
        (categorical("amount", [("x", 10)], reference=[0]), numeric("amount", DECILES), "type changed from float to string (reported by schema_change)"),
        # profiled without this baseline
        (numeric("amount", DECILES), numeric("amount", DECILES), "not counted against the baseline (profiled without it)"),
        # counted against another baseline's bins
        (numeric("amount", DECILES, reference=[1, 2, 3]), numeric("amount", DECILES), "counted against other bins (3 counts, the baseline has 10)"),
    ],
)
def test_columns_that_cannot_be_compared_are_skipped_with_the_reason(current, baseline, reason):
    outcome = evaluate(profile(current), profile(baseline), DriftPolicy())
    assert outcome.passed
    assert outcome.metrics["columns_tested"] == 0
    assert finding(outcome, "amount").detail == {"skipped": reason}
    assert outcome.description == f"no column compared (1 column skipped: amount {reason})"


def test_a_column_new_in_this_batch_is_skipped():
    current = profile(AMOUNT_SHIFTED, categorical("channel", [("web", 10_000)]))
    outcome = evaluate(current, profile(numeric("amount", DECILES)), DriftPolicy())
    assert finding(outcome, "channel").detail == {"skipped": "not in the baseline"}
    assert outcome.metrics["columns_tested"] == 1


def test_ignored_columns_are_left_out_and_listed_in_the_thresholds():
    policy = DriftPolicy(ignore_columns=("amount",))
    outcome = evaluate(profile(AMOUNT_SHIFTED, COUNTRY_WITH_BR), BASELINE, policy)
    assert [f.column for f in outcome.columns] == ["country"]
    assert outcome.thresholds["ignored_columns"] == ["amount"]
    assert outcome.severity == Severity.WARN


def test_a_column_override_is_applied_and_recorded():
    policy = DriftPolicy.model_validate({"columns": {"amount": {"distribution_shift": {"mean_shift_sd": {"error": 0.6}}}}})
    outcome = evaluate(profile(AMOUNT_SHIFTED), BASELINE, policy)
    assert finding(outcome, "amount").severity == Severity.WARN
    assert outcome.description == "1 column drifted: amount mean +0.52 SD (warn at 0.1)"
    assert outcome.thresholds["column_overrides"] == {"amount": {"mean_shift_sd": {"error": 0.6}}}
    assert outcome.thresholds["mean_shift_sd"] == {"warn": 0.1, "error": 0.35}


def test_a_column_disabled_by_policy_is_skipped():
    policy = DriftPolicy.model_validate({"columns": {"amount": {"distribution_shift": {"enabled": False}}}})
    outcome = evaluate(profile(AMOUNT_SHIFTED), BASELINE, policy)
    assert outcome.passed
    assert finding(outcome, "amount").detail == {"skipped": "disabled by policy"}


def test_a_passing_outcome_names_the_worst_psi_and_what_was_skipped():
    current = profile(
        AMOUNT_STEADY,
        categorical("country", [("US", 5_050), ("DE", 2_950), ("FR", 2_000)], reference=[5_050, 2_950, 2_000, 0]),
        numeric("user_id", DECILES, reference=DECILES, skip_reason="id-like"),
    )
    baseline = profile(*BASELINE.columns, numeric("user_id", DECILES, skip_reason="id-like"))
    outcome = evaluate(current, baseline, DriftPolicy())
    assert outcome.passed
    assert outcome.description == "no column drifted (2 tested, 1 skipped, worst PSI <0.001 on country)"
    assert set(outcome.metrics) == {"worst_psi", "worst_ks_distance", "drifted_columns", "columns_tested"}
    assert finding(outcome, "amount").summary.startswith("no drift: mean +0.00 SD, PSI <0.001")


def test_boolean_columns_are_compared_as_categories():
    baseline = profile(categorical("paid", [("true", 9_000), ("false", 1_000)], kind=LogicalType.BOOLEAN))
    current = profile(categorical("paid", [("true", 7_000), ("false", 3_000)], reference=[7_000, 3_000, 0], kind=LogicalType.BOOLEAN))
    paid = finding(evaluate(current, baseline, DriftPolicy()), "paid")
    assert paid.severity == Severity.ERROR
    assert paid.detail["test"] in {"psi", "js"}
    assert paid.metrics["chi_square_pvalue"] < 1e-100


def test_a_constant_column_that_moves_is_caught_without_a_mean_shift_in_sds():
    baseline = profile(numeric("flag", [500, 0], std=0.0, mean=0.0))
    current = profile(numeric("flag", [500, 0], reference=[0, 500], std=0.0, mean=1.0))
    flag = finding(evaluate(current, baseline, DriftPolicy()), "flag")
    assert flag.severity == Severity.ERROR
    assert flag.metrics["mean_shift_sd"] is None
    assert flag.metrics["ks_distance"] == 1.0


def test_an_empty_profile_passes_with_a_plain_description():
    outcome = evaluate(profile(rows=0), profile(rows=0), DriftPolicy())
    assert outcome.passed
    assert outcome.description == "no column compared (no columns)"


# --- event time and recodes ---------------------------------------------------

DAY = 86_400
WEEK_1, WEEK_2 = 1_793_059_200, 1_793_664_000  # 2026-10-27 and 2026-11-03, midnight UTC


def event_time(start: int, *, reference: list[int] | None = None) -> ColumnProfile:
    column = numeric("created_at", DECILES, reference=reference, mean=start + 3.5 * DAY, std=2 * DAY)
    summary = column.numeric
    return ColumnProfile(
        name="created_at",
        logical_type=LogicalType.DATETIME,
        physical_type="TIMESTAMP",
        position=2,
        null_count=0,
        distinct_count=10_000,
        numeric=NumericSummary(start, start + 6 * DAY, summary.mean, summary.std, summary.histogram, summary.reference_counts),
    )


MOVED_A_WEEK = [0] * 9 + [10_000]  # every current time is past the baseline's last edge


def test_event_time_is_reported_as_its_range_not_tested():
    outcome = evaluate(profile(event_time(WEEK_2, reference=MOVED_A_WEEK)), profile(event_time(WEEK_1)), DriftPolicy())
    assert outcome.passed
    created = finding(outcome, "created_at")
    assert created.summary == "now 2026-11-03..2026-11-09, baseline 2026-10-27..2026-11-02 (event time, not compared; test_datetimes opts it in)"
    assert outcome.description.endswith("; event time, not compared: created_at now 2026-11-03..2026-11-09, baseline 2026-10-27..2026-11-02")


def test_a_policy_opts_an_event_time_column_in():
    policy = DriftPolicy.model_validate({"columns": {"created_at": {"distribution_shift": {"test_datetimes": True}}}})
    outcome = evaluate(profile(event_time(WEEK_2, reference=MOVED_A_WEEK)), profile(event_time(WEEK_1)), policy)
    created = finding(outcome, "created_at")
    assert created.severity == Severity.ERROR
    assert created.detail["range"]["current"] == "2026-11-03..2026-11-09"


SEX = [("male", 5_100), ("female", 4_900)]


@pytest.mark.parametrize(
    ("current", "headline"),
    [
        # every baseline value gone, two new ones: the recode says so
        (categorical("sex", [("M", 5_000), ("F", 5_000)], reference=[0, 0, 10_000]), "both baseline values vanished; new: M, F (error at 5%)"),
        # one of two gone, nothing new in its place
        (categorical("sex", [("male", 10_000)], reference=[10_000, 0, 0]), "1 of 2 baseline values vanished: female (49.0% of baseline rows) (error at 5%)"),
    ],
)
def test_values_that_vanished_are_named_as_an_error(current, headline):
    outcome = evaluate(profile(current), profile(categorical("sex", SEX)), DriftPolicy())
    sex = finding(outcome, "sex")
    assert sex.severity == Severity.ERROR
    assert sex.detail["test"] == "vanished_share"
    assert sex.detail["headline"] == headline


def test_a_long_list_of_new_values_is_cut_short():
    baseline = categorical("code", [(f"c{i}", 100) for i in range(10)])
    current = categorical("code", [(f"n{i}", 100) for i in range(10)], reference=[0] * 10 + [1_000])
    code = finding(evaluate(profile(current, rows=1_000), profile(baseline, rows=1_000), DriftPolicy()), "code")
    assert code.detail["headline"] == "all 10 baseline values vanished; new: n0, n1, n2, n3, n4 and 5 more (error at 5%)"


@pytest.mark.parametrize(
    ("baseline", "current", "summary"),
    [
        # A baseline of only NaN and infinities has no bins to count a batch into.
        ([math.nan, math.inf, -math.inf] * 20, [float(i) for i in range(60)], "skipped: no values to compare in the baseline (none, or none finite)"),
        # A batch whose every value is null.
        ([float(i) for i in range(60)], [math.nan] * 60, "skipped: no values to compare in this batch (none, or none finite)"),
    ],
    ids=["baseline-without-finite-values", "batch-all-null"],
)
def test_a_side_without_values_to_compare_is_named_in_the_skip(baseline, current, summary):
    reference = profile_dataframe(pd.DataFrame({"x": baseline}), "d")
    batch = profile_dataframe(pd.DataFrame({"x": current}), "d", reference=reference)
    outcome = evaluate(batch, reference, DriftPolicy())
    assert [f.summary for f in outcome.columns] == [summary]
