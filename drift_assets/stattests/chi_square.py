"""Two-sample chi-square test of homogeneity on the 2 x k table of counts."""

from __future__ import annotations

import numpy as np
from scipy.special import chdtrc

from drift_assets.stattests.registry import Counts, StatResult, register


@register("chi_square", title="chi-square", kinds=("categorical",), tiers=None, gates=True)
def chi_square(baseline: Counts, current: Counts) -> StatResult:
    """Pearson's chi-square of the 2 x k table [baseline; current], the value and
    p-value of ``scipy.stats.chi2_contingency`` (Yates-corrected when k = 2).

    Both rows are samples, so the baseline's own sampling noise is accounted for;
    testing current counts against baseline proportions taken as exact
    (``scipy.stats.chisquare``) raises false alarms on unshifted high-cardinality
    columns. Categories empty on both sides carry no information and would make
    an expected count zero, so they are dropped; with fewer than two categories
    left (one category, a constant column) the samples cannot differ (statistic
    0, p-value 1). Disjoint supports give the largest statistic the sample sizes
    allow (p-value near 0 with enough rows, 1 for one row on each side). A side
    with no counted value is not comparable (see ``StatTest``). The statistic
    grows with the sample size: use the p-value, never the statistic, as a
    threshold.
    """
    table = np.array([baseline, current], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    categories = table.shape[1]
    if categories < 2:
        return StatResult(statistic=0.0, pvalue=1.0)
    expected = np.outer(table.sum(axis=1), table.sum(axis=0)) / table.sum()
    if categories == 2:
        # Yates' continuity correction, as chi2_contingency applies it for one
        # degree of freedom: move each count half a unit toward its expectation.
        diff = expected - table
        table = table + np.sign(diff) * np.minimum(0.5, np.abs(diff))
    statistic = float(((table - expected) ** 2 / expected).sum())
    return StatResult(statistic=statistic, pvalue=float(chdtrc(categories - 1, statistic)))
