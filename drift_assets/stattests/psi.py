"""Population Stability Index (PSI) over aligned bin counts."""

from __future__ import annotations

import math

from drift_assets.stattests.registry import Counts, StatResult, register

# An empty bin would make ln(p / q) infinite. Flooring each proportion at 1e-4
# (the value evidently and most scorecard tooling use) keeps PSI finite and still
# large for mass that appears where there was none: a category holding 2% of the
# current rows and absent from the baseline adds 0.02 * ln(0.02 / 1e-4) ~ 0.106.
EPSILON = 1e-4


@register("psi", title="PSI", kinds=("numeric", "categorical"), tiers="psi", grouped=True)
def psi(baseline: Counts, current: Counts) -> StatResult:
    """PSI = sum_i (c_i - b_i) * ln(c_i / b_i) over bin proportions b, c.

    Symmetric, never negative, 0 only for identical proportions; it is the
    Jeffreys divergence of the binned distributions. Rule of thumb (Siddiqi,
    2006, for about ten equi-depth bins): below 0.1 stable, 0.1 to 0.25 a
    moderate shift, above 0.25 a major one. It has no p-value and grows with the
    number of bins under pure sampling noise (about (k - 1) * (1/n + 1/m)), so
    it is judged together with a significance test, never alone. One bin (a
    constant column) gives 0; disjoint supports give the largest value the floor
    allows, (1 - 1e-4) * ln(1e4) * 2 ~ 18.4 for all mass moved out of one bin
    into another. A side with no counted value is not comparable (see ``StatTest``).
    """
    nb, nc = sum(baseline), sum(current)
    total = 0.0
    for bi, ci in zip(baseline, current, strict=True):
        p, q = max(bi / nb, EPSILON), max(ci / nc, EPSILON)
        total += (q - p) * math.log(q / p)
    return StatResult(statistic=total)
