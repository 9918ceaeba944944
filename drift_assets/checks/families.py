"""All check families over one batch, in their fixed order: the three drift
families against the baseline profile, then row_count against the history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from drift_assets.checks import distribution_shift, null_rate, row_count, schema_change
from drift_assets.checks.containment import evaluate_family
from drift_assets.checks.outcome import (
    DISTRIBUTION_SHIFT,
    NULL_RATE,
    ROW_COUNT,
    SCHEMA_CHANGE,
    CheckOutcome,
)
from drift_assets.checks.row_count import BatchVolume
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy


def evaluate_all(
    current: DatasetProfile,
    baseline: DatasetProfile | None,
    policy: DriftPolicy,
    history: Sequence[BatchVolume] | None = None,
    batch_time: datetime | None = None,
) -> tuple[CheckOutcome, ...]:
    """Schema change, null rate and distribution shift, in that order, then row
    count when a ``history`` of healthy batches is given (a dataset's batches have
    one, a comparison of two files has not) and the policy enables it; the batch
    is placed at ``batch_time`` (a partition's start) or else when it was profiled.
    A family
    that raises is that family's ERROR outcome and the others still run."""
    drift = (
        evaluate_family(SCHEMA_CHANGE, lambda: schema_change.evaluate(current, baseline, policy)),
        evaluate_family(NULL_RATE, lambda: null_rate.evaluate(current, baseline, policy)),
        evaluate_family(
            DISTRIBUTION_SHIFT, lambda: distribution_shift.evaluate(current, baseline, policy)
        ),
    )
    if history is None or not policy.row_count.enabled:
        return drift
    volume = evaluate_family(
        ROW_COUNT, lambda: row_count.evaluate(current, history, policy, at=batch_time)
    )
    return (*drift, volume)
