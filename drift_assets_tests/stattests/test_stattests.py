"""The distribution tests give their textbook values, agree with scipy, and never divide by zero."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.spatial.distance import jensenshannon as scipy_jensenshannon
from scipy.stats import chi2_contingency, chisquare, ks_2samp

from drift_assets.settings.policy import DistributionPolicy
from drift_assets.stattests import (
    chi_square,
    effect_sizes,
    for_kind,
    gate,
    get,
    jensen_shannon,
    ks,
    mean_shift_pvalue,
    mean_shift_sd,
    psi,
    register,
    std_change,
)
from drift_assets.stattests.binning import equi_depth_groups
from drift_assets.stattests.new_categories import (
    expected_outside,
    outsider_growth,
)


def binned(baseline: np.ndarray, current: np.ndarray, bins: int = 100):
    """Both samples counted in the baseline's equi-depth edges (the profile convention)."""
    edges = np.unique(np.quantile(baseline, np.linspace(0, 1, bins + 1)[1:-1]))

    def count(values):
        return np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)

    return count(baseline).tolist(), count(current).tolist()


# --- registry ---------------------------------------------------------------


def test_the_registry_lists_the_tests_for_each_kind_of_column():
    assert {t.name for t in for_kind("numeric")} == {"psi", "ks"}
    assert {t.name for t in for_kind("categorical")} == {"psi", "js", "chi_square"}
    assert get("ks").tiers == "ks_distance"
    assert get("chi_square").tiers is None  # judged by its p-value only


def test_each_kind_has_one_gate_and_effect_sizes_in_summary_order():
    # The checks take these from the registry: which tests are effect sizes (in
    # the order summaries list them), and whose p-value gates them.
    assert [t.name for t in effect_sizes("numeric")] == ["psi", "ks"]
    assert [t.name for t in effect_sizes("categorical")] == ["psi", "js"]
    assert (gate("numeric").name, gate("categorical").name) == ("ks", "chi_square")
    assert [t.name for t in for_kind("numeric") if t.grouped] == ["psi"]


@pytest.mark.parametrize("kind", ["numeric", "categorical"])
def test_every_registered_tier_is_a_policy_field(kind):
    # A test's tiers are looked up by name in the policy: a typo would surface
    # as an AttributeError inside a check, so it is caught here.
    for test in effect_sizes(kind):
        assert test.tiers in DistributionPolicy.model_fields


def test_an_unknown_test_is_named_in_the_error():
    with pytest.raises(KeyError, match="'wasserstein'.*known"):
        get("wasserstein")


def test_a_name_cannot_be_registered_twice():
    with pytest.raises(ValueError, match="already registered"):
        register("psi", title="again", kinds=("numeric",), tiers="psi")(psi.compute)


@pytest.mark.parametrize("test", [psi, ks, jensen_shannon, chi_square])
@pytest.mark.parametrize(
    ("baseline", "current", "message"),
    [
        ([1, 2], [1, 2, 3], "not aligned"),  # different bins
        ([1, -1], [1, 2], "negative"),
        ([1, float("nan")], [1, 2], "finite"),
    ],
)
def test_misaligned_or_invalid_counts_are_refused(test, baseline, current, message):
    with pytest.raises(ValueError, match=message):
        test(baseline, current)


# --- PSI --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "expected"),
    [
        ([50, 50], [50, 50], 0.0),  # identical proportions
        ([50, 50], [500, 500], 0.0),  # only proportions matter, not sample sizes
        # (0.25 - 0.5) ln(0.5) + (0.75 - 0.5) ln(1.5)
        ([50, 50], [25, 75], 0.25 * math.log(2) + 0.25 * math.log(1.5)),
        # an empty baseline bin is floored at 1e-4: (0.98-1) ln 0.98 + (0.02-1e-4) ln(0.02/1e-4)
        ([100, 0], [98, 2], -0.02 * math.log(0.98) + (0.02 - 1e-4) * math.log(200)),
        # ten deciles, one tenth of the mass moved from the first to the last
        ([10] * 10, [0, *[10] * 8, 20], (1e-4 - 0.1) * math.log(1e-4 / 0.1) + 0.1 * math.log(2)),
    ],
)
def test_psi_matches_hand_computation(baseline, current, expected):
    assert psi(baseline, current).statistic == pytest.approx(expected, abs=1e-12)
    assert psi(baseline, current).pvalue is None


def test_psi_is_symmetric():
    assert psi([30, 50, 20], [10, 60, 30]).statistic == pytest.approx(
        psi([10, 60, 30], [30, 50, 20]).statistic
    )


# --- KS ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "distance"),
    [
        ([10, 10, 10], [10, 10, 10], 0.0),  # same shape
        ([10, 10, 0], [0, 10, 10], 0.5),  # half the mass moved one bin up
        ([5, 0], [0, 7], 1.0),  # disjoint
        ([1, 2, 3, 4], [4, 3, 2, 1], 0.4),  # cumulative 0.1/0.3/0.6 vs 0.4/0.7/0.9
    ],
)
def test_ks_distance_is_the_largest_gap_between_cumulative_shares(baseline, current, distance):
    assert ks(baseline, current).statistic == pytest.approx(distance)


@pytest.mark.parametrize(
    ("n", "shift", "seed"),
    [
        (1_000, 0.0, 1),  # unshifted, small
        (20_000, 0.1, 2),  # small shift
        (20_000, 0.5, 3),  # large shift
        (50_000, 0.02, 4),  # tiny shift, larger sample
    ],
)
def test_binned_ks_is_within_half_a_hundredth_of_scipy_on_the_raw_samples(n, shift, seed):
    rng = np.random.default_rng(seed)
    baseline, current = rng.normal(size=n), rng.normal(shift, 1.0, size=n)
    exact = ks_2samp(baseline, current).statistic
    assert ks(*binned(baseline, current)).statistic == pytest.approx(exact, abs=0.005)


@pytest.mark.parametrize(
    ("n", "m", "seed"),
    [
        (400, 300, 5),  # unequal sizes
        (5_000, 5_000, 6),  # equal sizes
        (100, 2_000, 7),  # a small batch against a large baseline
    ],
)
def test_ks_pvalue_is_scipys_asymptotic_one(n, m, seed):
    # Integers 0..9 with edges 0..8: every jump of both empirical CDFs sits on an
    # edge, so the binned distance equals scipy's and so must the p-value.
    rng = np.random.default_rng(seed)
    baseline, current = rng.integers(0, 10, n), rng.binomial(9, 0.48, m)
    edges = np.arange(9)
    counts = [
        np.bincount(np.searchsorted(edges, x, side="left"), minlength=10)
        for x in (baseline, current)
    ]
    reference = ks_2samp(baseline, current, method="asymp")
    result = ks(*counts)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.pvalue == pytest.approx(reference.pvalue, rel=1e-9)


def test_ks_pvalue_above_exact_n_eff_is_within_a_few_percent_of_scipys():
    # n_eff = 20k: the limiting distribution with Stephens' correction stands in
    # for the exact one, which costs up to seconds per call at a million rows.
    rng = np.random.default_rng(8)
    baseline, current = rng.binomial(9, 0.5, 40_000), rng.binomial(9, 0.505, 40_000)
    edges = np.arange(9)
    counts = [
        np.bincount(np.searchsorted(edges, x, side="left"), minlength=10)
        for x in (baseline, current)
    ]
    reference = ks_2samp(baseline, current, method="asymp")
    result = ks(*counts)
    assert 1e-12 < reference.pvalue < 0.5
    assert result.pvalue == pytest.approx(reference.pvalue, rel=0.04)


def test_ks_pvalue_is_small_for_a_real_shift_and_large_for_none():
    assert ks([100] * 10, [100] * 10).pvalue == pytest.approx(1.0)
    assert ks([100] * 10, [50] * 5 + [150] * 5).pvalue < 1e-6


# --- Jensen-Shannon ---------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        ([10, 20, 30], [10, 20, 30]),  # identical
        ([10, 20, 30], [30, 20, 10]),  # mirrored
        ([10, 0, 5], [0, 7, 5]),  # a category empty on each side
        ([1, 1, 1, 97], [25, 25, 25, 25]),  # skewed vs uniform
        ([5, 0], [0, 3]),  # disjoint
    ],
)
def test_jensen_shannon_matches_scipy_base_2(baseline, current):
    expected = scipy_jensenshannon(baseline, current, base=2)
    assert jensen_shannon(baseline, current).statistic == pytest.approx(expected, abs=1e-12)


def test_jensen_shannon_is_bounded_by_one_and_zero_for_identical_shares():
    assert jensen_shannon([5, 0], [0, 3]).statistic == pytest.approx(1.0)
    assert jensen_shannon([1, 2, 3], [10, 20, 30]).statistic == 0.0


# --- chi-square -------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        ([120, 80, 50], [100, 100, 50]),  # a moderate shift
        ([500, 300, 200], [480, 320, 200]),  # almost the same shares
        ([40, 60], [55, 45]),  # 2 x 2, Yates-corrected like scipy
        ([1000, 10, 1], [990, 15, 6]),  # small expected counts in the tail
    ],
)
def test_chi_square_is_scipys_contingency_test(baseline, current):
    reference = chi2_contingency(np.array([baseline, current]))
    result = chi_square(baseline, current)
    assert result.statistic == pytest.approx(reference.statistic)
    assert result.pvalue == pytest.approx(reference.pvalue)


def test_chi_square_drops_categories_empty_on_both_sides():
    reference = chi2_contingency(np.array([[120, 80], [100, 100]]))
    assert chi_square([120, 0, 80], [100, 0, 100]).pvalue == pytest.approx(reference.pvalue)


@pytest.mark.parametrize(
    ("baseline", "current"),
    [
        ([100, 0, 0], [30, 0, 0]),  # one category left: nothing to compare
        ([7], [9]),  # a single bin
    ],
)
def test_chi_square_with_one_category_left_finds_no_difference(baseline, current):
    assert chi_square(baseline, current).pvalue == 1.0


def test_chi_square_does_not_alarm_on_an_unshifted_high_cardinality_column():
    # Both samples drawn from the same 500 categories: treating the baseline's
    # counts as exact expectations (scipy.stats.chisquare) rejects here; a
    # two-sample contingency test does not.
    rng = np.random.default_rng(8)
    shares = rng.dirichlet(np.ones(500))
    baseline, current = rng.multinomial(5_000, shares), rng.multinomial(5_000, shares)
    seen = baseline > 0
    scaled = baseline[seen] * current[seen].sum() / baseline[seen].sum()
    assert chisquare(current[seen], scaled).pvalue < 1e-6
    assert chi_square(baseline, current).pvalue > 0.01


# --- moments ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline_mean", "baseline_std", "current_mean", "expected"),
    [
        (10.0, 2.0, 11.0, 0.5),  # half a baseline SD up
        (10.0, 2.0, 9.0, -0.5),  # signed
        (10.0, 0.0, 11.0, None),  # constant baseline: undefined, PSI/KS will judge
        (None, 2.0, 11.0, None),  # no moments (e.g. all values were infinite)
        (10.0, None, 11.0, None),
        (10.0, 2.0, None, None),
    ],
)
def test_mean_shift_is_measured_in_baseline_sds(
    baseline_mean, baseline_std, current_mean, expected
):
    assert mean_shift_sd(baseline_mean, baseline_std, current_mean) == (
        expected if expected is None else pytest.approx(expected)
    )


@pytest.mark.parametrize(
    ("baseline_std", "current_std", "expected"),
    [
        (2.0, 3.0, 0.5),  # half as wide again
        (2.0, 1.0, -0.5),  # half as wide
        (2.0, 2.0, 0.0),
        (0.0, 1.0, None),  # a constant baseline has no relative change
        (None, 1.0, None),
        (2.0, None, None),
    ],
)
def test_std_change_is_relative_to_the_baseline(baseline_std, current_std, expected):
    assert std_change(baseline_std, current_std) == (
        expected if expected is None else pytest.approx(expected)
    )


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        # z = 0.2 / sqrt(1/1000 + 1/1000) = 4.472: p = 2 * (1 - Phi(4.472))
        ((0.0, 1.0, 1_000, 0.2, 1.0, 1_000), 7.74e-6),
        # z = 1 / sqrt(4/100 + 9/400) = 4.0
        ((5.0, 2.0, 100, 6.0, 3.0, 400), 6.334e-5),
        ((3.0, 0.0, 50, 3.0, 0.0, 50), 1.0),  # two equal constants
        ((3.0, 0.0, 50, 4.0, 0.0, 50), 0.0),  # two different constants
        ((3.0, None, 50, 4.0, 1.0, 50), None),  # a missing std
        ((3.0, 1.0, 1, 4.0, 1.0, 50), None),  # one value has no spread to test against
    ],
)
def test_mean_shift_pvalue_is_a_two_sided_z_test(args, expected):
    result = mean_shift_pvalue(*args)
    assert result == (expected if expected is None else pytest.approx(expected, rel=1e-3))


# --- regrouping for PSI ------------------------------------------------------


@pytest.mark.parametrize(
    ("baseline", "current", "groups", "expected"),
    [
        # 100 even bins into 10 groups of 10 bins
        ([1] * 100, [2] * 100, 10, ([10] * 10, [20] * 10)),
        # a bin holding half the baseline (ties) stays one group; a group empty
        # on both sides disappears
        ([0, 50, 1, 1, 48, 0], [1, 2, 3, 4, 5, 6], 10, ([0, 50, 2, 48], [1, 2, 7, 11])),
        # fewer bins than groups: nothing to merge
        ([5, 5], [1, 0], 10, ([5, 5], [1, 0])),
    ],
)
def test_equi_depth_groups_merge_whole_bins(baseline, current, groups, expected):
    assert equi_depth_groups(baseline, current, groups) == expected


def test_psi_over_deciles_stays_below_its_warn_tier_for_two_samples_of_the_same_data():
    # Over 100 bins PSI of two halves of 2,000 rows is ~0.2 (pure noise, above
    # the 0.1 warn tier); over the same bins merged into deciles it is ~0.02.
    rng = np.random.default_rng(9)
    baseline, current = binned(rng.normal(size=1_000), rng.normal(size=1_000))
    assert psi(baseline, current).statistic > 0.1
    assert psi(*equi_depth_groups(baseline, current, 10)).statistic < 0.05


# --- rows outside the baseline's listed values -------------------------------


@pytest.mark.parametrize(
    ("listed", "other", "expected"),
    [
        # top 3 of more: the best unlisted count is at most min(4, 10) = 4; the
        # value of count 4 drops out without one of its rows, 5 ties (half)
        ([9, 5, 4], 10, 10 + 5 / 2 + 4),
        ([100, 90, 80], 3, 3),  # a clear top: only the rest is expected outside
        # the best unlisted count may be 2 (the K-th count): without one of its rows
        # each listed value of 2 would fall below it and out of the list
        ([2, 2], 5, 5 + 2 + 2),
    ],
)
def test_expected_outside_counts_rows_that_left_out_would_be_unlisted(listed, other, expected):
    assert expected_outside(listed, other) == pytest.approx(expected)


def test_one_grown_outsider_among_many_values_is_found():
    # The baseline's 50th value has 24 rows of 10,000; a value outside the list
    # now holds 200 of 10,000: it grew by at least 2% - 0.24% of the rows.
    listed = [24] * 50
    result = outsider_growth(listed, 8_800, False, [200, 30, 25], 10_000, significance=0.01)
    assert result.statistic == pytest.approx(0.02 - 24 / 10_000)
    assert result.pvalue < 0.01
    assert result.grown == (0,)  # the one of 200 rows; 30 and 25 are within reach of 24


def test_outsiders_within_the_reach_of_unlisted_values_do_not_count():
    result = outsider_growth([24] * 50, 8_800, False, [30, 28], 10_000, significance=0.01)
    assert result.statistic == 0.0
    assert result.pvalue > 0.01
