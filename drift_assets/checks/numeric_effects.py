"""The effect sizes of a numeric column: the registered count tests (PSI, KS
distance), the mean shift and the std change."""

from __future__ import annotations

from drift_assets.checks.effect import Effect, Metrics
from drift_assets.profiling.dataset_profile import ColumnProfile
from drift_assets.settings.policy import DistributionPolicy
from drift_assets.stattests import effect_sizes, gate, mean_shift_pvalue, mean_shift_sd, std_change
from drift_assets.stattests.binning import equi_depth_groups


def numeric_effects(
    column: ColumnProfile,
    base: ColumnProfile,
    baseline_counts: tuple[int, ...],
    current_counts: tuple[int, ...],
    policy: DistributionPolicy,
) -> tuple[list[Effect], Metrics]:
    """The registered effect sizes and the std change gated by the registered
    gate's p-value (KS); the mean shift (in baseline SDs) by a z-test of the
    means, far more powerful against a pure location shift."""
    now, then = column.numeric, base.numeric
    assert now is not None and then is not None
    alpha = policy.significance
    gating = gate("numeric")
    gated = gating(baseline_counts, current_counts)
    grouped = equi_depth_groups(baseline_counts, current_counts, policy.psi_bins)
    effects: list[Effect] = []
    metrics: Metrics = {}
    for test in effect_sizes("numeric"):
        assert test.tiers is not None
        counts = grouped if test.grouped else (baseline_counts, current_counts)
        result = gated if test is gating else test(*counts)
        tiers = getattr(policy, test.tiers)
        effects.append(
            Effect(test.name, result.statistic, tiers, gated.pvalue, gating.title, alpha)
        )
        metrics[test.tiers] = result.statistic
    metrics[f"{gating.name}_pvalue"] = gated.pvalue
    shift = mean_shift_sd(then.mean, then.std, now.mean)
    shift_pvalue = mean_shift_pvalue(
        then.mean, then.std, sum(baseline_counts), now.mean, now.std, sum(current_counts)
    )
    spread = std_change(then.std, now.std)
    if shift is not None:
        effects.append(
            Effect("mean_shift_sd", shift, policy.mean_shift_sd, shift_pvalue, "mean z-test", alpha)
        )
    if spread is not None:
        effects.append(
            Effect("std_change", spread, policy.std_change, gated.pvalue, gating.title, alpha)
        )
    metrics |= {"mean_shift_sd": shift, "mean_shift_pvalue": shift_pvalue, "std_change": spread}
    return effects, metrics
