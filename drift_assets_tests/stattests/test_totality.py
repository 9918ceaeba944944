"""Every distribution test has a defined result for every degenerate input, equal to
scipy's or to a hand computation, and the scipy.special formulas equal scipy.stats."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.spatial.distance import jensenshannon as scipy_jensenshannon
from scipy.stats import chi2_contingency, kstwo, kstwobign, norm

from drift_assets.stattests import (
    chi_square,
    jensen_shannon,
    ks,
    mean_shift_pvalue,
    mean_shift_sd,
    psi,
    std_change,
)
from drift_assets.stattests.binning import equi_depth_groups
from drift_assets.stattests.new_categories import outsider_growth, tail_share_test

COUNT_TESTS = [psi, ks, jensen_shannon, chi_square]

# --- a side without any counted value: not comparable, for every test ----------


@pytest.mark.parametrize("test", COUNT_TESTS, ids=lambda t: t.name)
@pytest.mark.parametrize(
    ("baseline", "current", "reason"),
    [
        ([0, 0], [3, 4], "no counted value in the baseline"),  # an empty or all-null baseline
        ([3, 4], [0, 0], "no counted value in the current sample"),  # an empty batch
        ([0, 0], [0, 0], "no counted value in either sample"),  # all null on both sides
        ([], [], "no counted value in either sample"),  # no bins at all
        # every listed value vanished: the homogeneity test over the baseline's
        # listed values (without "everything else") sees an empty current side
        ([30, 70], [0, 0], "no counted value in the current sample"),
    ],
)
def test_a_side_without_values_is_not_comparable(test, baseline, current, reason):
    result = test(baseline, current)
    assert (result.statistic, result.pvalue, result.not_comparable) == (0.0, None, reason)
    assert not result.comparable


# --- one category, a constant column, ties everywhere: no difference ----------


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        ([5], [7]),  # one category
        ([40, 0], [90, 0]),  # a constant numeric column: every value on the first edge
        ([0, 0, 1000, 0], [0, 0, 3, 0]),  # ties everywhere, unequal sizes
        ([1], [1]),  # one row on each side, the same value
    ],
)
def test_samples_within_one_bin_do_not_differ(baseline, current):
    assert psi(baseline, current).statistic == 0.0
    assert jensen_shannon(baseline, current).statistic == 0.0
    assert (chi_square(baseline, current).statistic, chi_square(baseline, current).pvalue) == (
        0.0,
        1.0,
    )
    distance = ks(baseline, current)
    assert distance.statistic == 0.0
    assert distance.pvalue == pytest.approx(1.0)


# --- disjoint supports: maximally different -----------------------------------

# Every value new: the baseline's listed values and "everything else" (last bin).
ALL_NEW = ([30, 70, 0], [0, 0, 50])
# A constant column that moved: all mass on the first edge, then all beyond it.
CONSTANT_MOVED = ([200, 0], [0, 300])


@pytest.mark.parametrize(("baseline", "current"), [ALL_NEW, CONSTANT_MOVED])
def test_disjoint_supports_are_as_different_as_can_be(baseline, current):
    assert jensen_shannon(baseline, current).statistic == 1.0
    assert scipy_jensenshannon(baseline, current, base=2) == pytest.approx(1.0)
    chi = chi_square(baseline, current)
    reference = chi2_contingency(np.array([baseline, current]))
    assert chi.statistic == pytest.approx(reference.statistic, rel=1e-12)
    assert chi.pvalue == pytest.approx(reference.pvalue, rel=1e-9)
    assert chi.pvalue < 1e-20
    distance = ks(baseline, current)
    assert distance.statistic == 1.0
    n_eff = round(sum(baseline) * sum(current) / (sum(baseline) + sum(current)))
    assert distance.pvalue == pytest.approx(kstwo.sf(1.0, n_eff), abs=1e-300)


def test_psi_of_all_mass_moved_between_two_bins_is_its_floored_maximum():
    # (q - p) ln(q / p) per bin with the 1e-4 floor: 2 (1 - 1e-4) ln(1e4)
    assert psi(*CONSTANT_MOVED).statistic == pytest.approx(2 * (1 - 1e-4) * math.log(1e4))


def test_one_row_on_each_side_says_nothing():
    # Two single values differ by D = 1 whatever their distributions; scipy's
    # asymptotic ks_2samp answers NaN here.
    assert (ks([1, 0], [0, 1]).statistic, ks([1, 0], [0, 1]).pvalue) == (1.0, 1.0)
    # Yates-corrected 2 x 2 of one row each: statistic 0, p-value 1, as scipy.
    reference = chi2_contingency([[1, 0], [0, 1]])
    assert chi_square([1, 0], [0, 1]).pvalue == pytest.approx(reference.pvalue) == 1.0


def test_regrouping_an_empty_baseline_leaves_the_counts_as_they_are():
    assert equi_depth_groups([0, 0, 0], [1, 2, 3], 10) == ([0, 0, 0], [1, 2, 3])
    assert not psi(*equi_depth_groups([0, 0, 0], [1, 2, 3], 10)).comparable


# --- scipy.special formulas are scipy.stats' values ---------------------------


@pytest.mark.parametrize("seed", range(6))
def test_chi_square_equals_chi2_contingency_to_1e_12(seed):
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 40))
    baseline = rng.integers(0, 500, k).tolist()
    current = rng.integers(0, 500, k).tolist()
    result = chi_square(baseline, current)
    table = np.array([baseline, current])
    reference = chi2_contingency(table[:, table.sum(axis=0) > 0])
    assert result.statistic == pytest.approx(reference.statistic, rel=1e-12, abs=1e-12)
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-12, abs=1e-12)


def test_ks_limiting_distribution_equals_kstwobign_to_1e_12():
    # n_eff 25,000, above the exact threshold: the Stephens-corrected limit.
    for shift in range(12):
        baseline = [5_000] * 10
        current = [5_000 - 40 * shift, *[5_000] * 8, 5_000 + 40 * shift]
        result = ks(baseline, current)
        root = math.sqrt(25_000)
        reference = kstwobign.sf((root + 0.12 + 0.11 / root) * result.statistic)
        assert result.pvalue == pytest.approx(reference, rel=1e-12, abs=1e-300)


@pytest.mark.parametrize("z_mean", [0.0, 0.001, 0.03, 0.1, 0.2, 0.5, 1.0])
def test_mean_shift_pvalue_equals_norm_sf_to_1e_12(z_mean):
    pvalue = mean_shift_pvalue(0.0, 1.0, 1000, z_mean, 1.2, 900)
    z = z_mean / math.sqrt(1 / 1000 + 1.44 / 900)
    assert pvalue == pytest.approx(2 * norm.sf(z), rel=1e-12, abs=1e-300)


# --- moments: undefined is None, never NaN or an exception ---------------------

INF, NAN = math.inf, math.nan


@pytest.mark.parametrize(
    ("baseline_mean", "baseline_std", "current_mean", "current_std", "sd", "change"),
    [
        (5.0, 0.0, 5.0, 0.0, None, None),  # a constant column: no spread to measure in
        (5.0, 0.0, 7.0, 1.0, None, None),  # a constant baseline that moved
        (None, None, 1.0, 1.0, None, None),  # all null in the baseline
        (1.0, 1.0, None, None, None, None),  # all null now
        (INF, NAN, 1.0, 1.0, None, None),  # inf in the baseline: mean inf, std NaN
        (0.0, 1.0, NAN, 1.0, None, 0.0),  # NaN mean now, the spread is unchanged
        (0.0, 1.0, 2.0, INF, 2.0, None),  # an infinite spread now
        (-1e308, 1e-300, 1e308, 1e-300, None, 0.0),  # a mean difference that overflows
    ],
)
def test_moments_are_none_where_undefined(
    baseline_mean, baseline_std, current_mean, current_std, sd, change
):
    assert mean_shift_sd(baseline_mean, baseline_std, current_mean) == sd
    assert std_change(baseline_std, current_std) == change


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((5.0, 0.0, 100, 5.0, 0.0, 100), 1.0),  # constant and equal: certainly the same
        ((5.0, 0.0, 100, 6.0, 0.0, 100), 0.0),  # constant and different: certainly not
        ((0.0, 1.0, 1, 0.0, 1.0, 100), None),  # one row in the baseline
        ((0.0, 1.0, 100, 0.0, 1.0, 1), None),  # one row now
        ((INF, NAN, 100, 0.0, 1.0, 100), None),  # inf values
        ((0.0, 1.0, 100, NAN, 1.0, 100), None),
        ((0.0, 1e200, 100, 1.0, 1e200, 100), 1.0),  # a spread so wide nothing can move
    ],
)
def test_mean_shift_pvalue_degenerate_cases(args, expected):
    assert mean_shift_pvalue(*args) == expected


# --- the new-category tests on empty sides ------------------------------------


def test_new_category_tests_on_an_empty_side_are_not_comparable():
    assert not tail_share_test([], 0, 0, 0).comparable
    assert tail_share_test([60, 37], 3, 0, 0).not_comparable == (
        "no counted value in the current sample"
    )
    assert not outsider_growth([], 0, True, [], 0, 0.05).comparable
    assert not outsider_growth([10, 5], 0, True, [3], 0, 0.05).comparable


def test_every_value_new_is_the_whole_batch_outside_the_baseline():
    # Recoded labels: a baseline of two values (complete), a batch of two others.
    result = tail_share_test([60, 40], 0, 80, 80)
    assert result.statistic == 1.0
    reference = chi2_contingency([[100, 0], [0, 80]])
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-12)
    growth = outsider_growth([60, 40], 0, True, [50, 30], 80, 0.05)
    assert growth.grown == (0, 1)
    assert growth.statistic == pytest.approx(1.0)


# --- properties: any counts, any moments --------------------------------------

PROPERTY = settings(derandomize=True, max_examples=300, deadline=None, database=None)
COUNT = st.one_of(st.integers(0, 3), st.integers(0, 10**12))
PAIRS = st.integers(0, 12).flatmap(
    lambda k: st.tuples(
        st.lists(COUNT, min_size=k, max_size=k), st.lists(COUNT, min_size=k, max_size=k)
    )
)


@PROPERTY
@given(PAIRS)
def test_every_count_test_is_total_and_in_its_range(pair):
    baseline, current = pair
    comparable = sum(baseline) > 0 and sum(current) > 0
    for test in COUNT_TESTS:
        result = test(baseline, current)
        assert result.comparable == comparable
        assert math.isfinite(result.statistic) and result.statistic >= 0
        assert result.pvalue is None or 0.0 <= result.pvalue <= 1.0
    if comparable:
        assert jensen_shannon(baseline, current).statistic <= 1.0
        assert ks(baseline, current).statistic <= 1.0
        assert chi_square(baseline, current).pvalue is not None


MOMENT = st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True))


@PROPERTY
@given(MOMENT, MOMENT, st.integers(0, 10**9), MOMENT, MOMENT, st.integers(0, 10**9))
def test_moments_are_finite_or_none(mean_b, std_b, n_b, mean_c, std_c, n_c):
    std_b = None if std_b is None else abs(std_b)
    std_c = None if std_c is None else abs(std_c)
    for value in (
        mean_shift_sd(mean_b, std_b, mean_c),
        std_change(std_b, std_c),
        mean_shift_pvalue(mean_b, std_b, n_b, mean_c, std_c, n_c),
    ):
        assert value is None or math.isfinite(value)
    pvalue = mean_shift_pvalue(mean_b, std_b, n_b, mean_c, std_c, n_c)
    assert pvalue is None or 0.0 <= pvalue <= 1.0
