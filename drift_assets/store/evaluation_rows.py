"""One evaluation as rows of the store: the profile and its check results as one
JSON document, and the inserts that write it. The document is written at once or,
when the store is busy, journaled and written on the next opening (``journal.py``):
both take this one path."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from drift_assets.checks.outcome import CheckOutcome
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    DatasetProfile,
    NumericSummary,
)
from drift_assets.settings.partitions import Partition
from drift_assets.store.partition_history import supersede


def evaluation_write(
    profile: DatasetProfile,
    asset_key: str,
    run_id: str | None,
    baseline: DatasetProfile | None,
    baseline_strategy: str,
    outcomes: Sequence[CheckOutcome],
    pin_as_baseline: bool,
    partition: Partition | None = None,
) -> dict[str, Any]:
    """The rows of one evaluation, JSON all through (timestamps as ISO text)."""
    return {
        "evaluated_at": datetime.now(UTC).isoformat(),
        "profile": {
            "dataset": profile.dataset,
            "asset_key": asset_key,
            "run_id": run_id,
            "profiled_at": profile.profiled_at,  # ISO 8601 already
            "row_count": profile.row_count,
            "column_count": len(profile.columns),
            "document": json.dumps(_without_reference_counts(profile).to_dict()),
        },
        "partition": None
        if partition is None
        else {
            "key": partition.key,
            "start": partition.start.isoformat() if partition.start else None,
            "end": partition.end.isoformat() if partition.end else None,
        },
        "baseline_strategy": baseline_strategy,
        "baseline_profile_ids": baseline_profile_ids(baseline),
        "results": [
            {
                "check_name": outcome.check,
                "passed": outcome.passed,
                "severity": outcome.severity.value if outcome.severity else None,
                "description": outcome.description,
                "metrics": json.dumps(outcome.metrics),
                "columns": json.dumps([f.to_dict() for f in outcome.columns], default=str),
                "thresholds": json.dumps(outcome.thresholds, default=str),
            }
            for outcome in outcomes
        ],
        "pin_as_baseline": pin_as_baseline,
    }


def insert_evaluation(conn, write: dict[str, Any]) -> int:
    """Insert one evaluation's profile and results (``evaluation_write``); return the
    new profile id. Pinning it, when asked, is the caller's (it owns the baselines)."""
    profile = write["profile"]
    evaluated_at = datetime.fromisoformat(write["evaluated_at"])
    partition = write["partition"] or {"key": None, "start": None, "end": None}
    key, start, end = partition["key"], _moment(partition["start"]), _moment(partition["end"])
    (profile_id,) = conn.execute(
        """
        INSERT INTO profiles (dataset, asset_key, run_id, profiled_at, row_count,
                              column_count, profile, partition_key, partition_start,
                              partition_end)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING profile_id
        """,
        [
            profile["dataset"],
            profile["asset_key"],
            profile["run_id"],
            datetime.fromisoformat(profile["profiled_at"]),
            profile["row_count"],
            profile["column_count"],
            profile["document"],
            key,
            start,
            end,
        ],
    ).fetchone()
    if start is not None:
        # A time window materialized again replaces its current profile and results.
        supersede(conn, profile["dataset"], key, profile_id, evaluated_at)
    conn.executemany(
        """
        INSERT INTO check_results (evaluated_at, run_id, dataset, asset_key, check_name,
            passed, severity, description, profile_id, baseline_strategy,
            baseline_profile_ids, metrics, columns, thresholds, partition_key)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        """,
        [
            [
                evaluated_at,
                profile["run_id"],
                profile["dataset"],
                profile["asset_key"],
                result["check_name"],
                result["passed"],
                result["severity"],
                result["description"],
                profile_id,
                write["baseline_strategy"],
                write["baseline_profile_ids"],
                result["metrics"],
                result["columns"],
                result["thresholds"],
                key,
            ]
            for result in write["results"]
        ],
    )
    return profile_id


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def baseline_profile_ids(baseline: DatasetProfile | None) -> list[int]:
    """The stored profiles a baseline is made of (several when pooled)."""
    if baseline is None:
        return []
    if baseline.pooled_from:
        return list(baseline.pooled_from)
    return [baseline.profile_id] if baseline.profile_id is not None else []


def _without_reference_counts(profile: DatasetProfile) -> DatasetProfile:
    columns = []
    for column in profile.columns:
        numeric, categorical = column.numeric, column.categorical
        if isinstance(numeric, NumericSummary):
            numeric = replace(numeric, reference_counts=None)
        if isinstance(categorical, CategoricalSummary):
            categorical = replace(categorical, reference_counts=None)
        columns.append(replace(column, numeric=numeric, categorical=categorical))
    return replace(profile, columns=tuple(columns))
