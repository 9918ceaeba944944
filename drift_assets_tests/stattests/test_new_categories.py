"""new_categories: the tail-share test and the vanishing test, against hand computation and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom, chi2_contingency

from drift_assets.stattests.new_categories import (
    expected_tail_share,
    tail_share_test,
    unseen_share_test,
    vanished_test,
)


def _yates_p(table):
    return chi2_contingency(np.array(table, dtype=float)).pvalue


def test_new_values_are_judged_by_how_likely_each_lands_wholly_in_the_batch():
    # Equal sides, p = 1/2. Pooled values of 2, 1 and 1 rows, the last two new now
    # (1 row each): chance gives them 2 * 1/4 + 1/2 + 1/2 = 1.5 new rows.
    # P(new rows >= 2): enumerate the 8 outcomes of (2-row value, each single).
    result = unseen_share_test([2], [0], [1, 1], 0, n_current=2)
    assert result.statistic == pytest.approx((2 - 1.5) / 2)
    # sums: 2-row value new w.p. 1/4; singles new w.p. 1/2 each
    tail = 1 / 4 + 3 / 4 * 1 / 4  # the 2-row value alone reaches 2, else both singles
    assert result.pvalue == pytest.approx(tail)


def test_a_clump_of_new_rows_is_as_unlikely_as_all_its_rows_landing_here():
    # 5 rows of one value, all in the current batch of equal size: p = 1/32,
    # where a row-level 2 x 2 test of 5 of 117 rows against none says p = 0.07
    # and a clump of 20 rows would be no likelier than 1 in a million.
    result = unseen_share_test([60, 57], [57, 55], [5], 0, n_current=117)
    assert result.pvalue == pytest.approx(1 / 32, rel=1e-6)
    assert unseen_share_test([60, 57], [50, 47], [20], 0, n_current=117).pvalue < 1e-6


def test_the_exact_tail_agrees_with_simulation():
    # Baseline values of 5, 3, 2, 2 rows over both sides; new values of 1 and 2
    # rows that the batch listed and 1 more new row: 4 new rows in a batch of 9
    # against 7 baseline rows, so each row lands here with probability 9/16.
    baseline, current, new, rest, n_current = [3, 2, 1, 1], [2, 1, 1, 1], [1, 2], 1, 9
    p = 9 / 16
    totals = [5, 3, 2, 2, 1, 2]
    rng = np.random.default_rng(0)
    draws = np.array(
        [
            sum(t for t in totals if rng.random() < p**t) + rng.binomial(rest, p)
            for _ in range(200_000)
        ]
    )
    result = unseen_share_test(baseline, current, new, rest, n_current)
    assert result.pvalue == pytest.approx(np.mean(draws >= 4), abs=0.004)
    expected = sum(t * p**t for t in totals) + rest * p
    assert result.statistic == pytest.approx((4 - expected) / n_current)


def test_an_incomplete_list_compares_each_side_outside_its_own_top_k():
    # Top 3 of 1,000 baseline rows hold 700; 300 are outside. A current batch of
    # the same size with 380 outside its own top 3 has 8 points more.
    result = tail_share_test([300, 250, 150], 300, current_outside=380, n_current=1_000)
    assert result.statistic == pytest.approx(0.08)
    assert result.pvalue == pytest.approx(_yates_p([[700, 300], [620, 380]]))


def test_a_larger_batch_is_expected_to_hold_more_outside_its_own_top_k():
    # Leave-one-out: the best unlisted count is at most min(150, 300) = 150, so the
    # value of 150 drops out without one of its rows: 450 rows bound the tail.
    # Twice the baseline's size moves the expectation half way from 300 to 450.
    listed, other = [300, 250, 150], 300
    assert expected_tail_share(listed, other, 1_000) == pytest.approx(0.30)
    assert expected_tail_share(listed, other, 500) == pytest.approx(0.30)
    assert expected_tail_share(listed, other, 2_000) == pytest.approx(0.375)
    result = tail_share_test(listed, other, current_outside=760, n_current=2_000)
    assert result.statistic == pytest.approx(0.38 - 0.375)


def test_fewer_rows_outside_than_expected_is_no_effect():
    result = tail_share_test([300, 250, 150], 300, current_outside=100, n_current=1_000)
    assert result.statistic == 0.0


def _complete(baseline, current, n_baseline, n_current, distinct):
    """Both sides' lists complete: nothing outside them can have vanished."""
    return vanished_test(
        baseline,
        current,
        n_baseline,
        n_current,
        distinct,
        outsiders=[],
        unlisted_baseline=0,
        unlisted_current=0,
        unlisted_repeats=0,
    )


def test_every_value_vanishing_is_certain_and_named_by_its_share():
    # male 500, female 480 of 1,000 baseline rows; now neither. Largest value:
    # 2 * (1/2)^500; together: both must land in the baseline, (1/2)^980; the
    # two tests combined as twice the smaller.
    result = _complete([500, 480], [0, 0], 1_000, 1_000, distinct=2)
    assert result.statistic == pytest.approx(0.98)
    assert result.pvalue == pytest.approx(2 * 0.5**980)


def test_a_rare_value_missing_by_chance_is_not_significant():
    # 3 rows, all in the baseline, of 20 distinct values (the list is not
    # complete: unlisted values hold up to 3 rows per side). Largest value:
    # 20 * (1/2)^3 > 1. Together, tau on the grid 3, 4, 6 and the exact 3 + 3 + 1:
    # only tau = 3 counts the value, P = 1/8, times 4 thresholds, times 2.
    result = vanished_test(
        [500, 3],
        [497, 0],
        1_000,
        1_000,
        distinct=20,
        outsiders=[],
        unlisted_baseline=3,
        unlisted_current=3,
        unlisted_repeats=0,
    )
    assert result.statistic == pytest.approx(0.003)
    assert result.pvalue == pytest.approx(min(1.0, 2 * 4 / 8))


def test_the_vanishing_probability_follows_the_sides_sizes():
    # 10 rows, none in a current batch a quarter of the baseline's size: each row
    # lands in the baseline with probability 4/5. Together: the 10-row value or
    # the 115-row one (90 + 25) would have to land wholly in the baseline.
    result = _complete([10, 90], [0, 25], 100, 25, distinct=2)
    together = 1 - (1 - 0.8**10) * (1 - 0.8**115)
    assert result.pvalue == pytest.approx(2 * min(2 * 0.8**10, together))


def test_many_small_values_vanishing_together_are_significant_where_the_largest_is_not():
    # 30 values of 8 rows, all gone: the largest alone is 30 / 2^8 = 0.12, but
    # all 30 landing in the baseline has probability 2^-240.
    result = _complete([8] * 30, [0] * 30, 240, 240, distinct=30)
    assert result.pvalue == pytest.approx(2 * 0.5**240)


def test_values_on_neither_list_are_bounded_as_a_binomial_group():
    # One listed value of 6 rows vanished; unlisted values hold at most 2 rows on
    # each side, and 10 rows beyond their first. Grid tau = 3, 4 and exact 5:
    # - tau = 5: only the listed value can count, P = 2^-6;
    # - tau = 3: up to 10 / 1 values of <= 4 rows, each wholly in the baseline
    #   with P <= 1/8: P(6-row clump) + P(no clump) P(Binomial(10, 1/8) >= 2);
    # - tau = 4: 10 / 2 of them, P <= 1/16.
    result = vanished_test(
        [6],
        [0],
        1_000,
        1_000,
        distinct=500,
        outsiders=[],
        unlisted_baseline=2,
        unlisted_current=2,
        unlisted_repeats=10,
    )
    clump = 0.5**6
    by_tau = [
        clump + (1 - clump) * binom.sf(1, 10, 1 / 8),
        clump + (1 - clump) * binom.sf(1, 5, 1 / 16),
        clump,
    ]
    largest = 500 * clump
    assert result.pvalue == pytest.approx(min(1.0, 2 * min(largest, 3 * min(by_tau))))


def test_a_current_outsider_is_bounded_by_the_most_rows_it_can_have():
    # The current batch lists a value of 5 rows the baseline did not: it has at
    # most 2 baseline rows (the baseline's K-th count), so 5 to 7 pooled rows, of
    # which all landing in the baseline has P <= (1/2)^5, counting 7 rows. The
    # current list is complete (C = 0): tau = 3 only.
    result = vanished_test(
        [6],
        [0],
        1_000,
        1_000,
        distinct=500,
        outsiders=[5],
        unlisted_baseline=2,
        unlisted_current=0,
        unlisted_repeats=0,
    )
    together = 1 - (1 - 0.5**6) * (1 - 0.5**5)
    assert result.pvalue == pytest.approx(min(1.0, 2 * min(500 * 0.5**6, together)))


counts = st.lists(st.integers(0, 50), min_size=0, max_size=8)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(counts, st.integers(0, 100), st.integers(0, 300), st.integers(0, 300))
def test_the_tail_test_is_total(listed, other, outside, n_current):
    outside = min(outside, n_current)
    result = tail_share_test(listed, other, outside, n_current)
    assert 0.0 <= result.statistic <= 1.0
    # An empty side is "not comparable" (no p-value, a reason), as for every test.
    empty = n_current == 0 or sum(listed) + other == 0
    assert result.comparable is not empty
    assert empty or 0.0 <= result.pvalue <= 1.0


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8),
    st.integers(0, 50),
    st.lists(st.integers(1, 50), max_size=8),
    st.integers(0, 60),
    st.integers(0, 500),
)
def test_the_vanishing_test_is_total(pairs, extra, outsiders, bound, repeats):
    baseline = [b for b, _ in pairs]
    current = [c for _, c in pairs]
    result = vanished_test(
        baseline,
        current,
        sum(baseline) + extra,
        sum(current),
        len(pairs),
        outsiders=outsiders,
        unlisted_baseline=bound,
        unlisted_current=bound,
        unlisted_repeats=repeats,
    )
    assert 0.0 <= result.statistic <= 1.0
    assert result.pvalue is not None and 0.0 <= result.pvalue <= 1.0


def test_a_batch_that_dwarfs_its_baseline_gets_a_quick_upper_bound():
    # 40 baseline rows against 4 million: p ~ 1, so a value of a million rows is
    # wholly new by chance with probability p^1e6 ~ 4.5e-5, and two of the four
    # (what the batch shows) ~ 6 * (4.5e-5)^2 ~ 1.2e-8. Counted in units of 10
    # rows, the bound stays at that order, and it is quick.
    chance = (4_000_000 / 4_000_040) ** 1_000_000
    result = unseen_share_test(
        [20, 20], [1_000_000, 1_000_000], [1_000_000, 1_000_000], 0, 4_000_000
    )
    assert 6 * chance**2 * 0.99 <= result.pvalue <= 10 * chance**2


@settings(derandomize=True, max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 60), st.integers(0, 60)), max_size=8),
    st.lists(st.integers(1, 60), max_size=5),
    st.integers(0, 40),
)
def test_the_unseen_share_test_is_total(pairs, new, rest):
    baseline = [b for b, _ in pairs]
    current = [c for _, c in pairs]
    n_current = sum(current) + sum(new) + rest
    result = unseen_share_test(baseline, current, new, rest, n_current)
    assert 0.0 <= result.statistic <= 1.0
    assert result.pvalue is not None and 0.0 <= result.pvalue <= 1.0
