"""Share of rows outside the baseline's listed values, and what the baseline predicts it to be."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from drift_assets.stattests.chi_square import chi_square
from drift_assets.stattests.registry import StatResult, empty_side


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


def outside_share_test(
    baseline_outside: float, n_baseline: int, current_outside: int, n_current: int
) -> StatResult:
    """Excess share of current rows outside the listed values over what the
    baseline predicts (never negative), with the p-value of the 2 x 2 chi-square
    of inside vs outside, baseline (leave-one-out) vs current. An empty side is
    not comparable (see ``StatTest``)."""
    reason = empty_side((n_baseline,), (n_current,))
    if reason is not None:
        return StatResult(statistic=0.0, pvalue=None, not_comparable=reason)
    excess = max(current_outside / n_current - baseline_outside / n_baseline, 0.0)
    expected = int(baseline_outside + 0.5)
    pvalue = chi_square(
        (n_baseline - expected, expected), (n_current - current_outside, current_outside)
    ).pvalue
    return StatResult(statistic=excess, pvalue=pvalue)


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
