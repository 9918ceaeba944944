"""What a check concluded: plain records shared by the checks, the store, the CLI
report and the Dagster wiring (which turns them into ``AssetCheckResult``s)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from drift_assets.settings.severity import Severity

SCHEMA_CHANGE = "schema_change"
NULL_RATE = "null_rate"
DISTRIBUTION_SHIFT = "distribution_shift"
ROW_COUNT = "row_count"
CHECK_NAMES = (SCHEMA_CHANGE, NULL_RATE, DISTRIBUTION_SHIFT, ROW_COUNT)


def is_finite_number(value: Any) -> bool:
    """Whether a metric value is a number that can be compared and charted: an int
    or float (not a bool), neither NaN nor infinite."""
    if isinstance(value, bool):
        return False
    # An int is finite however large (math.isfinite would overflow converting it).
    return isinstance(value, int) or (isinstance(value, float) and math.isfinite(value))


@dataclass(frozen=True)
class ColumnFinding:
    """One examined column: what was measured and whether it crossed a threshold.

    ``metrics`` holds the column's measurements under stable names (for example
    ``psi``, ``ks_distance``, ``ks_pvalue``, ``null_rate``); ``detail`` holds the
    family's extra fields (schema entries: ``change``, ``from``, ``to``;
    distribution entries: ``test``, ``statistic``, ``pvalue``).
    """

    column: str
    failed: bool
    severity: Severity | None
    summary: str
    metrics: dict[str, float | int | str | None] = field(default_factory=dict)
    detail: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The finding as the store and the JSON report keep it: the family's
        detail fields sit beside column, failed and severity."""
        return {
            "column": self.column,
            "failed": self.failed,
            "severity": self.severity.value if self.severity else None,
            "summary": self.summary,
            **self.detail,
            "metrics": self.metrics,
        }


@dataclass(frozen=True)
class CheckOutcome:
    """The verdict of one check family on one profile.

    ``description`` is the one line a person reads in the Dagster UI and in Slack;
    ``metrics`` are numeric values under stable names so Dagster can chart them;
    ``thresholds`` are the ones that were applied.
    """

    check: str
    passed: bool
    severity: Severity | None
    description: str
    metrics: dict[str, float | int] = field(default_factory=dict)
    columns: tuple[ColumnFinding, ...] = ()
    thresholds: dict[str, Any] = field(default_factory=dict)

    @property
    def failed_columns(self) -> tuple[ColumnFinding, ...]:
        return tuple(c for c in self.columns if c.failed)
