"""The effect sizes of a numeric column: PSI, KS distance, mean shift and std change."""

from __future__ import annotations

from drift_assets.checks.effect import Effect, Metrics
from drift_assets.profiling.dataset_profile import ColumnProfile
from drift_assets.settings.policy import DistributionPolicy
from drift_assets.stattests import ks, mean_shift_pvalue, mean_shift_sd, psi, std_change
from drift_assets.stattests.binning import equi_depth_groups


def numeric_effects(
    column: ColumnProfile,
    base: ColumnProfile,
    baseline_counts: tuple[int, ...],
    current_counts: tuple[int, ...],
    policy: DistributionPolicy,
) -> tuple[list[Effect], Metrics]:
    """PSI, KS distance and std change gated by the KS p-value; the mean shift (in
    baseline SDs) by a z-test of the means, far more powerful against a pure
    location shift."""
    now, then = column.numeric, base.numeric
    assert now is not None and then is not None
    distance = ks(baseline_counts, current_counts)
    stability = psi(*equi_depth_groups(baseline_counts, current_counts, policy.psi_bins))
    shift = mean_shift_sd(then.mean, then.std, now.mean)
    shift_pvalue = mean_shift_pvalue(
        then.mean, then.std, sum(baseline_counts), now.mean, now.std, sum(current_counts)
    )
    spread = std_change(then.std, now.std)
    alpha = policy.significance
    effects = [
        Effect("psi", stability.statistic, policy.psi, distance.pvalue, "KS", alpha),
        Effect("ks", distance.statistic, policy.ks_distance, distance.pvalue, "KS", alpha),
    ]
    if shift is not None:
        effects.append(
            Effect("mean_shift_sd", shift, policy.mean_shift_sd, shift_pvalue, "mean z-test", alpha)
        )
    if spread is not None:
        effects.append(
            Effect("std_change", spread, policy.std_change, distance.pvalue, "KS", alpha)
        )
    metrics: Metrics = {
        "psi": stability.statistic,
        "ks_distance": distance.statistic,
        "ks_pvalue": distance.pvalue,
        "mean_shift_sd": shift,
        "mean_shift_pvalue": shift_pvalue,
        "std_change": spread,
    }
    return effects, metrics
