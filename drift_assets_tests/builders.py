"""Small hand-built profiles and outcomes for tests that do not need real rows."""

from __future__ import annotations

from drift_assets.checks.outcome import CheckOutcome, ColumnFinding, Severity
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    Histogram,
    LogicalType,
    NumericSummary,
)


def numeric_column(
    name: str,
    edges,
    counts,
    *,
    position: int = 0,
    nulls: int = 0,
    mean: float = 0.0,
    std: float = 1.0,
    lo=None,
    hi=None,
) -> ColumnProfile:
    return ColumnProfile(
        name=name,
        logical_type=LogicalType.FLOAT,
        physical_type="DOUBLE",
        position=position,
        null_count=nulls,
        distinct_count=sum(counts),
        numeric=NumericSummary(
            min=edges[0] if lo is None else lo,
            max=edges[-1] if hi is None else hi,
            mean=mean,
            std=std,
            histogram=Histogram(tuple(edges), tuple(counts)),
        ),
    )


def category_column(
    name: str, top, *, other: int = 0, complete: bool = True, position: int = 1, nulls: int = 0
) -> ColumnProfile:
    return ColumnProfile(
        name=name,
        logical_type=LogicalType.STRING,
        physical_type="VARCHAR",
        position=position,
        null_count=nulls,
        distinct_count=len(top),
        categorical=CategoricalSummary(top=tuple(top), other_count=other, complete=complete),
    )


def profile(
    dataset: str,
    *columns: ColumnProfile,
    rows: int = 100,
    at: str = "2026-11-01T06:00:00+00:00",
    profile_id=None,
) -> DatasetProfile:
    return DatasetProfile(
        dataset=dataset,
        row_count=rows,
        columns=tuple(columns),
        profiled_at=at,
        profile_id=profile_id,
    )


def outcome(
    check: str,
    passed: bool = True,
    severity: Severity | None = None,
    description: str = "ok",
    column: str | None = None,
) -> CheckOutcome:
    findings = ()
    if column:
        findings = (
            ColumnFinding(
                column, not passed, severity, f"{column} changed", {"psi": 0.3}, {"test": "psi"}
            ),
        )
    return CheckOutcome(
        check=check,
        passed=passed,
        severity=severity,
        description=description,
        metrics={"drifted_columns": 0 if passed else 1},
        columns=findings,
        thresholds={"psi": {"warn": 0.1, "error": 0.25}},
    )
