"""Random halves of real tables: how often does an unchanged column alert?

Each split shuffles a table's rows, takes the first half as the baseline and
the second as the current batch, profiles both with the real profiler (the
current one against the baseline, as a run does) and evaluates all three check
families with the default policy. Both halves come from the same rows, so every
alert is a false alarm. A column-split alerts at the worst severity any family
gave that column.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import Severity
from drift_assets.checks.verdict import rank
from drift_assets.profiling.dataset_profile import ColumnProfile, LogicalType
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.policy import DriftPolicy

KINDS = ("numeric", "low-cardinality text", "high-cardinality text", "datetime", "boolean")


def column_kind(column: ColumnProfile) -> str | None:
    """The kind a whole table's column is reported under (None: an ID, not tested)."""
    if column.skip_reason:
        return None
    kind = column.logical_type
    if kind is LogicalType.BOOLEAN:
        return "boolean"
    if kind in (LogicalType.DATE, LogicalType.DATETIME, LogicalType.DATETIME_TZ):
        return "datetime"
    if kind.is_numeric:
        return "numeric"
    if kind is LogicalType.STRING and column.categorical is not None:
        return "low-cardinality text" if column.categorical.complete else "high-cardinality text"
    return None


@dataclass
class Tally:
    """Column-splits per kind, how many alerted at WARN or worse, and at ERROR."""

    column_splits: Counter[str] = field(default_factory=Counter)
    warn: Counter[str] = field(default_factory=Counter)
    error: Counter[str] = field(default_factory=Counter)
    # (table, column, severity, finding summary) of every alert, for the report.
    alerts: list[tuple[str, str, str, str]] = field(default_factory=list)
    # Splits whose evaluation raised (each would be a traceback for a user).
    crashes: int = 0

    def merge(self, other: Tally) -> None:
        self.crashes += other.crashes
        self.column_splits.update(other.column_splits)
        self.warn.update(other.warn)
        self.error.update(other.error)
        self.alerts.extend(other.alerts)


def split_table(
    name: str,
    frame: pd.DataFrame,
    splits: int,
    seed: int,
    policy: DriftPolicy | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> Tally:
    """``splits`` random halves of one table, tallied by column kind (only the
    columns of ``kinds``; a table without any is not split)."""
    policy = policy or DriftPolicy()
    whole = profile_dataframe(frame, name, top_k=policy.top_k)
    counted = {c.name: column_kind(c) for c in whole.columns}
    kinds_of = {column: kind for column, kind in counted.items() if kind in kinds}
    if not kinds_of:
        return Tally()
    rng = np.random.default_rng(seed)
    tally = Tally()
    half = len(frame) // 2
    for _ in range(splits):
        order = rng.permutation(len(frame))
        baseline_rows = frame.iloc[order[:half]].reset_index(drop=True)
        current_rows = frame.iloc[order[half : 2 * half]].reset_index(drop=True)
        baseline = profile_dataframe(baseline_rows, name, top_k=policy.top_k)
        current = profile_dataframe(current_rows, name, reference=baseline, top_k=policy.top_k)
        worst: dict[str, tuple[Severity, str]] = {}
        try:
            outcomes = evaluate_all(current, baseline, policy)
        except Exception:  # counted, so a crash shows in the table instead of stopping it
            tally.crashes += 1
            continue
        for outcome in outcomes:
            for finding in outcome.failed_columns:
                if finding.severity is None:
                    continue
                known = worst.get(finding.column)
                if known is None or rank(finding.severity) > rank(known[0]):
                    worst[finding.column] = (
                        finding.severity,
                        f"{outcome.check}: {finding.summary}",
                    )
        for column, kind in kinds_of.items():
            tally.column_splits[kind] += 1
            if column in worst:
                severity, summary = worst[column]
                tally.warn[kind] += 1
                if severity is Severity.ERROR:
                    tally.error[kind] += 1
                tally.alerts.append((name, column, severity.value, summary))
    return tally


def calibrate(
    tables: Iterable[tuple[str, pd.DataFrame]],
    splits: int,
    seed: int,
    policy: DriftPolicy | None = None,
    kinds: tuple[str, ...] = KINDS,
) -> Tally:
    """Every table's splits, tallied together (each table draws its own seed)."""
    total = Tally()
    for offset, (name, frame) in enumerate(tables):
        total.merge(split_table(name, frame, splits, seed + offset, policy, kinds))
    return total
