"""All three drift check families over one profile, in their fixed order."""

from __future__ import annotations

from drift_assets.checks import distribution_shift, null_rate, schema_change
from drift_assets.checks.containment import evaluate_family
from drift_assets.checks.outcome import (
    DISTRIBUTION_SHIFT,
    NULL_RATE,
    SCHEMA_CHANGE,
    CheckOutcome,
)
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy


def evaluate_all(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> tuple[CheckOutcome, CheckOutcome, CheckOutcome]:
    """Schema change, null rate and distribution shift, in that order; a family
    that raises is that family's ERROR outcome and the others still run."""
    return (
        evaluate_family(SCHEMA_CHANGE, lambda: schema_change.evaluate(current, baseline, policy)),
        evaluate_family(NULL_RATE, lambda: null_rate.evaluate(current, baseline, policy)),
        evaluate_family(
            DISTRIBUTION_SHIFT, lambda: distribution_shift.evaluate(current, baseline, policy)
        ),
    )
