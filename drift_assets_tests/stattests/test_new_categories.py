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
    vanished_test,
)


def _yates_p(table):
    return chi2_contingency(np.array(table, dtype=float)).pvalue


def test_a_complete_list_expects_its_singletons_share_of_new_rows():
    # 1,000 baseline rows in 4 values, 2 of them singletons: Good-Turing expects
    # 0.2% of a fresh sample in unseen values; 70 of 1,000 now is 6.8 points more.
    result = tail_share_test([600, 398, 1, 1], 0, True, current_outside=70, n_current=1_000)
    assert result.statistic == pytest.approx(0.07 - 0.002)
    assert result.pvalue == pytest.approx(_yates_p([[998, 2], [930, 70]]))


def test_an_incomplete_list_compares_each_side_outside_its_own_top_k():
    # Top 3 of 1,000 baseline rows hold 700; 300 are outside. A current batch of
    # the same size with 380 outside its own top 3 has 8 points more.
    result = tail_share_test([300, 250, 150], 300, False, current_outside=380, n_current=1_000)
    assert result.statistic == pytest.approx(0.08)
    assert result.pvalue == pytest.approx(_yates_p([[700, 300], [620, 380]]))


def test_a_larger_batch_is_expected_to_hold_more_outside_its_own_top_k():
    # Leave-one-out: the best unlisted count is at most min(150, 300) = 150, so the
    # value of 150 drops out without one of its rows: 450 rows bound the tail.
    # Twice the baseline's size moves the expectation half way from 300 to 450.
    listed, other = [300, 250, 150], 300
    assert expected_tail_share(listed, other, False, 1_000) == pytest.approx(0.30)
    assert expected_tail_share(listed, other, False, 500) == pytest.approx(0.30)
    assert expected_tail_share(listed, other, False, 2_000) == pytest.approx(0.375)
    result = tail_share_test(listed, other, False, current_outside=760, n_current=2_000)
    assert result.statistic == pytest.approx(0.38 - 0.375)


def test_fewer_rows_outside_than_expected_is_no_effect():
    result = tail_share_test([300, 250, 150], 300, False, current_outside=100, n_current=1_000)
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
@given(counts, st.integers(0, 100), st.booleans(), st.integers(0, 300), st.integers(0, 300))
def test_the_tail_test_is_total(listed, other, complete, outside, n_current):
    outside = min(outside, n_current)
    result = tail_share_test(listed, other, complete, outside, n_current)
    assert 0.0 <= result.statistic <= 1.0
    assert result.pvalue is not None and 0.0 <= result.pvalue <= 1.0


@settings(derandomize=True, max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 50), st.integers(0, 50)), max_size=8), st.integers(0, 50))
def test_the_vanishing_test_is_total(pairs, extra):
    baseline = [b for b, _ in pairs]
    current = [c for _, c in pairs]
    result = vanished_test(baseline, current, sum(baseline) + extra, sum(current), len(pairs))
    assert 0.0 <= result.statistic <= 1.0
    assert result.pvalue is not None and 0.0 <= result.pvalue <= 1.0
