"""All three drift check families over one profile, in their fixed order."""

from __future__ import annotations

from drift_assets.checks import distribution_shift, null_rate, schema_change
from drift_assets.checks.outcome import CheckOutcome
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy


def evaluate_all(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> tuple[CheckOutcome, CheckOutcome, CheckOutcome]:
    """Schema change, null rate and distribution shift, in that order."""
    return (
        schema_change.evaluate(current, baseline, policy),
        null_rate.evaluate(current, baseline, policy),
        distribution_shift.evaluate(current, baseline, policy),
    )
