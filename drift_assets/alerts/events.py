"""What the router routes, as plain values (no Dagster types): a completed asset
check evaluation, a check a failed run left without one, a failed materialization
or a freshness state change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

# The alert classes of what is not a check evaluation: (asset key, one of these).
# Dagster check names are letters, digits and underscores, so these never collide.
MATERIALIZATION = "(materialization)"  # a run failed to materialize the asset
FRESHNESS = "(freshness)"  # the asset's Dagster freshness state


@dataclass(frozen=True)
class ColumnLine:
    """One examined column of a drift check: its verdict and what was measured."""

    column: str
    result: str  # WARN | ERROR | ok
    summary: str


@dataclass(frozen=True)
class CheckEvent:
    """A check's evaluation, or a check that could not run, a failed
    materialization or a freshness state change, as one alert class sees it."""

    evaluation_id: int  # the id of its source: check execution, run or freshness event
    run_id: str
    asset_key: str  # user string, "a/b"
    check_name: str
    passed: bool
    dagster_severity: str  # WARN | ERROR, as set on the AssetCheckResult
    evaluated_at: datetime
    description: str | None = None
    partition: str | None = None
    baseline: str | None = None
    columns: tuple[ColumnLine, ...] = ()
    # Scalar metadata (numbers and short text) of any check, ours or hand-written.
    metrics: dict[str, float | int | str | bool] = field(default_factory=dict)
    # Set on the one event that stands for a tick's many partitions (a backfill):
    # the partitions that failed, and of how many evaluated.
    failed_partitions: tuple[str, ...] = ()
    of_partitions: int = 0

    @property
    def alert_class(self) -> tuple[str, str]:
        return (self.asset_key, self.check_name)

    @property
    def key(self) -> str:
        """The idempotency key: this evaluation of this check in this run."""
        key = f"{self.run_id}:{self.asset_key}:{self.check_name}:{self.evaluation_id}"
        # The backfill event shares its newest partition's id; its key must not.
        return f"{key}:partitions" if self.of_partitions else key

    def to_dict(self) -> dict[str, Any]:
        return {
            "evaluation_id": self.evaluation_id,
            "run_id": self.run_id,
            "asset_key": self.asset_key,
            "check_name": self.check_name,
            "passed": self.passed,
            "dagster_severity": self.dagster_severity,
            "evaluated_at": self.evaluated_at.isoformat(),
            "description": self.description,
            "partition": self.partition,
            "baseline": self.baseline,
            "columns": [vars(c) for c in self.columns],
            "metrics": self.metrics,
            "failed_partitions": list(self.failed_partitions),
            "of_partitions": self.of_partitions,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CheckEvent:
        return cls(
            **{
                **data,
                "evaluated_at": datetime.fromisoformat(data["evaluated_at"]),
                "columns": tuple(ColumnLine(**c) for c in data["columns"]),
                "failed_partitions": tuple(data.get("failed_partitions", ())),
            }
        )
