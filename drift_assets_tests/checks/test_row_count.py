"""row_count: the usual volume is the median and MAD of recent healthy batches,
checked against hand computation and scipy; a count fails only when its change
reaches a tier and the history's spread cannot explain it; the first batches,
the floor, the direction and weekday seasonality say what they did; and no
history, however degenerate, makes the check raise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import median_abs_deviation

from drift_assets.checks.outcome import ROW_COUNT, Severity, is_finite_number
from drift_assets.checks.row_count import BatchVolume, evaluate, usual_volume
from drift_assets.settings.policy import DriftPolicy, RowCountPolicy
from drift_assets_tests.builders import profile

MONDAY = datetime(2026, 11, 2, 6, 0, tzinfo=UTC)


def daily(counts, start=MONDAY):
    """A history of one batch a day from ``start``, newest first, as the store gives it."""
    batches = [BatchVolume(c, start + timedelta(days=i), i + 1) for i, c in enumerate(counts)]
    return batches[::-1]


def judge(rows, history, at=None, **rules):
    at = at or max((b.at for b in history), default=MONDAY) + timedelta(days=1)
    policy = DriftPolicy(row_count=RowCountPolicy.model_validate(rules))
    return evaluate(profile("orders", rows=rows, at=at.isoformat()), history, policy)


@pytest.mark.parametrize(
    "counts, median, mad, spread",
    [
        # sorted 10 11 12 14 100: median 12; |deviations| 0 1 2 2 88: MAD 2;
        # 1.4826 * 2 = 2.97 is below the Poisson spread sqrt(12) = 3.46
        ([10, 12, 14, 100, 11], 12, 2, 12**0.5),
        # median 1100, |deviations| 0 0 0 100 100 200 200: MAD 100 -> 148.26
        ([900, 1000, 1100, 1100, 1100, 1200, 1300], 1100, 100, 148.26),
        # an even count: median (1030 + 1040) / 2; |deviations| 5 5 15 15 25 25 35 35: MAD 20
        ([1000, 1010, 1020, 1030, 1040, 1050, 1060, 1070], 1035, 20, 1035**0.5),
        # identical counts: MAD 0, the spread is sqrt(median)
        ([500] * 9, 500, 0, 500**0.5),
        # all empty: the spread is one row
        ([0, 0, 0], 0, 0, 1.0),
        ([7], 7, 0, 7**0.5),
    ],
)
def test_the_usual_volume_by_hand(counts, median, mad, spread):
    usual = usual_volume(counts)
    assert (usual.median, usual.mad, usual.batches) == (median, mad, len(counts))
    assert usual.spread == pytest.approx(spread, rel=1e-4)


def test_the_mad_is_scipys_normal_scaled_mad():
    rng = np.random.default_rng(7)
    for _ in range(20):
        counts = rng.poisson(50_000, rng.integers(1, 60)).tolist()
        expected = median_abs_deviation(counts, scale="normal")
        usual = usual_volume(counts)
        assert usual.median == pytest.approx(float(np.median(counts)))
        assert max(usual.spread, expected) == pytest.approx(max(expected, usual.median**0.5))


def test_both_measures_must_reach_a_tier_and_the_lower_one_decides():
    history = daily([900, 1000, 1100, 1100, 1100, 1200, 1300])
    # With change tiers of 30% / 50%: the change -600/1100 = 54.5% reaches the
    # error tier, the deviation -600/148.26 = 4.05 SDs only the warn tier (4): WARN.
    tiers = {"warn": 0.3, "error": 0.5}
    outcome = judge(500, history, change=tiers)
    assert (outcome.check, outcome.passed, outcome.severity) == (ROW_COUNT, False, Severity.WARN)
    assert outcome.metrics["expected_row_count"] == 1100
    assert outcome.metrics["row_count_mad"] == 100
    assert outcome.metrics["row_count_change"] == pytest.approx(-600 / 1100)
    assert outcome.metrics["row_count_deviation"] == pytest.approx(-600 / 148.26, rel=1e-4)
    assert outcome.description == (
        "row count dropped 55%: 500 rows against the usual 1,100 (median of the last 7 healthy"
        " batches), 4.0 robust SDs below (warn tiers 30% and 4 SDs)"
    )
    # A 40% drop in a history that swings this much is not unusual enough: 2.97 SDs.
    assert judge(660, history, change=tiers).passed


def test_identical_counts_do_not_make_one_row_less_an_alarm():
    history = daily([1000] * 10)
    assert judge(999, history).passed
    assert judge(1000, history).description.startswith("1,000 rows, +0.0% against the usual")
    dropped = judge(100, history)
    assert dropped.severity == Severity.ERROR
    assert dropped.description.startswith("row count dropped 90%: 100 rows")


def test_a_rise_and_the_direction():
    history = daily([1000] * 10)
    rose = judge(2500, history)
    assert rose.severity == Severity.ERROR and rose.description.startswith("row count rose 150%")
    ignored = judge(2500, history, direction="drop")
    assert ignored.passed
    assert ignored.description.endswith("; rises are not judged (direction: drop)")
    assert judge(100, history, direction="rise").passed
    assert judge(100, history, direction="drop").severity == Severity.ERROR


def test_the_first_batches_say_what_the_check_still_needs():
    first = judge(1000, [])
    assert first.passed
    assert first.description == (
        "baseline recorded: 1,000 rows; still learning the usual volume: 0 of the 7 healthy"
        " batches it needs before row counts are judged; min_rows 1 holds meanwhile"
    )
    # Even a collapse passes while the check is learning, but not the floor.
    learning = judge(3, daily([1000] * 3))
    assert learning.passed and learning.description.startswith("3 rows; still learning")
    assert "3 of the 7 healthy batches" in learning.description
    assert judge(1000, daily([1000] * 6), min_history=6).description.startswith("1,000 rows,")


def test_the_floor_is_an_error_with_or_without_history():
    empty = judge(0, [])
    assert (empty.passed, empty.severity) == (False, Severity.ERROR)
    assert empty.description.startswith("0 rows, below min_rows 1; baseline recorded")
    floored = judge(40, daily([45] * 10), min_rows=50)
    assert floored.severity == Severity.ERROR
    assert floored.description.startswith("40 rows, below min_rows 50; -11.1% against the usual 45")
    # min_rows 0: an empty day in a history of empty days is usual.
    assert judge(0, daily([0] * 10), min_rows=0).passed


def test_weekday_seasonality_compares_a_sunday_with_sundays():
    # Four weeks of a shop nearly closed at weekends: 1,000 rows Monday to Friday,
    # 100 on Saturday and Sunday (MONDAY is a Monday).
    week = [1000, 1000, 1000, 1000, 1000, 100, 100]
    history = daily(week * 4)
    sunday = MONDAY + timedelta(days=27 + 7)
    assert sunday.weekday() == 6
    plain = judge(100, history, at=sunday)
    assert plain.severity == Severity.ERROR, plain.description
    seasonal = judge(100, history, at=sunday, seasonality="weekday", min_history=4)
    assert seasonal.passed, seasonal.description
    assert "(median of the last 4 healthy batches on a Sunday)" in seasonal.description
    # A Monday with a weekend's volume is what weekday seasonality still catches.
    monday = judge(100, history, at=sunday + timedelta(days=1), seasonality="weekday",
                   min_history=4)  # fmt: skip
    assert monday.severity == Severity.ERROR
    # The last ten days hold two Sundays.
    learning = judge(100, history[:10], at=sunday, seasonality="weekday", min_history=4)
    assert "2 of the 4 healthy batches on a Sunday" in learning.description


def test_the_window_keeps_the_newest_batches():
    # 20 old batches at 100 rows, then 7 at 1,000: a window of 7 sees only the new level.
    history = daily([100] * 20 + [1000] * 7)
    assert judge(1000, history, window=7).passed
    assert judge(1000, history).severity == Severity.ERROR


@pytest.mark.parametrize(
    "rules, message",
    [
        ({"min_history": 10, "window": 5}, "min_history (10) must not be above window (5)"),
        ({"direction": "down"}, "Input should be 'drop', 'rise' or 'both'"),
        ({"change": {"warn": 0.6, "error": 0.5}}, "warn (0.6) must not be above error (0.5)"),
        ({"min_rows": -1}, "greater than or equal to 0"),
        ({"seasonality": "weekly"}, "Input should be 'none' or 'weekday'"),
        ({"windows": 3}, "unknown field"),
    ],
)
def test_a_bad_policy_is_one_line_naming_the_field(rules, message):
    from pydantic import ValidationError

    from drift_assets.settings.strict import describe_validation_error

    with pytest.raises(ValidationError) as caught:
        DriftPolicy.model_validate({"row_count": rules})
    line = describe_validation_error(caught.value, prefix="policy.")
    assert line.startswith("policy.row_count") and message in line and "\n" not in line


counts = st.one_of(st.integers(0, 5), st.integers(0, 10**6), st.integers(10**15, 2**63 - 1))
policies = st.builds(
    lambda direction, seasonality, min_history, min_rows: DriftPolicy(
        row_count=RowCountPolicy(
            direction=direction,
            seasonality=seasonality,
            min_history=min_history,
            window=max(min_history, 7),
            min_rows=min_rows,
        )
    ),
    st.sampled_from(["drop", "rise", "both"]),
    st.sampled_from(["none", "weekday"]),
    st.integers(1, 8),
    st.sampled_from([0, 1, 100]),
)


@settings(derandomize=True, max_examples=300, deadline=None, database=None)
@given(
    rows=counts,
    history=st.one_of(
        st.just([]),
        st.lists(counts, min_size=1, max_size=1),
        st.builds(lambda c, n: [c] * n, counts, st.integers(2, 30)),  # MAD 0
        st.lists(counts, max_size=40),
    ),
    policy=policies,
)
def test_any_history_is_judged_without_raising(rows, history, policy):
    outcome = evaluate(
        profile("t", rows=rows, at=(MONDAY + timedelta(days=len(history))).isoformat()),
        daily(history),
        policy,
    )
    assert outcome.check == ROW_COUNT
    assert outcome.passed == (outcome.severity is None)
    assert outcome.description and "\n" not in outcome.description
    assert all(is_finite_number(v) for v in outcome.metrics.values()), outcome.metrics
    if rows < policy.row_count.min_rows:
        assert outcome.severity == Severity.ERROR
    if history and len(set(history)) == 1 and rows == history[0] >= policy.row_count.min_rows:
        assert outcome.passed
