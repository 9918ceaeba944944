"""new_categories: the tail-share test and the vanishing test, against hand computation and scipy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import chi2_contingency

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


def test_every_value_vanishing_is_certain_and_named_by_its_share():
    # male 500, female 480 of 1,000 baseline rows (20 others); now neither.
    result = vanished_test([500, 480], [0, 0], 1_000, 1_000, distinct=2)
    assert result.statistic == pytest.approx(0.98)
    assert result.pvalue == pytest.approx(2 * 0.5**500)


def test_a_rare_value_missing_by_chance_is_not_significant():
    # 3 rows, all in the baseline: probability (1/2)^3 per value, times 20 values.
    result = vanished_test([500, 3], [497, 0], 1_000, 1_000, distinct=20)
    assert result.statistic == pytest.approx(0.003)
    assert result.pvalue == pytest.approx(min(1.0, 20 * 0.5**3))


def test_the_vanishing_probability_follows_the_sides_sizes():
    # 10 rows, none in a current batch a quarter of the baseline's size:
    # each row lands in the baseline with probability 4/5.
    result = vanished_test([10, 90], [0, 25], 100, 25, distinct=2)
    assert result.pvalue == pytest.approx(min(1.0, 2 * 0.8**10))


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
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8), st.integers(0, 50))
def test_the_vanishing_test_is_total(pairs, extra):
    baseline = [b for b, _ in pairs]
    current = [c for _, c in pairs]
    result = vanished_test(baseline, current, sum(baseline) + extra, sum(current), len(pairs))
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
