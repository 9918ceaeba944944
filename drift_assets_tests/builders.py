"""The tests' shared builders: small hand-built profiles, outcomes and check events
for tests that need no real rows or Dagster run, and a small known check history in
a real DuckDB store (``build_history_store``: four days of orders, a null spike on
day 3 and an amount shift on day 4, and one day of customers)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from drift_assets.alerts.events import CheckEvent
from drift_assets.checks.outcome import CheckOutcome, ColumnFinding, Severity
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    Histogram,
    LogicalType,
    NumericSummary,
)
from drift_assets.store import DriftStore


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


T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
_EVALUATION_IDS = itertools.count(1)


def check_event(
    asset: str = "orders",
    check: str = "null_rate",
    *,
    passed: bool = False,
    severity: str = "WARN",
    at: datetime = T0,
    evaluation_id: int | None = None,
    run_id: str | None = None,
    **fields: Any,
) -> CheckEvent:
    """A completed evaluation as the router sees it; each gets a new id unless given."""
    return CheckEvent(
        next(_EVALUATION_IDS) if evaluation_id is None else evaluation_id,
        run_id or f"run-{at:%H%M}",
        asset,
        check,
        passed,
        severity,
        at,
        **fields,
    )


# -- a known check history in a real store, for the history commands ---------------

DAY = [datetime(2026, 11, d, 6, 0, tzinfo=UTC) for d in range(1, 6)]
NULL_THRESHOLDS = {"max_rate": {"warn": None, "error": None}, "max_increase_pp": {"warn": 5.0, "error": 20.0}}
SHIFT_THRESHOLDS = {"psi": {"warn": 0.1, "error": 0.25}, "column_overrides": {"country": {"psi": {"warn": 0.2}}}}


def _orders_profile(day: int, email_nulls: int, mean: float):
    return profile(
        "orders",
        numeric_column("amount", [10.0, 50.0], [20, 60, 20], position=0, mean=mean, std=12.0),
        category_column("country", [("US", 60), ("DE", 40)], position=1),
        category_column("email", [("a@x", 100 - email_nulls)], position=2, nulls=email_nulls),
        rows=100,
        at=DAY[day - 1].isoformat(),
    )


def _null_outcome(rate_pp: float) -> CheckOutcome:
    failed = rate_pp >= 5
    return CheckOutcome(
        check="null_rate",
        passed=not failed,
        severity=Severity.ERROR if rate_pp >= 20 else Severity.WARN if failed else None,
        description=f"email null rate +{rate_pp:g} pp" if failed else "no null-rate increase",
        metrics={"max_null_rate_increase_pp": rate_pp},
        columns=(
            ColumnFinding("email", failed, Severity.ERROR if rate_pp >= 20 else None,
                          f"null rate up {rate_pp:g} pp", {"increase_pp": rate_pp}),
        ),
        thresholds=NULL_THRESHOLDS,
    )


def _shift_outcome(psi: float) -> CheckOutcome:
    failed = psi >= 0.1
    severity = Severity.ERROR if psi >= 0.25 else Severity.WARN if failed else None
    return CheckOutcome(
        check="distribution_shift",
        passed=not failed,
        severity=severity,
        description=f"1 column drifted: amount PSI {psi:g}" if failed else f"no column drifted (worst PSI {psi:g})",
        metrics={"worst_psi": psi, "drifted_columns": int(failed)},
        columns=(
            ColumnFinding("amount", failed, severity, f"PSI {psi:g}", {"psi": psi, "ks_distance": psi / 2}),
            ColumnFinding("country", False, None, "no drift", {"psi": 0.01}),
        ),
        thresholds=SHIFT_THRESHOLDS,
    )


def _schema_outcome() -> CheckOutcome:
    return CheckOutcome("schema_change", True, None, "no schema change", {"columns_added": 0})


# day, email nulls, amount mean, null increase (pp), worst PSI
ORDERS_DAYS = [(1, 1, 30.0, 0.0, 0.0), (2, 1, 30.5, 0.0, 0.02), (3, 31, 30.2, 30.0, 0.03), (4, 1, 41.0, 0.0, 0.4)]


def build_history_store(path: Path) -> DriftStore:
    """Writes the history and sets each evaluation's time to its day (06:00 UTC)."""
    store = DriftStore(path, lock_timeout=5)
    previous = None
    for day, nulls, mean, increase, psi in ORDERS_DAYS:
        previous = store.record_evaluation(
            profile=_orders_profile(day, nulls, mean),
            asset_key="orders",
            run_id=f"run-{day}",
            baseline=previous,
            baseline_strategy="previous",
            outcomes=[_schema_outcome(), _null_outcome(increase), _shift_outcome(psi)],
        )
    store.record_evaluation(
        profile=profile("customers", numeric_column("age", [20.0, 60.0], [5, 90, 5]), at=DAY[4].isoformat()),
        asset_key="customers",
        run_id="run-c",
        baseline=None,
        baseline_strategy="previous",
        outcomes=[_schema_outcome()],
    )
    with store.transaction() as conn:
        conn.execute(
            "UPDATE check_results SET evaluated_at = CAST(p.profiled_at AS TIMESTAMPTZ)"
            " FROM profiles p WHERE p.profile_id = check_results.profile_id"
        )
    return store
