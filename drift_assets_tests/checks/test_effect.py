"""An effect's severity: its tier, when significant; an ERROR needs ten times the
evidence of a WARN."""

from __future__ import annotations

import pytest

from drift_assets.checks.effect import Effect
from drift_assets.checks.outcome import Severity
from drift_assets.settings.policy import Tiers

MEAN_SHIFT = Tiers(warn=0.1, error=0.35)


@pytest.mark.parametrize(
    ("value", "pvalue", "severity", "headline"),
    [
        # at the error tier with p below 0.01 / 10: ERROR
        (0.5, 0.0009, Severity.ERROR, "mean +0.50 SD (error at 0.35)"),
        # at the error tier, significant but not ten times over: WARN, said as such
        (0.5, 0.005, Severity.WARN, "mean +0.50 SD (warn at 0.1)"),
        # the boundary itself is not below a tenth of the significance: WARN
        (0.5, 0.001, Severity.WARN, "mean +0.50 SD (warn at 0.1)"),
        # at the warn tier, significant: WARN
        (0.2, 0.005, Severity.WARN, "mean +0.20 SD (warn at 0.1)"),
        # not significant: no severity; the headline names the tier it reached
        (0.5, 0.02, None, "mean +0.50 SD (error at 0.35)"),
        # no p-value (not comparable): never a severity
        (0.5, None, None, "mean +0.50 SD (error at 0.35)"),
    ],
)
def test_severity_needs_the_tier_and_its_evidence(value, pvalue, severity, headline):
    effect = Effect("mean_shift_sd", value, MEAN_SHIFT, pvalue, "z-test", significance=0.01)
    assert effect.severity == severity
    assert effect.headline == headline
