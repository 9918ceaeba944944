"""Values the baseline did not list, and listed values that are gone: the tail
share (more values than listed), the unseen share (a complete list), single
grown outsiders, and vanished values, each against what chance explains."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import bdtrc

from drift_assets.stattests.chi_square import chi_square
from drift_assets.stattests.registry import StatResult, empty_side


def expected_outside(listed: Sequence[int], other: int) -> float:
    """Leave-one-out count of baseline rows that fall outside the listed values of
    a column with more values than were listed.

    The baseline's listed values were chosen *from the baseline itself*, so a
    fresh sample from the same distribution lands outside them more often than
    the baseline's own rows did: a long tail keeps producing values never seen
    (Good-Turing: about as many as the baseline's singletons), and values that
    only just made the top K did so partly by luck. Leaving each baseline row
    out in turn and asking whether its value would still be listed estimates
    that share without bias. A listed value of count c stays listed without
    one of its rows when c - 1 beats the best unlisted count: at most
    min(K-th count, other), since the profile does not keep it (a tie counts
    half). Taking that upper bound errs toward a larger expected share, i.e.
    toward fewer alerts. (A complete list is judged by ``unseen_share_test``.)
    """
    best_unlisted = min(min(listed, default=0), other)
    dropped = 0.0
    for c in listed:
        if c - 1 < best_unlisted:
            dropped += c
        elif c - 1 == best_unlisted:
            dropped += c / 2
    return other + dropped


def tail_share_test(
    listed: Sequence[int], other: int, current_outside: int, n_current: int
) -> StatResult:
    """Excess share of current rows in the tail of a column with more values
    than the baseline listed, over what the baseline predicts for a batch of the
    current size (never negative), with the p-value of the 2 x 2 chi-square of
    tail vs the rest, baseline vs current.

    The tail is *each side's own* share outside its own top K
    (``current_outside`` counts the current rows outside the current batch's
    top K), so both sides are counted the same way. Comparing the current rows
    outside the *baseline's* top K with the baseline's own remainder is not: the
    baseline picked its top K from its own rows, and on random halves of a
    column with many values of similar counts (airport cities, countries of a
    panel) the current half held 10 to 15 points more outside them by selection
    alone. A sample's share outside its own top K grows with its size toward the
    population's share outside the true top K (the mean of a maximum over
    subsets only falls as the sample grows), and the leave-one-out count bounds
    that population share from above. So for a current batch no larger than the
    baseline, the baseline's own share is the prediction; for a larger one the
    prediction moves toward the leave-one-out share by 1 - n_baseline / n_current,
    which bounds the growth when the selection bias falls like 1 / sqrt(n) or
    faster.
    """
    n_baseline = sum(listed) + other
    reason = empty_side((n_baseline,), (n_current,))
    if reason is not None:
        return StatResult(statistic=0.0, pvalue=None, not_comparable=reason)
    expected = expected_tail_share(listed, other, n_current) * n_baseline
    excess = max(current_outside / n_current - expected / n_baseline, 0.0)
    rounded = int(expected + 0.5)
    pvalue = chi_square(
        (n_baseline - rounded, rounded), (n_current - current_outside, current_outside)
    ).pvalue
    return StatResult(statistic=excess, pvalue=pvalue)


def expected_tail_share(listed: Sequence[int], other: int, n_current: int) -> float:
    """The share of a batch of ``n_current`` rows that ``tail_share_test`` expects
    outside its own top K: the baseline's own share, moved toward the
    leave-one-out bound for a larger batch."""
    n_baseline = sum(listed) + other
    if n_baseline == 0:
        return 0.0
    upper = expected_outside(listed, other)
    growth = max(0.0, 1 - n_baseline / n_current) if n_current else 0.0
    return (other + (upper - other) * growth) / n_baseline


@dataclass(frozen=True)
class OutsiderGrowth(StatResult):
    """``grown`` holds the positions (in the given outsiders) of the values that count."""

    grown: tuple[int, ...] = ()


def outsider_growth(
    listed: Sequence[int],
    other: int,
    complete: bool,
    outsiders: Sequence[int],
    n_current: int,
    significance: float,
) -> OutsiderGrowth:
    """Share of current rows that single values outside the baseline's list hold
    beyond the most any unlisted value could have held in the baseline.

    An unlisted value's baseline count is at most min(K-th listed count, other)
    (0 when the list is complete). Each outsider of the current batch's own top
    values is tested against that bound (2 x 2 chi-square, Bonferroni over the
    outsiders); the statistic sums the share beyond the bound of the ones that
    are significant, the p-value is the largest adjusted p among them (the
    smallest overall when none is). This finds one new value of 2% in a column
    with thousands of values, where the total share outside the top K is too
    noisy to show it. An empty side is not comparable.
    """
    n_baseline = sum(listed) + other
    reason = empty_side((n_baseline,), (n_current,))
    if reason is not None:
        return OutsiderGrowth(statistic=0.0, pvalue=None, not_comparable=reason)
    if not outsiders:
        return OutsiderGrowth(statistic=0.0, pvalue=1.0)
    bound = 0 if complete else min(min(listed, default=0), other)
    adjusted: list[tuple[float, float]] = []
    for count in outsiders:
        excess = count / n_current - bound / n_baseline
        if excess <= 0:
            # Not above what it may have had: nothing to test (and most are not).
            adjusted.append((1.0, excess))
            continue
        pvalue = chi_square((n_baseline - bound, bound), (n_current - count, count)).pvalue
        assert pvalue is not None
        adjusted.append((min(pvalue * len(outsiders), 1.0), excess))
    grown = tuple(i for i, (p, e) in enumerate(adjusted) if p < significance and e > 0)
    if not grown:
        return OutsiderGrowth(statistic=0.0, pvalue=min(p for p, _ in adjusted))
    return OutsiderGrowth(
        statistic=sum(adjusted[i][1] for i in grown),
        pvalue=max(adjusted[i][0] for i in grown),
        grown=grown,
    )


def vanished_test(
    baseline: Sequence[int],
    current: Sequence[int],
    n_baseline: int,
    n_current: int,
    distinct: int,
    *,
    outsiders: Sequence[int],
    unlisted_baseline: int,
    unlisted_current: int,
    unlisted_repeats: int,
) -> StatResult:
    """Share of baseline rows in listed values that the current batch does not
    have at all, with the p-value that they vanished by chance.

    ``baseline`` and ``current`` are the two sides' counts of the baseline's
    listed values, ``n_baseline`` and ``n_current`` their non-null rows. Under
    the null a value's t pooled rows split at random between the sides, so all
    of them land in the baseline with probability at most q^t, q = n_b / (n_b +
    n_c) (exactly q^t row by row, less when drawn without replacement). Two
    tests, combined as twice the smaller p-value (Bonferroni):

    - The largest vanished value: q^max, Bonferroni-adjusted over every distinct
      baseline value (``distinct``), not only the listed ones, since the listed
      values were picked for being frequent in the baseline, which is also what a
      value that happens to sit wholly on one side looks like. It finds one big
      value gone; with thousands of values of about 10 rows it never can.
    - The vanished rows together: S(tau), the rows of every value with at least
      tau pooled rows that landed wholly in the baseline. The observed V(tau)
      (listed values of >= tau rows that vanished) is at most S(tau), so the
      upper tail of any bound on S(tau)'s null law at V(tau) is a valid p-value.
      The law needs every value that *could* count in some split, listed or not:
      the baseline's listed values (t = b + c known exactly); the current
      batch's listed ``outsiders``, of t in [c, c + B] where B =
      ``unlisted_baseline`` bounds an unlisted value's baseline rows (the K-th
      count, 0 for a complete list), whose t * Bernoulli(q^t) is stochastically
      below (c + B) * Bernoulli(q^max(c, tau)); and values on neither list, of
      t <= B + C (C = ``unlisted_current``, the same bound for the current
      side). Those count only when tau <= B + C. Each has t - 2 or more rows
      beyond its first on either side, and the two sides' unlisted values hold
      ``unlisted_repeats`` such rows in all (rows outside the list minus values
      outside it, per side), so at most m = repeats / (tau - 2) of them exist,
      together below (B + C) * Binomial(m, q^tau). With tau = B + C + 1 the
      third group is empty (exact but few values count); lower tau counts more
      values but must bound more. tau is tried on a short grid (3, 4, 6, 8,
      12, ... below B + C + 1, and B + C + 1), Bonferroni over the grid.

    Re-cased countries (142 of 12 rows, about 6 a half) make all 50 listed
    vanish, 2^-6 or less each; the largest alone (142 / 2^10) shows nothing.
    The power ends where the lists do: when the K-th counts are 2 or 3 rows (the
    2,674 airport cities over 1,688 rows at top_k 50) the unlisted values may
    hold as many rows as most listed ones, and only a larger top_k tells a
    re-case from chance. The clumps are treated as independent: the split draws
    rows without replacement, which makes them negatively associated, and the
    null simulation in the tests checks the p-value stays conservative on real
    tables. The repeats are exact below a million distinct values (above it the
    profile's distinct count is an estimate).
    """
    if n_baseline == 0 or n_current == 0:
        return StatResult(statistic=0.0, pvalue=1.0)
    pairs = list(zip(baseline, current, strict=True))
    vanished = [b for b, c in pairs if b > 0 and c == 0]
    if not vanished:
        return StatResult(statistic=0.0, pvalue=1.0)
    q = n_baseline / (n_baseline + n_current)
    largest = min(1.0, max(distinct, len(baseline), 1) * q ** max(vanished))
    exact = unlisted_baseline + unlisted_current + 1
    grid = [tau for tau in _TAU_GRID if tau < exact] + [exact]
    together = 1.0
    for tau in grid:
        observed = sum(b for b, c in pairs if c == 0 and b >= tau)
        if not observed:
            continue
        clumps = [(b + c, q ** (b + c)) for b, c in pairs if b + c >= tau]
        clumps += [
            (c + unlisted_baseline, q ** max(c, tau))
            for c in outsiders
            if c + unlisted_baseline >= tau
        ]
        neither = (unlisted_repeats // (tau - 2), exact - 1, q**tau) if tau < exact else None
        together = min(together, _clumped_tail(clumps, observed, neither))
    pvalue = min(1.0, 2 * min(largest, together * len(grid)))
    return StatResult(statistic=sum(vanished) / n_baseline, pvalue=pvalue)


# Thresholds the joint vanishing test tries below its exact one: 3 and 4 times
# powers of two (tau - 2 >= 1 rows beyond the first two bound the values).
_TAU_GRID = sorted({base << k for base in (3, 4) for k in range(40)})


def unseen_share_test(
    baseline: Sequence[int],
    current: Sequence[int],
    new: Sequence[int],
    new_rest: int,
    n_current: int,
) -> StatResult:
    """Share of current rows in values a complete baseline list never had, beyond
    what chance puts there, with the exact one-sided p-value.

    Conditional on both sides' rows pooled, a value with t rows in all lands
    wholly in the current batch with probability p^t, p = n_c / (n_b + n_c),
    and its t rows then count as new. So over every pooled value (the
    baseline's, with t = its rows on both sides, and the new ones, with t = their
    current rows) the new rows are a sum of independent t * Bernoulli(p^t); the
    p-value is its exact upper tail at the observed count, by convolution. With
    one-row values and equal sides its mean is Good-Turing's singleton estimate;
    unlike a row-level 2 x 2 test it knows that new values come in clumps: one
    car model's 5 rows are all new with probability 1/32, not "p < 0.0001", and
    a clump of 1,348 rows is never new by chance. ``new`` holds the current
    counts of the new values the current batch listed, ``new_rest`` its other
    new rows, counted as one-row values (the least clumped: toward alerting).
    """
    n_baseline = sum(baseline)
    observed = sum(new) + new_rest
    if n_current == 0 or n_baseline == 0:
        return StatResult(statistic=0.0, pvalue=1.0)
    p = n_current / (n_baseline + n_current)
    totals = [b + c for b, c in zip(baseline, current, strict=True) if b + c] + list(new)
    expected = sum(t * p**t for t in totals) + new_rest * p
    excess = max(observed - expected, 0.0) / n_current
    clumps = [(t, p**t) for t in totals]
    singles = (new_rest, 1, p)
    return StatResult(statistic=excess, pvalue=_clumped_tail(clumps, observed, singles))


# Clumps less likely than this to land wholly on one side are left out
# of the convolution; their probabilities are added to the p-value instead.
_NEGLIGIBLE = 1e-12
# Largest sum the convolution tracks (an array of this many floats per value).
_EXACT_REACH = 200_000


def _clumped_tail(
    clumps: Sequence[tuple[int, float]],
    observed: int,
    group: tuple[int, int, float] | None = None,
) -> float:
    """P(sum of t * Bernoulli(chance) over ``clumps`` of (t, chance), plus g *
    Binomial(m, chance) for a ``group`` of m equal clumps of g rows, >= observed).

    Exact by convolution while the sums stay below ``_EXACT_REACH``. Past it
    (a batch that dwarfs its baseline, so clumps of many thousand rows may land
    wholly in it) rows are counted in units of u: each clump rounded up to whole
    units and the group's share bounded by the most the clumps could hold, an
    upper bound on the tail (never fewer false alarms than the exact test avoids).
    """
    if observed <= 0:
        return 1.0
    likely = [(t, chance) for t, chance in clumps if chance >= _NEGLIGIBLE]
    slack = sum(chance for _, chance in clumps if chance < _NEGLIGIBLE)
    unit = max(1, math.ceil(min(sum(t for t, _ in likely), observed) / _EXACT_REACH))
    needed_units = math.ceil(observed / unit)
    reach = min(sum(math.ceil(t / unit) for t, _ in likely), needed_units)
    dist = np.zeros(reach + 1)
    dist[0] = 1.0
    for t, chance in likely:
        size = math.ceil(t / unit)
        shifted = np.zeros_like(dist)
        if size <= reach:
            shifted[size:] = dist[: reach + 1 - size]
            # Sums past ``reach`` count as reaching it (all that matters is ">=").
            shifted[reach] += dist[reach + 1 - size :].sum()
        else:
            shifted[reach] = dist.sum()
        dist = dist * (1 - chance) + shifted * chance
    held = np.arange(reach + 1) * unit
    m, g, each = group or (0, 1, 0.0)
    needed = -(-np.maximum(observed - held, 0) // g)  # whole clumps of the group
    # P(Binomial(m, each) >= needed); scipy.special's bdtrc is NaN past n, where
    # the tail is 0, hence the clip.
    tail = np.where(needed == 0, 1.0, bdtrc(np.minimum(needed - 1, m), m, each))
    if reach == needed_units:
        tail[reach] = 1.0
    return float(min(1.0, (dist * tail).sum() + slack))
