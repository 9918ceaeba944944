"""Null rate: each column's share of null rows, absolute and as an increase over the baseline.

The absolute rate is a fact about this batch and is judged as it is. The
increase (in percentage points) is judged only when it is statistically
significant, so three null rows in a forty-row batch after none in the
baseline do not page anyone, while the same jump over 10,000 rows does.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift_assets.checks.containment import ContainedColumns
from drift_assets.checks.outcome import NULL_RATE, CheckOutcome, ColumnFinding, Severity
from drift_assets.checks.verdict import (
    baseline_recorded,
    ignored_columns,
    listing,
    plural,
    pvalue_text,
    rank,
    tier_severity,
    tier_threshold,
)
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile
from drift_assets.settings.policy import DriftPolicy, NullRatePolicy, Tiers
from drift_assets.stattests import chi_square


@dataclass(frozen=True)
class _Judged:
    finding: ColumnFinding
    rate: float
    increase_pp: float | None
    # The measure that decided, "rate" or "increase", and the closeness to its
    # threshold, for naming the worst columns first.
    measure: str
    closeness: float


def evaluate(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> CheckOutcome:
    thresholds = _thresholds(current, baseline, policy)
    if baseline is None:
        return baseline_recorded(NULL_RATE, current, thresholds)

    contained = ContainedColumns()
    judged = contained.each(
        (c for c in current.columns if not policy.is_ignored(c.name)),
        lambda column: _judge(
            column,
            baseline.column(column.name),
            current,
            baseline,
            policy.null_rate_for(column.name),
        ),
    )
    failed = sorted(
        (j for j in judged if j.finding.failed),
        key=lambda j: (-rank(j.finding.severity), -j.closeness),
    )
    increases = [j for j in judged if j.increase_pp is not None]
    max_rate = max(judged, key=lambda j: j.rate, default=None)
    max_increase = max(increases, key=lambda j: j.increase_pp or 0.0, default=None)

    if failed:
        verb = "up" if all(j.measure == "increase" for j in failed) else "too high"
        description = f"null rate {verb} in {plural(len(failed), 'column')}: " + listing(
            [f"{j.finding.column} {j.finding.detail['headline']}" for j in failed]
        )
    elif max_rate is None:
        description = "no column to check"
    else:
        description = f"null rates within limits ({plural(len(judged), 'column')}"
        if max_rate.rate:
            description += f", highest {max_rate.finding.column} {max_rate.rate:.1%}"
        if max_increase is not None and (max_increase.increase_pp or 0.0) > 0:
            description += (
                f", largest increase {max_increase.increase_pp:+.1f} pp"
                f" on {max_increase.finding.column}"
            )
        description += ")"

    outcome = CheckOutcome(
        check=NULL_RATE,
        passed=not failed,
        severity=failed[0].finding.severity if failed else None,
        description=description,
        metrics={
            "max_null_rate": max_rate.rate if max_rate else 0.0,
            "max_null_rate_increase_pp": max(
                (j.increase_pp or 0.0 for j in increases), default=0.0
            ),
            "columns_failed": len(failed),
        },
        columns=tuple(j.finding for j in judged),
        thresholds=thresholds,
    )
    return contained.outcome(outcome)


def _judge(
    column: ColumnProfile,
    base: ColumnProfile | None,
    current: DatasetProfile,
    baseline: DatasetProfile,
    policy: NullRatePolicy,
) -> _Judged:
    rate = column.null_rate(current.row_count)
    rate_severity = tier_severity(policy.max_rate, rate)
    rate_text = _rate_headline(rate, policy, rate_severity)

    increase_pp: float | None = None
    pvalue: float | None = None
    increase_severity: Severity | None = None
    if base is not None and current.row_count and baseline.row_count:
        base_rate = base.null_rate(baseline.row_count)
        increase_pp = (rate - base_rate) * 100
        pvalue = _increase_pvalue(column, base, current.row_count, baseline.row_count)
        reached = tier_severity(policy.max_increase_pp, increase_pp)
        increase_severity = reached if pvalue < policy.significance else None

    by_increase = rank(increase_severity) > rank(rate_severity)
    severity = increase_severity if by_increase else rate_severity
    if increase_pp is None:
        headline = rate_text
        summary = f"{rate_text}; not in the baseline"
        closeness = _closeness(rate, policy.max_rate, rate_severity)
    else:
        reached = tier_severity(policy.max_increase_pp, increase_pp)
        increase_text = _increase_text(increase_pp, policy, reached)
        headline = f"{rate:.1%} ({increase_text})" if by_increase else rate_text
        summary = f"{rate:.1%} null ({increase_text}, {pvalue_text(pvalue)})"
        if reached and increase_severity is None:
            summary += f", not significant at {policy.significance:g}"
        if rate_severity:
            summary += f"; {rate_text}"
        closeness = (
            _closeness(increase_pp, policy.max_increase_pp, increase_severity)
            if by_increase
            else _closeness(rate, policy.max_rate, rate_severity)
        )
    detail: dict[str, Any] = {"headline": headline, "pvalue": pvalue}
    finding = ColumnFinding(
        column=column.name,
        failed=severity is not None,
        severity=severity,
        summary=summary,
        metrics={
            "null_rate": rate,
            "null_rate_increase_pp": increase_pp,
            "null_count": column.null_count,
        },
        detail=detail,
    )
    return _Judged(finding, rate, increase_pp, "increase" if by_increase else "rate", closeness)


def _increase_pvalue(
    column: ColumnProfile, base: ColumnProfile, rows: int, baseline_rows: int
) -> float:
    """Two-sided p-value of null vs non-null rows, baseline vs current."""
    result = chi_square(
        (base.null_count, baseline_rows - base.null_count),
        (column.null_count, rows - column.null_count),
    )
    assert result.pvalue is not None
    return result.pvalue


def _rate_headline(rate: float, policy: NullRatePolicy, severity: Severity | None) -> str:
    threshold = tier_threshold(policy.max_rate, severity)
    if threshold is None:
        return f"{rate:.1%}"
    tier = "error" if severity == Severity.ERROR else "warn"
    return f"{rate:.1%} ({tier} at {threshold:.0%})"


def _increase_text(increase_pp: float, policy: NullRatePolicy, severity: Severity | None) -> str:
    threshold = tier_threshold(policy.max_increase_pp, severity)
    if threshold is None:
        return f"{increase_pp:+.1f} pp"
    tier = "error" if severity == Severity.ERROR else "warn"
    return f"{increase_pp:+.1f} pp, {tier} at +{threshold:g} pp"


def _closeness(value: float, tiers: Tiers, severity: Severity | None) -> float:
    threshold = tier_threshold(tiers, severity)
    return value / threshold if threshold else 0.0


def _thresholds(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> dict[str, Any]:
    overrides = {
        name: column.null_rate for name, column in policy.columns.items() if column.null_rate
    }
    return {
        **policy.null_rate.model_dump(),
        "column_overrides": overrides,
        "ignored_columns": ignored_columns(current, baseline, policy),
    }
