"""Pieces every check family's verdict is built from: the first-baseline outcome,
severities from tiers, ignored columns and the wording of numbers."""

from __future__ import annotations

from typing import Any

from drift_assets.checks.outcome import CheckOutcome, Severity
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy, Tiers


def rank(severity: Severity | None) -> int:
    """0 for a pass, 1 for WARN, 2 for ERROR: for sorting findings worst first."""
    return severity.rank if severity is not None else 0


def tier_severity(tiers: Tiers, value: float | None) -> Severity | None:
    reached = tiers.severity(value)
    return Severity(reached) if reached else None


def tier_threshold(tiers: Tiers, severity: Severity | None) -> float | None:
    """The threshold a value was judged against: the tier it reached, else warn."""
    if severity == Severity.ERROR:
        return tiers.error
    return tiers.warn if tiers.warn is not None else tiers.error


def ignored_columns(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> list[str]:
    names = list(current.column_names)
    if baseline is not None:
        # A set: a list here made 10,000 columns cost ~1.7 s (quadratic).
        seen = set(names)
        names += [n for n in baseline.column_names if n not in seen]
    return [n for n in names if policy.is_ignored(n)]


def baseline_recorded(
    check: str, current: DatasetProfile, thresholds: dict[str, Any]
) -> CheckOutcome:
    """The first profile of a dataset has nothing to be compared with: it passes
    and becomes the baseline."""
    columns = len(current.columns)
    return CheckOutcome(
        check=check,
        passed=True,
        severity=None,
        description=(
            f"baseline recorded: {columns:,} column{'s' if columns != 1 else ''},"
            f" {current.row_count:,} row{'s' if current.row_count != 1 else ''}"
        ),
        thresholds=thresholds,
    )


def plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def listing(phrases: list[str], limit: int = 3) -> str:
    """The first ``limit`` phrases, then how many more there are."""
    shown = ", ".join(phrases[:limit])
    rest = len(phrases) - limit
    return f"{shown} and {rest} more" if rest > 0 else shown


def measure_text(value: float) -> str:
    """Two significant digits, and "<0.001" below that: nobody acts on 4.3e-06."""
    if value and abs(value) < 0.001:
        return "<0.001"
    return f"{value:.2g}"


def pvalue_text(pvalue: float | None) -> str:
    if pvalue is None:
        return "p n/a"
    if pvalue < 1e-4:
        return "p<0.0001"
    return f"p={pvalue:.2g}"


def accept_hint(dataset: str, partition: str | None = None) -> str:
    """What a person does next with a failure that is a wanted change (of one
    partition's batch, which is then the one accepted)."""
    of_partition = f" --partition {partition}" if partition else ""
    return (
        "if this change is intended: Accept as new baseline (Slack), or"
        f" `drift-assets baseline accept {dataset}{of_partition}`"
    )
