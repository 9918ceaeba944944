"""A small, known check history in a real DuckDB store, shared by the tests of
the history commands: four days of orders (a null spike on day 3 and an amount
shift on day 4) and one day of customers."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from drift_assets.checks.outcome import CheckOutcome, ColumnFinding, Severity
from drift_assets.store import DriftStore
from drift_assets_tests.builders import category_column, numeric_column, profile

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
