"""Two frames through the real profiler and all three check families, as a run does."""

from __future__ import annotations

import pandas as pd

from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import CheckOutcome, ColumnFinding
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.policy import DriftPolicy


def judge(
    baseline: pd.DataFrame, current: pd.DataFrame, policy: DriftPolicy | None = None
) -> dict[str, CheckOutcome]:
    """The outcomes by check name, the current batch profiled against the baseline."""
    policy = policy or DriftPolicy()
    base = profile_dataframe(baseline.reset_index(drop=True), "real", top_k=policy.top_k)
    now = profile_dataframe(
        current.reset_index(drop=True), "real", reference=base, top_k=policy.top_k
    )
    return {outcome.check: outcome for outcome in evaluate_all(now, base, policy)}


def findings(outcome: CheckOutcome) -> dict[str, ColumnFinding]:
    return {finding.column: finding for finding in outcome.columns}


def halves(frame: pd.DataFrame, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Two random halves of a table's rows."""
    shuffled = frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)
    half = len(shuffled) // 2
    return shuffled.iloc[:half].reset_index(drop=True), shuffled.iloc[half:].reset_index(drop=True)
