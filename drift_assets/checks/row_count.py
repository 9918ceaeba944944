"""Row count: the batch's volume against the usual volume of recent healthy batches.

One earlier batch cannot say what is usual, so this family reads a history, not
a baseline profile: the row counts of the last ``window`` healthy batches. The
usual count is their median, which one odd batch in the history does not move,
and the spread is their median absolute deviation (MAD) scaled to a standard
deviation. The spread is never taken below sqrt(median), the Poisson spread any
count of independent rows has: with identical counts (MAD 0) one row less would
otherwise be an infinite deviation. A count fails when its relative change
reaches a tier *and* the history's own spread cannot explain it; a history too
short to say what is usual is reported as still learning, with what it needs.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from drift_assets.checks.outcome import ROW_COUNT, CheckOutcome, Severity
from drift_assets.checks.verdict import plural, tier_threshold
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy, RowCountPolicy
from drift_assets.settings.times import as_utc

# MAD x 1.4826 estimates the standard deviation of normally distributed counts.
MAD_TO_SD = 1.4826


@dataclass(frozen=True)
class BatchVolume:
    """One healthy batch of a dataset's history: its row count and its time."""

    row_count: int
    at: datetime
    profile_id: int | None = None


@dataclass(frozen=True)
class UsualVolume:
    """What the compared batches say is usual."""

    median: float
    mad: float
    spread: float  # the robust standard deviation a count is judged by
    batches: int

    def change(self, rows: int) -> float:
        """Relative change from the median; from a median of 0 rows, per row."""
        return (rows - self.median) / max(self.median, 1.0)

    def deviation(self, rows: int) -> float:
        """Robust standard deviations from the median (the spread is at least 1)."""
        return (rows - self.median) / self.spread


def usual_volume(counts: Sequence[int]) -> UsualVolume:
    """Median, MAD and spread of at least one row count."""
    if not counts:
        raise ValueError("the usual volume needs at least one row count")
    median = statistics.median(counts)
    mad = statistics.median(abs(count - median) for count in counts)
    spread = max(MAD_TO_SD * mad, math.sqrt(max(median, 1)))
    return UsualVolume(float(median), float(mad), float(spread), len(counts))


def compared_batches(
    history: Sequence[BatchVolume], at: datetime, rules: RowCountPolicy
) -> list[BatchVolume]:
    """The newest ``window`` batches of the history, on the batch's weekday (UTC)
    only under ``seasonality: weekday``."""
    weekday = as_utc(at).weekday()
    newest_first = sorted(history, key=lambda b: as_utc(b.at), reverse=True)
    chosen = [
        b for b in newest_first if rules.seasonality == "none" or as_utc(b.at).weekday() == weekday
    ]
    return chosen[: rules.window]


def evaluate(
    current: DatasetProfile,
    history: Sequence[BatchVolume],
    policy: DriftPolicy,
    at: datetime | None = None,
) -> CheckOutcome:
    """Judge ``current``'s row count against ``history``, the dataset's healthy
    batches before it (any order); the batch is placed at ``at`` (a partition's
    start, which its history is dated by too) or else when it was profiled."""
    rules = policy.row_count
    rows = current.row_count
    at = as_utc(at if at is not None else current.profiled_at)
    thresholds = rules.model_dump(mode="json")
    compared = compared_batches(history, at, rules)
    metrics: dict[str, float | int] = {"row_count": rows, "history_batches": len(compared)}
    floor = _below_floor(rows, rules)

    if len(compared) < rules.min_history:
        learning = _learning(rows, len(compared), at, rules, first=not history)
        if floor:
            return CheckOutcome(
                ROW_COUNT, False, Severity.ERROR, f"{floor}; {learning}", metrics, (), thresholds
            )
        return CheckOutcome(ROW_COUNT, True, None, learning, metrics, (), thresholds)

    usual = usual_volume([b.row_count for b in compared])
    change, deviation = usual.change(rows), usual.deviation(rows)
    metrics.update(
        expected_row_count=usual.median,
        row_count_mad=usual.mad,
        row_count_change=change,
        row_count_deviation=deviation,
    )
    moved = "drop" if rows < usual.median else "rise" if rows > usual.median else None
    judged = moved is not None and rules.direction in (moved, "both")
    severity = _lower(rules.change.severity(abs(change)), rules.deviation.severity(abs(deviation)))
    severity = severity if judged else None
    against = _against(usual, at, rules)
    sds = f"{abs(deviation):.1f} robust SDs"

    if floor:
        description = f"{floor}; {_signed(change)} against {against}, {sds}"
        severity = Severity.ERROR
    elif severity is not None:
        verb, side = ("dropped", "below") if moved == "drop" else ("rose", "above")
        description = (
            f"row count {verb} {abs(change):.0%}: {rows:,} rows against {against},"
            f" {sds} {side} ({severity.value.lower()} tiers {_tiers_text(rules, severity)})"
        )
    else:
        description = f"{rows:,} rows, {_signed(change)} against {against}, {sds}"
        if moved is not None and not judged:
            description += f"; {moved}s are not judged (direction: {rules.direction})"
    return CheckOutcome(ROW_COUNT, severity is None, severity, description, metrics, (), thresholds)


def _below_floor(rows: int, rules: RowCountPolicy) -> str | None:
    if rows >= rules.min_rows:
        return None
    return f"{plural(rows, 'row')}, below min_rows {rules.min_rows:,}"


def _learning(rows: int, have: int, at: datetime, rules: RowCountPolicy, *, first: bool) -> str:
    """The first batches: what is known, and what the check needs to judge."""
    batches = "healthy batches" + (f" on a {at:%A}" if rules.seasonality == "weekday" else "")
    needed = (
        f"still learning the usual volume: {have} of the {rules.min_history} {batches}"
        " it needs before row counts are judged"
    )
    floor = f"; min_rows {rules.min_rows:,} holds meanwhile" if rules.min_rows else ""
    head = f"baseline recorded: {plural(rows, 'row')}" if first else plural(rows, "row")
    return f"{head}; {needed}{floor}"


def _against(usual: UsualVolume, at: datetime, rules: RowCountPolicy) -> str:
    on = f" on a {at:%A}" if rules.seasonality == "weekday" else ""
    return (
        f"the usual {usual.median:,.0f} (median of the last"
        f" {usual.batches:,} healthy batch{'' if usual.batches == 1 else 'es'}{on})"
    )


def _signed(change: float) -> str:
    return f"{change:+.1%}" if abs(change) < 10 else f"{change:+,.0%}"


def _tiers_text(rules: RowCountPolicy, severity: Severity) -> str:
    change = tier_threshold(rules.change, severity) or 0.0
    deviation = tier_threshold(rules.deviation, severity) or 0.0
    return f"{change:.0%} and {deviation:g} SDs"


def _lower(a: Severity | None, b: Severity | None) -> Severity | None:
    """Both measures must reach a tier; the severity is the lower one."""
    if a is None or b is None:
        return None
    return a if a.rank <= b.rank else b
