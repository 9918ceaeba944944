"""Two-sample Kolmogorov-Smirnov distance and p-value from counts at shared edges."""

from __future__ import annotations

from itertools import accumulate

from scipy.stats import kstwo

from drift_assets.stattests.registry import Counts, StatResult, aligned, register


@register("ks", title="Kolmogorov-Smirnov", kinds=("numeric",), tiers="ks_distance")
def ks(baseline: Counts, current: Counts) -> StatResult:
    """D = max_i |F_b(e_i) - F_c(e_i)| over the cumulative counts at shared edges.

    Both empirical CDFs are known exactly at the baseline's edges, so D is the
    exact two-sample KS distance restricted to those points: never above the raw
    statistic, and with about 100 equi-depth edges within a few thousandths of
    it for continuous data. D lies in [0, 1] and does not depend on the units.
    The p-value is the one ``scipy.stats.ks_2samp(method="asymp")`` gives:
    Kolmogorov's two-sided distribution with n_eff = n * m / (n + m), rounded.
    For discrete data it is conservative (it over-states the p-value).
    """
    b, c = aligned(baseline, current)
    nb, nc = sum(b), sum(c)
    distance = max(
        abs(fb / nb - fc / nc) for fb, fc in zip(accumulate(b), accumulate(c), strict=True)
    )
    n_eff = round(nb * nc / (nb + nc))
    pvalue = float(kstwo.sf(distance, max(n_eff, 1)))
    return StatResult(statistic=distance, pvalue=min(max(pvalue, 0.0), 1.0))
