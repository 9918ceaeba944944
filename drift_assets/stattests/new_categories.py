"""Share of rows outside the baseline's listed values, and what the baseline predicts it to be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drift_assets.stattests.chi_square import chi_square
from drift_assets.stattests.registry import StatResult


def expected_outside(listed: Sequence[int], other: int, complete: bool) -> float:
    """Leave-one-out (Good-Turing) count of baseline rows that fall outside the listed values.

    The baseline's listed values were chosen *from the baseline itself*, so a
    fresh sample from the same distribution lands outside them more often than
    the baseline's own rows did: a long tail keeps producing values never seen
    (Good-Turing: about as many as the baseline's singletons), and values that
    only just made the top K did so partly by luck. Leaving each baseline row
    out in turn and asking whether its value would still be listed estimates
    that share without bias. A listed value of count c stays listed without
    one of its rows when c - 1 beats the best unlisted count: 0 when the list is
    complete (so singletons drop out), else at most min(K-th count, other)
    since the profile does not keep it (a tie counts half). Taking that upper
    bound errs toward a larger expected share, i.e. toward fewer alerts.
    """
    if complete:
        return other + sum(c for c in listed if c == 1)
    best_unlisted = min(min(listed, default=0), other)
    dropped = 0.0
    for c in listed:
        if c - 1 < best_unlisted:
            dropped += c
        elif c - 1 == best_unlisted:
            dropped += c / 2
    return other + dropped


def tail_share_test(
    listed: Sequence[int],
    other: int,
    complete: bool,
    current_outside: int,
    n_current: int,
) -> StatResult:
    """Excess share of current rows in the column's tail over what the baseline
    predicts for a batch of the current size (never negative), with the p-value
    of the 2 x 2 chi-square of tail vs the rest, baseline vs current.

    With a complete baseline list the tail is the rows in values the baseline
    never had, and the baseline's prediction is its Good-Turing unseen share
    (its singletons, see ``expected_outside``), whatever the current size.

    Otherwise the tail is *each side's own* share outside its own top K
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
    if n_current == 0 or n_baseline == 0:
        return StatResult(statistic=0.0, pvalue=1.0)
    upper = expected_outside(listed, other, complete)
    if complete:
        expected = upper
    else:
        growth = max(0.0, 1 - n_baseline / n_current)
        expected = other + (upper - other) * growth
    excess = max(current_outside / n_current - expected / n_baseline, 0.0)
    rounded = int(expected + 0.5)
    pvalue = chi_square(
        (n_baseline - rounded, rounded), (n_current - current_outside, current_outside)
    ).pvalue
    return StatResult(statistic=excess, pvalue=pvalue)


def expected_tail_share(listed: Sequence[int], other: int, complete: bool, n_current: int) -> float:
    """The share of a current batch of ``n_current`` rows that ``tail_share_test``
    expects in the tail (for reports)."""
    n_baseline = sum(listed) + other
    if n_baseline == 0:
        return 0.0
    upper = expected_outside(listed, other, complete)
    if complete:
        return upper / n_baseline
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
    noisy to show it.
    """
    if not outsiders:
        return OutsiderGrowth(statistic=0.0, pvalue=1.0)
    n_baseline = sum(listed) + other
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
) -> StatResult:
    """Share of baseline rows in listed values that the current batch does not
    have at all, with the p-value that the largest of them vanished by chance.

    ``baseline`` and ``current`` are the two sides' counts of the baseline's
    listed values, ``n_baseline`` and ``n_current`` their non-null rows. Given a
    value's t rows over both sides, each row lands in the baseline with
    probability q = n_b / (n_b + n_c), so all t landing there has
    probability q^t (a one-sided exact binomial test). That is Bonferroni-adjusted
    over every distinct baseline value (``distinct``), not only the listed ones:
    the listed values were picked for being frequent in the baseline, which is
    also what a value that happens to sit wholly on one side looks like.
    """
    if n_baseline == 0 or n_current == 0:
        return StatResult(statistic=0.0, pvalue=1.0)
    vanished = [b for b, c in zip(baseline, current, strict=True) if b > 0 and c == 0]
    if not vanished:
        return StatResult(statistic=0.0, pvalue=1.0)
    q = n_baseline / (n_baseline + n_current)
    pvalue = min(1.0, max(distinct, len(baseline), 1) * q ** max(vanished))
    return StatResult(statistic=sum(vanished) / n_baseline, pvalue=pvalue)
