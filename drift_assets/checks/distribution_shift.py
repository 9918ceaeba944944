"""Distribution shift: each column's non-null values against the baseline's.

A column drifts at the highest tier that any of its effect sizes reaches, but
only where that effect is statistically significant: the effect size keeps a
million rows from flagging a trivial shift, the p-value keeps fifty rows from
crying wolf. Each effect size has the test that gates it:

- numbers: PSI over the baseline's deciles, KS distance and std change are
  gated by the KS p-value; the mean shift (in baseline SDs) by a z-test of the
  means, which is far more powerful against a pure location shift;
- categories: PSI and JS distance over the baseline's top values plus
  "everything else" are gated by the chi-square contingency p-value; the share
  of rows in new categories by a 2 x 2 test of inside vs outside the baseline's
  values.

Nulls are left to the null-rate check; here only non-null values are compared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift_assets.checks.containment import ContainedColumns
from drift_assets.checks.outcome import DISTRIBUTION_SHIFT, CheckOutcome, ColumnFinding, Severity
from drift_assets.checks.verdict import (
    baseline_recorded,
    ignored_columns,
    listing,
    measure_text,
    plural,
    pvalue_text,
    rank,
    tier_severity,
    tier_threshold,
)
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile
from drift_assets.settings.policy import DistributionPolicy, DriftPolicy, Tiers
from drift_assets.stattests import (
    chi_square,
    jensen_shannon,
    ks,
    mean_shift_pvalue,
    mean_shift_sd,
    psi,
    std_change,
)
from drift_assets.stattests.binning import equi_depth_groups
from drift_assets.stattests.new_categories import (
    expected_outside,
    outside_share_test,
    outsider_growth,
)

# New categories named in a one-line headline; the share counts all of them.
_NAMED_IN_HEADLINE = 3

Metrics = dict[str, float | int | str | None]


@dataclass(frozen=True)
class _Effect:
    """One effect size of a column, its tiers, and the p-value that gates it."""

    test: str
    value: float
    tiers: Tiers
    pvalue: float | None
    # Which test the p-value comes from, as people know it ("KS", "chi-square").
    gate: str
    significance: float
    # For new categories: what "outside" means here, the ones seen by name, and
    # whether the value is a share beyond what the baseline predicts (rather
    # than the plain share of rows in categories the baseline never had).
    outside: str = ""
    names: tuple[str, ...] = ()
    beyond_expected: bool = False

    @property
    def reached(self) -> Severity | None:
        """The tier the effect size reaches, significant or not."""
        return tier_severity(self.tiers, abs(self.value))

    @property
    def significant(self) -> bool:
        return self.pvalue is not None and self.pvalue < self.significance

    @property
    def severity(self) -> Severity | None:
        return self.reached if self.significant else None

    @property
    def closeness(self) -> float:
        """How far the effect is toward its threshold (1 = at the threshold)."""
        threshold = tier_threshold(self.tiers, self.severity)
        return abs(self.value) / threshold if threshold else 0.0

    @property
    def phrase(self) -> str:
        """The measured value, for example "mean +0.52 SD"."""
        value = self.value
        match self.test:
            case "psi":
                return f"PSI {measure_text(value)}"
            case "ks":
                return f"KS distance {measure_text(value)}"
            case "mean_shift_sd":
                return f"mean {value:+.2f} SD"
            case "std_change":
                return f"std {value:+.0%}"
            case "js":
                return f"JS distance {measure_text(value)}"
        shown = list(self.names[:_NAMED_IN_HEADLINE])
        more = len(self.names) - len(shown)
        names = f" {shown}" + (f" and {more} more" if more > 0 else "") if shown else ""
        if self.beyond_expected:
            return f"{value:.1%} more rows {self.outside}{names} than expected"
        return f"{value:.1%} rows {self.outside}{names}"

    @property
    def headline(self) -> str:
        """The value and the threshold it reached, or the warn threshold."""
        reached = self.reached
        threshold = tier_threshold(self.tiers, reached)
        if threshold is None:
            return self.phrase
        tier = "error" if reached == Severity.ERROR else "warn"
        if self.test in ("std_change", "new_category_share"):
            return f"{self.phrase} ({tier} at {threshold:.0%})"
        return f"{self.phrase} ({tier} at {threshold:g})"


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


def _examine(
    column: ColumnProfile, base: ColumnProfile | None, policy: DistributionPolicy
) -> tuple[ColumnFinding, _Effect | None]:
    """The column's finding and its deciding effect (None when skipped)."""
    reason = _skip_reason(column, base, policy)
    if reason is not None or base is None:
        skipped = ColumnFinding(
            column=column.name,
            failed=False,
            severity=None,
            summary=f"skipped: {reason}",
            detail={"skipped": reason},
        )
        return skipped, None

    current_counts, baseline_counts = _counts(column, base)
    assert current_counts is not None and baseline_counts is not None
    extra: dict[str, Any] = {}
    if column.logical_type.is_numeric:
        effects, metrics = _numeric_effects(column, base, baseline_counts, current_counts, policy)
    else:
        effects, metrics, extra["new_categories"] = _categorical_effects(
            column, base, baseline_counts, current_counts, policy
        )
    deciding = max(effects, key=lambda e: (rank(e.severity), e.closeness))
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
        summary += f"; {effects[-1].outside}: {shares}"
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
    current_counts, baseline_counts = _counts(column, base)
    if current_counts is None or baseline_counts is None:
        return "no counts against the baseline (profiled without it)"
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


def _numeric_effects(
    column: ColumnProfile,
    base: ColumnProfile,
    baseline_counts: tuple[int, ...],
    current_counts: tuple[int, ...],
    policy: DistributionPolicy,
) -> tuple[list[_Effect], Metrics]:
    now, then = column.numeric, base.numeric
    assert now is not None and then is not None
    distance = ks(baseline_counts, current_counts)
    stability = psi(*equi_depth_groups(baseline_counts, current_counts, policy.psi_bins))
    shift = mean_shift_sd(then.mean, then.std, now.mean)
    shift_pvalue = mean_shift_pvalue(
        then.mean, then.std, sum(baseline_counts), now.mean, now.std, sum(current_counts)
    )
    spread = std_change(then.std, now.std)
    alpha = policy.significance
    effects = [
        _Effect("psi", stability.statistic, policy.psi, distance.pvalue, "KS", alpha),
        _Effect("ks", distance.statistic, policy.ks_distance, distance.pvalue, "KS", alpha),
    ]
    if shift is not None:
        effects.append(
            _Effect(
                "mean_shift_sd", shift, policy.mean_shift_sd, shift_pvalue, "mean z-test", alpha
            )
        )
    if spread is not None:
        effects.append(
            _Effect("std_change", spread, policy.std_change, distance.pvalue, "KS", alpha)
        )
    metrics: Metrics = {
        "psi": stability.statistic,
        "ks_distance": distance.statistic,
        "ks_pvalue": distance.pvalue,
        "mean_shift_sd": shift,
        "mean_shift_pvalue": shift_pvalue,
        "std_change": spread,
    }
    return effects, metrics


def _categorical_effects(
    column: ColumnProfile,
    base: ColumnProfile,
    baseline_counts: tuple[int, ...],
    current_counts: tuple[int, ...],
    policy: DistributionPolicy,
) -> tuple[list[_Effect], Metrics, dict[str, float]]:
    now, then = column.categorical, base.categorical
    assert now is not None and then is not None
    n_current, n_baseline = sum(current_counts), sum(baseline_counts)
    # Homogeneity is tested over the baseline's listed values only: they were
    # picked from the baseline, so the rest ("everything else") is always larger
    # in a fresh sample, and a test including it alarmed on 4 to 40% of unshifted
    # high-cardinality columns. What happens outside the list is tested below.
    homogeneity = chi_square(baseline_counts[:-1], current_counts[:-1])
    # Rows outside the baseline's listed values are certainly new categories when
    # the baseline listed every value, otherwise only outside its top K. Either
    # way a sample of an unchanged column has some (its rare values), so the
    # effect is the share beyond what the baseline predicts: in total (many small
    # newcomers) or held by single values (one newcomer among thousands of values).
    alpha = policy.significance
    listed = [n for _, n in then.top]
    known = {value for value, _ in then.top}
    outsiders = {v: n for v, n in now.top if v not in known}
    expected = expected_outside(listed, then.other_count, then.complete)
    total = outside_share_test(expected, n_baseline, current_counts[-1], n_current)
    single = outsider_growth(
        listed, then.other_count, then.complete, list(outsiders.values()), n_current, alpha
    )
    new = max(total, single, key=lambda r: r.statistic)
    # Name the values that grew when they decided, else every outsider seen.
    names = list(outsiders)
    if new is single:
        names = [names[i] for i in single.grown]
    outside = (
        "in new categories" if then.complete else f"outside the baseline's top {len(then.top)}"
    )
    new_categories = {v: n / n_current for v, n in outsiders.items()}
    stability = psi(baseline_counts, current_counts)
    divergence = jensen_shannon(baseline_counts, current_counts)
    effects = [
        _Effect("psi", stability.statistic, policy.psi, homogeneity.pvalue, "chi-square", alpha),
        _Effect(
            "js", divergence.statistic, policy.js_distance, homogeneity.pvalue, "chi-square", alpha
        ),
        _Effect(
            "new_category_share",
            new.statistic,
            policy.new_category_share,
            new.pvalue,
            "outside-share test",
            alpha,
            outside=outside,
            names=tuple(names),
            beyond_expected=new.statistic != current_counts[-1] / n_current,
        ),
    ]
    metrics: Metrics = {
        "psi": stability.statistic,
        "js_distance": divergence.statistic,
        "chi_square_pvalue": homogeneity.pvalue,
        "new_category_share": current_counts[-1] / n_current,
        "new_category_expected_share": expected / n_baseline,
        "new_category_excess": new.statistic,
        "new_category_pvalue": new.pvalue,
    }
    return effects, metrics, new_categories


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
