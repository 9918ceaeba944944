"""Containment: an exception while one column or one whole family is examined
becomes an ERROR result that says why, and every other column and family still
reports. A crash must never turn into silence, which a person reads as healthy."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import TypeVar

from drift_assets.checks.outcome import CheckOutcome, ColumnFinding, Severity
from drift_assets.checks.verdict import listing, plural
from drift_assets.profiling.dataset_profile import ColumnProfile

T = TypeVar("T")

# A reason is one line: long messages (a repr of a whole array) are cut here.
_REASON_LIMIT = 200


def reason(error: BaseException) -> str:
    """The exception as one line: its type and message."""
    text = " ".join(f"{type(error).__name__}: {error}".split())
    return text if len(text) <= _REASON_LIMIT else text[: _REASON_LIMIT - 3] + "..."


def unevaluated_column(column: str, error: BaseException) -> ColumnFinding:
    why = reason(error)
    return ColumnFinding(
        column=column,
        failed=True,
        severity=Severity.ERROR,
        summary=f"could not be evaluated: {why}",
        detail={"error": why},
    )


def unevaluated_family(check: str, error: BaseException) -> CheckOutcome:
    return CheckOutcome(
        check=check,
        passed=False,
        severity=Severity.ERROR,
        description=f"could not be evaluated: {reason(error)}",
    )


def evaluate_family(check: str, evaluate: Callable[[], CheckOutcome]) -> CheckOutcome:
    """``evaluate()``, or the family's ERROR outcome saying why it raised."""
    try:
        return evaluate()
    except Exception as error:
        return unevaluated_family(check, error)


class ContainedColumns:
    """Examines columns one at a time, keeping the ones that raise aside as
    ERROR findings that ``outcome`` adds to the family's verdict."""

    def __init__(self) -> None:
        self.unevaluated: list[ColumnFinding] = []

    def each(
        self, columns: Iterable[ColumnProfile], examine: Callable[[ColumnProfile], T]
    ) -> list[T]:
        """``examine(column)`` for each column that does not raise, in order."""
        results: list[T] = []
        for column in columns:
            try:
                results.append(examine(column))
            except Exception as error:
                self.unevaluated.append(unevaluated_column(column.name, error))
        return results

    def outcome(self, outcome: CheckOutcome) -> CheckOutcome:
        """The family's verdict over the columns that were examined, failed at
        ERROR and led by the columns that could not be."""
        if not self.unevaluated:
            return outcome
        named = listing([f"{f.column} ({f.detail['error']})" for f in self.unevaluated])
        count = plural(len(self.unevaluated), "column")
        return replace(
            outcome,
            passed=False,
            severity=Severity.ERROR,
            description=f"{count} could not be evaluated: {named}; {outcome.description}",
            metrics={**outcome.metrics, "columns_not_evaluated": len(self.unevaluated)},
            columns=(*outcome.columns, *self.unevaluated),
        )
