"""Two-sample chi-square test of homogeneity on the 2 x k table of counts."""

from __future__ import annotations

import numpy as np
from scipy.stats import chi2_contingency

from drift_assets.stattests.registry import Counts, StatResult, aligned, register


@register("chi_square", title="chi-square contingency", kinds=("categorical",), tiers=None)
def chi_square(baseline: Counts, current: Counts) -> StatResult:
    """Pearson's chi-square of the 2 x k table [baseline; current], via
    ``scipy.stats.chi2_contingency`` (Yates-corrected when k = 2).

    Both rows are samples, so the baseline's own sampling noise is accounted for;
    testing current counts against baseline proportions taken as exact
    (``scipy.stats.chisquare``) raises false alarms on unshifted high-cardinality
    columns. Categories empty on both sides carry no information and would make
    an expected count zero, so they are dropped; with fewer than two categories
    left the samples cannot differ (statistic 0, p-value 1). The statistic grows
    with the sample size: use the p-value, never the statistic, as a threshold.
    """
    b, c = aligned(baseline, current)
    table = np.array([b, c], dtype=float)
    table = table[:, table.sum(axis=0) > 0]
    if table.shape[1] < 2:
        return StatResult(statistic=0.0, pvalue=1.0)
    result = chi2_contingency(table)
    return StatResult(statistic=float(result.statistic), pvalue=float(result.pvalue))
