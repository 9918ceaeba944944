"""Distribution shift: each column's non-null values against the baseline's.

A column drifts at the highest tier that any of its effect sizes reaches, but
only where that effect is statistically significant: the effect size keeps a
million rows from flagging a trivial shift, the p-value keeps fifty rows from
crying wolf. The effects of numbers are in ``numeric_effects``, those of
categories in ``categorical_effects``. Dates and datetimes are event time,
which moves forward by design: their ranges are reported, not tested, unless
the policy's ``test_datetimes`` opts them in (``event_time``).

Nulls are left to the null-rate check; here only non-null values are compared.
"""

from __future__ import annotations

from typing import Any

from drift_assets.checks.categorical_effects import categorical_effects
from drift_assets.checks.containment import ContainedColumns
from drift_assets.checks.effect import Effect
from drift_assets.checks.event_time import is_event_time, time_ranges
from drift_assets.checks.numeric_effects import numeric_effects
from drift_assets.checks.outcome import DISTRIBUTION_SHIFT, CheckOutcome, ColumnFinding, Severity
from drift_assets.checks.verdict import (
    baseline_recorded,
    ignored_columns,
    listing,
    measure_text,
    plural,
    pvalue_text,
    rank,
)
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile
from drift_assets.settings.policy import DistributionPolicy, DriftPolicy


def evaluate(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> CheckOutcome:
    thresholds = _thresholds(current, baseline, policy)
    if baseline is None:
        return baseline_recorded(DISTRIBUTION_SHIFT, current, thresholds)
    if current.row_count == 0 and baseline.row_count > 0:
        return _empty_batch(current, baseline, thresholds)

    contained = ContainedColumns()
    examined = contained.each(
        (c for c in current.columns if not policy.is_ignored(c.name)),
        lambda column: _examine(
            column, baseline.column(column.name), policy.distribution_for(column.name)
        ),
    )
    tested = [(f, e) for f, e in examined if e is not None]
    skipped = [f for f, e in examined if e is None]
    drifted = sorted(
        ((f, e) for f, e in tested if f.failed),
        key=lambda pair: (-rank(pair[1].severity), -pair[1].closeness),
    )
    psi_values = [(f.metrics["psi"], f.column) for f, _ in tested]
    ks_values = [f.metrics["ks_distance"] for f, _ in tested if "ks_distance" in f.metrics]

    if drifted:
        description = f"{plural(len(drifted), 'column')} drifted: " + listing(
            [f"{f.column} {e.headline}" for f, e in drifted]
        )
    elif tested:
        worst_psi, worst_column = max(psi_values)
        skipped_note = f", {len(skipped):,} skipped" if skipped else ""
        description = (
            f"no column drifted ({len(tested):,} tested{skipped_note},"
            f" worst PSI {measure_text(worst_psi)} on {worst_column})"
        )
    elif skipped:
        description = (
            f"no column compared ({plural(len(skipped), 'column')} skipped: "
            + listing([f"{f.column} {f.detail['skipped']}" for f in skipped])
            + ")"
        )
    else:
        description = "no column compared (no columns)"
    times = [f for f in skipped if "range" in f.detail]
    if times:
        description += "; event time, not compared: " + listing(
            [
                f"{f.column} now {f.detail['range']['current']},"
                f" baseline {f.detail['range']['baseline']}"
                for f in times
            ]
        )

    outcome = CheckOutcome(
        check=DISTRIBUTION_SHIFT,
        passed=not drifted,
        severity=drifted[0][1].severity if drifted else None,
        description=description,
        metrics={
            "worst_psi": max((v for v, _ in psi_values), default=0.0),
            "worst_ks_distance": max(ks_values, default=0.0),
            "drifted_columns": len(drifted),
            "columns_tested": len(tested),
        },
        columns=tuple(f for f, _ in examined),
        thresholds=thresholds,
    )
    return contained.outcome(outcome)


def _empty_batch(
    current: DatasetProfile, baseline: DatasetProfile, thresholds: dict[str, Any]
) -> CheckOutcome:
    """Every value's share fell to zero: the largest shift there is, and the one a
    broken upstream job produces, so it errors instead of passing for lack of rows."""
    return CheckOutcome(
        check=DISTRIBUTION_SHIFT,
        passed=False,
        severity=Severity.ERROR,
        description=(
            f"the batch is empty: 0 rows, the baseline had {baseline.row_count:,};"
            " nothing left to compare"
        ),
        metrics={
            "worst_psi": 0.0,
            "worst_ks_distance": 0.0,
            "drifted_columns": 0,
            "columns_tested": 0,
        },
        columns=(),
        thresholds=thresholds,
    )


_EVENT_TIME = "event time, not compared; test_datetimes opts it in"


def _examine(
    column: ColumnProfile, base: ColumnProfile | None, policy: DistributionPolicy
) -> tuple[ColumnFinding, Effect | None]:
    """The column's finding and its deciding effect (None when skipped)."""
    reason = _skip_reason(column, base, policy)
    if reason is not None or base is None:
        detail: dict[str, Any] = {"skipped": reason}
        summary = f"skipped: {reason}"
        if reason == _EVENT_TIME and base is not None:
            ranges = detail["range"] = time_ranges(column, base)
            summary = f"now {ranges['current']}, baseline {ranges['baseline']} ({reason})"
        skipped = ColumnFinding(
            column=column.name,
            failed=False,
            severity=None,
            summary=summary,
            detail=detail,
        )
        return skipped, None

    current_counts, baseline_counts = _counts(column, base)
    assert current_counts is not None and baseline_counts is not None
    extra: dict[str, Any] = {}
    outside = ""
    if column.logical_type.is_numeric:
        effects, metrics = numeric_effects(column, base, baseline_counts, current_counts, policy)
        if is_event_time(column.logical_type):
            extra["range"] = time_ranges(column, base)
    else:
        found = categorical_effects(column, base, baseline_counts, current_counts, policy)
        effects, metrics, outside = found.effects, found.metrics, found.outside
        extra["new_categories"] = found.new_categories
    deciding = max(effects, key=lambda e: (rank(e.severity), e.priority, e.closeness))
    others = ", ".join(e.phrase for e in effects if e is not deciding)
    # Effect sizes first, then each test's p-value once (several effects share one).
    pvalues = ", ".join(
        f"{gate} {pvalue_text(p)}" for gate, p in {e.gate: e.pvalue for e in effects}.items()
    )
    unconfirmed = [e for e in effects if e.reached and not e.significant]
    if deciding.severity:
        summary = f"{deciding.headline}, {pvalue_text(deciding.pvalue)}; {others}; {pvalues}"
    elif unconfirmed:
        summary = (
            f"not significant at {policy.significance:g}: "
            + ", ".join(f"{e.headline} with {pvalue_text(e.pvalue)}" for e in unconfirmed)
            + f"; {others}"
        )
    else:
        summary = f"no drift: {deciding.phrase}, {others}; {pvalues}"
    if extra.get("new_categories"):
        shares = ", ".join(f"{v} {s:.1%}" for v, s in extra["new_categories"].items())
        summary += f"; {outside}: {shares}"
    finding = ColumnFinding(
        column=column.name,
        failed=deciding.severity is not None,
        severity=deciding.severity,
        summary=summary,
        metrics={**metrics, "n_baseline": sum(baseline_counts), "n_current": sum(current_counts)},
        detail={
            "test": deciding.test,
            "statistic": deciding.value,
            "pvalue": deciding.pvalue,
            "headline": deciding.headline,
            **extra,
        },
    )
    return finding, deciding


def _skip_reason(
    column: ColumnProfile, base: ColumnProfile | None, policy: DistributionPolicy
) -> str | None:
    if not policy.enabled:
        return "disabled by policy"
    if base is None:
        return "not in the baseline"
    if column.skip_reason:
        return column.skip_reason
    if base.skip_reason:
        return f"{base.skip_reason} (in the baseline)"
    if column.logical_type != base.logical_type:
        return (
            f"type changed from {base.logical_type} to {column.logical_type}"
            " (reported by schema_change)"
        )
    kind = column.logical_type
    if not (kind.is_numeric or kind.is_categorical):
        return f"{kind} values are not compared"
    if is_event_time(kind) and not policy.test_datetimes:
        return _EVENT_TIME
    current_counts, baseline_counts = _counts(column, base)
    if baseline_counts is None:
        # A numeric baseline without finite values has no bins to count into.
        return "no values to compare in the baseline (none, or none finite)"
    if current_counts is None:
        if column.numeric is not None and column.numeric.min is None:
            return "no values to compare in this batch (none, or none finite)"
        return "not counted against the baseline (profiled without it)"
    if len(current_counts) != len(baseline_counts):
        # The profile was counted against another baseline's bins than this one.
        return (
            f"counted against other bins ({len(current_counts)} counts,"
            f" the baseline has {len(baseline_counts)})"
        )
    n_current, n_baseline = sum(current_counts), sum(baseline_counts)
    if min(n_current, n_baseline) < policy.min_rows:
        return (
            f"too few values ({n_current:,} now, {n_baseline:,} in the baseline;"
            f" min_rows {policy.min_rows:,})"
        )
    return None


def _counts(
    column: ColumnProfile, base: ColumnProfile
) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """Current counts in the baseline's bins, and the baseline's own counts."""
    if column.logical_type.is_numeric:
        if column.numeric is None or base.numeric is None or base.numeric.histogram is None:
            return None, None
        return column.numeric.reference_counts, base.numeric.histogram.counts
    if column.categorical is None or base.categorical is None:
        return None, None
    top = base.categorical
    return column.categorical.reference_counts, (*(n for _, n in top.top), top.other_count)


def _thresholds(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> dict[str, Any]:
    overrides = {
        name: column.distribution_shift
        for name, column in policy.columns.items()
        if column.distribution_shift
    }
    return {
        **policy.distribution_shift.model_dump(),
        "column_overrides": overrides,
        "ignored_columns": ignored_columns(current, baseline, policy),
    }
