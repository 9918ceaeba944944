"""Jensen-Shannon distance (base 2) over aligned category counts."""

from __future__ import annotations

import math

from drift_assets.stattests.registry import Counts, StatResult, register


@register("js", title="JS distance", kinds=("categorical",), tiers="js_distance")
def jensen_shannon(baseline: Counts, current: Counts) -> StatResult:
    """sqrt((KL(b || m) + KL(c || m)) / 2) with m = (b + c) / 2, logarithms base 2.

    A true metric, symmetric and bounded in [0, 1]: 0 for identical shares (one
    category, a constant column), 1 for disjoint supports (every value new, every
    value vanished). Finite without any epsilon since m is never zero where b or
    c is not. Same value as ``scipy.spatial.distance.jensenshannon(b, c, base=2)``.
    Being a square root, it is large relative to PSI for small shifts (PSI ~ 5.5
    * JS^2). A side with no counted value is not comparable (see ``StatTest``).
    """
    nb, nc = sum(baseline), sum(current)
    divergence = 0.0
    for bi, ci in zip(baseline, current, strict=True):
        p, q = bi / nb, ci / nc
        m = (p + q) / 2
        if p:
            divergence += p * math.log2(p / m) / 2
        if q:
            divergence += q * math.log2(q / m) / 2
    # Rounding can leave a divergence of -1e-17 for identical inputs, or 1 + 1e-16
    # for disjoint ones.
    return StatResult(statistic=min(math.sqrt(max(divergence, 0.0)), 1.0))
