"""Regroup a fine equi-depth histogram into fewer equi-depth groups."""

from __future__ import annotations

import math

from drift_assets.stattests.registry import Counts, aligned


def equi_depth_groups(
    baseline: Counts, current: Counts, groups: int
) -> tuple[list[int], list[int]]:
    """Merge adjacent bins so each group holds about 1/``groups`` of the baseline.

    PSI's usual thresholds (0.1 / 0.25) were set for about ten equi-depth bins,
    and its value under pure sampling noise grows with the bin count (about
    (k - 1) * (1/n + 1/m)): over 100 bins two halves of the same 2,000 rows
    already score ~0.2, over 10 bins ~0.02. Bins are only ever merged whole, so a
    bin holding many tied values stays one group, and groups empty on both
    sides are dropped. An empty baseline has no quantiles to group by: its
    counts come back as they are (and the tests call them not comparable).
    """
    b, c = aligned(baseline, current)
    total = sum(b)
    if total == 0:
        return b, c
    merged_b = [0] * groups
    merged_c = [0] * groups
    seen = 0
    for bi, ci in zip(b, c, strict=True):
        seen += bi
        # The group of the baseline quantile at which this bin ends; the small
        # tolerance keeps a bin ending exactly on a decile out of the next group.
        index = min(max(math.ceil(seen / total * groups - 1e-9) - 1, 0), groups - 1)
        merged_b[index] += bi
        merged_c[index] += ci
    kept = [i for i in range(groups) if merged_b[i] or merged_c[i]]
    return [merged_b[i] for i in kept], [merged_c[i] for i in kept]
