"""Check results as they are read back: the record, and the one query over
``check_results`` that every history view filters."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class StoredCheckResult:
    """One row of check history, as the CLI and the alerts read it back."""

    result_id: int
    evaluated_at: datetime
    run_id: str | None
    dataset: str
    asset_key: str
    check_name: str
    passed: bool
    severity: str | None
    description: str
    profile_id: int
    baseline_strategy: str
    baseline_profile_ids: tuple[int, ...]
    metrics: dict[str, Any]
    columns: list[dict[str, Any]]
    thresholds: dict[str, Any]
    partition_key: str | None = None  # None: an unpartitioned dataset
    # A later materialization of the same time-window partition replaced it.
    superseded: bool = False


def history_query(
    *,
    dataset: str | None,
    check: str | None,
    since: datetime | None,
    failed_only: bool,
    limit: int | None,
    partition: str | None,
    current_only: bool,
) -> tuple[str, list[Any]]:
    """The SQL and parameters of ``DriftStore.check_history``, newest first."""
    clauses, params = ["TRUE"], []
    if partition is not None:
        clauses.append("partition_key = ?")
        params.append(partition)
    if current_only:
        clauses.append("superseded_at IS NULL")
    if dataset is not None:
        clauses.append("dataset = ?")
        params.append(dataset)
    if check is not None:
        clauses.append("check_name = ?")
        params.append(check)
    if since is not None:
        clauses.append("evaluated_at >= ?")
        params.append(since)
    if failed_only:
        clauses.append("NOT passed")
    sql = f"SELECT {_RESULT_COLUMNS} FROM check_results WHERE {' AND '.join(clauses)}"
    sql += " ORDER BY result_id DESC"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return sql, params


_RESULT_COLUMNS = (
    "result_id, evaluated_at, run_id, dataset, asset_key, check_name, passed, severity,"
    " description, profile_id, baseline_strategy, baseline_profile_ids, metrics, columns,"
    " thresholds, partition_key, superseded_at IS NOT NULL"
)


def result_from_row(row: tuple[Any, ...]) -> StoredCheckResult:
    *head, baseline_ids, metrics, columns, thresholds, partition_key, superseded = row
    return StoredCheckResult(
        *head,
        baseline_profile_ids=tuple(baseline_ids),
        metrics=json.loads(metrics),
        columns=json.loads(columns),
        thresholds=json.loads(thresholds),
        partition_key=partition_key,
        superseded=superseded,
    )
