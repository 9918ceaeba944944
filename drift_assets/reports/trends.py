"""A drift metric over time, for ``drift-assets trend``: its points, the result
of the check that judged each one, and the warn and error thresholds in force.

Metrics come from two places: profiles (row counts, null rates, means, ...), so
they exist from the very first batch, and check results, under the names the
checks store (``worst_psi``, ``max_null_rate_increase_pp``, a column's ``psi``
...), so a new metric in a check needs no change here. Pure: the command reads
the store and hands the rows in.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from drift_assets.checks.outcome import DISTRIBUTION_SHIFT, NULL_RATE, ROW_COUNT, is_finite_number
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile
from drift_assets.settings.times import as_utc
from drift_assets.store import StoredCheckResult

_PROFILE_METRICS: dict[str, Callable[[DatasetProfile], float]] = {
    "row_count": lambda p: p.row_count,
    "column_count": lambda p: len(p.columns),
}

_COLUMN_METRICS: dict[str, tuple[str, Callable[[ColumnProfile, int], float | None]]] = {
    # metric: (the check that judges it, value from the column and the row count)
    "null_rate": (NULL_RATE, lambda c, rows: c.null_rate(rows)),
    "null_count": (NULL_RATE, lambda c, rows: c.null_count),
    "distinct_count": (DISTRIBUTION_SHIFT, lambda c, rows: c.distinct_count),
    "mean": (DISTRIBUTION_SHIFT, lambda c, rows: c.numeric.mean if c.numeric else None),
    "std": (DISTRIBUTION_SHIFT, lambda c, rows: c.numeric.std if c.numeric else None),
    "min": (DISTRIBUTION_SHIFT, lambda c, rows: c.numeric.min if c.numeric else None),
    "max": (DISTRIBUTION_SHIFT, lambda c, rows: c.numeric.max if c.numeric else None),
}

# Which policy tiers judge a metric, by the name the check stores them under.
_THRESHOLD_KEYS = {
    "worst_psi": "psi",
    "worst_ks_distance": "ks_distance",
    "max_null_rate": "max_rate",
    "null_rate": "max_rate",
    "max_null_rate_increase_pp": "max_increase_pp",
    "null_rate_increase_pp": "max_increase_pp",
    "increase_pp": "max_increase_pp",
}

# Metrics that are shares of rows, drawn as percentages.
FRACTION_METRICS = frozenset(
    {"null_rate", "max_null_rate", "new_category_share", "std_change", "row_count_change"}
)


class TrendError(ValueError):
    """A metric or column the stored history does not have, with what it has."""


@dataclass(frozen=True)
class TrendPoint:
    at: datetime
    value: float
    profile_id: int
    # PASS, WARN or ERROR from the judging check; None where it did not run.
    result: str | None
    # Thresholds that move with the baseline (a column's null rate may rise by so
    # many points over its baseline's): where this point would have warned or failed.
    warn_at: float | None = None
    error_at: float | None = None


@dataclass(frozen=True)
class Trend:
    dataset: str
    metric: str
    column: str | None
    check: str | None  # the check whose result colours the points
    points: tuple[TrendPoint, ...]  # oldest first
    warn: float | None
    error: float | None

    @property
    def title(self) -> str:
        subject = f"{self.metric} of {self.column}" if self.column else self.metric
        return f"{self.dataset}: {subject}"

    @property
    def is_fraction(self) -> bool:
        return self.metric in FRACTION_METRICS


def available_metrics(
    results: Sequence[StoredCheckResult],
) -> tuple[list[str], list[str]]:
    """(dataset metrics, column metrics) that can be charted from this history."""
    dataset = set(_PROFILE_METRICS)
    column = set(_COLUMN_METRICS)
    for result in results:
        dataset.update(k for k, v in result.metrics.items() if is_finite_number(v))
        for finding in result.columns:
            metrics = finding.get("metrics") or {}
            column.update(k for k, v in metrics.items() if is_finite_number(v))
    return sorted(dataset), sorted(column)


def build_trend(
    dataset: str,
    metric: str,
    column: str | None,
    profiles: Sequence[DatasetProfile],
    results: Sequence[StoredCheckResult],
) -> Trend:
    """The metric's points, oldest first, from the dataset's profiles and check
    results (any order); raises ``TrendError`` saying what can be charted."""
    dataset_metrics, column_metrics = available_metrics(results)
    if column is None and metric not in dataset_metrics:
        hint = " (a column metric: add --column)" if metric in column_metrics else ""
        raise TrendError(
            f"no dataset metric {metric!r}{hint}; dataset metrics: {', '.join(dataset_metrics)};"
            f" column metrics (with --column): {', '.join(column_metrics)}"
        )
    if column is not None:
        if metric not in column_metrics:
            raise TrendError(
                f"no column metric {metric!r}; column metrics: {', '.join(column_metrics)}"
            )
        known = sorted({c.name for p in profiles for c in p.columns})
        if column not in known:
            raise TrendError(f"{dataset} has no column {column!r} (columns: {', '.join(known)})")

    outcome = _results_by_profile(results)
    if column is None and metric in _PROFILE_METRICS:
        # The row count has its own check; a history written before it existed
        # is coloured by all checks at once, like the column count.
        judged_rows = metric == "row_count" and any(r.check_name == ROW_COUNT for r in results)
        check = ROW_COUNT if judged_rows else None
        raw = [(p.profiled_at, _PROFILE_METRICS[metric](p), p.profile_id) for p in profiles]
    elif column is not None and metric in _COLUMN_METRICS:
        check, value_of = _COLUMN_METRICS[metric]
        raw = [
            (p.profiled_at, value_of(c, p.row_count), p.profile_id)
            for p in profiles
            if (c := p.column(column)) is not None
        ]
    else:
        check, raw = _from_results(metric, column, results)

    points = sorted(
        (
            TrendPoint(
                at=as_utc(at),
                value=float(value),
                profile_id=pid,
                result=_result_word(outcome.get(pid, {}), check),
            )
            for at, value, pid in raw
            if is_finite_number(value) and pid is not None
        ),
        key=lambda p: (p.at, p.profile_id),
    )
    warn, error = _tiers(_THRESHOLD_KEYS.get(metric, metric), column, check, results)
    if metric == "null_rate" and column is not None:
        points = _with_null_rate_allowance(points, column, profiles, outcome, results)
    return Trend(dataset, metric, column, check, tuple(points), warn, error)


def _with_null_rate_allowance(
    points: list[TrendPoint],
    column: str,
    profiles: Sequence[DatasetProfile],
    outcome: dict[int, dict[str, StoredCheckResult]],
    results: Sequence[StoredCheckResult],
) -> list[TrendPoint]:
    """Each point's baseline null rate plus the allowed increase in points: the
    line a null rate must stay under, which moves with the baseline."""
    warn_pp, error_pp = _tiers("max_increase_pp", column, NULL_RATE, results)
    if warn_pp is None and error_pp is None:
        return points
    by_id = {p.profile_id: p for p in profiles}
    moved = []
    for point in points:
        judged = outcome.get(point.profile_id, {}).get(NULL_RATE)
        base = [by_id[i] for i in judged.baseline_profile_ids if i in by_id] if judged else []
        columns = [(b.row_count, b.column(column)) for b in base]
        rows = sum(n for n, c in columns if c is not None)
        if not rows:
            moved.append(point)
            continue
        rate = sum(c.null_count for _, c in columns if c is not None) / rows
        moved.append(
            replace(
                point,
                warn_at=None if warn_pp is None else rate + warn_pp / 100,
                error_at=None if error_pp is None else rate + error_pp / 100,
            )
        )
    return moved


def _from_results(
    metric: str, column: str | None, results: Sequence[StoredCheckResult]
) -> tuple[str | None, list[tuple[Any, Any, int]]]:
    raw, check = [], None
    for result in results:
        if column is None:
            value = result.metrics.get(metric)
        else:
            finding = next((f for f in result.columns if f.get("column") == column), None)
            value = (finding.get("metrics") or {}).get(metric) if finding else None
        if is_finite_number(value):
            check = result.check_name
            raw.append((result.evaluated_at, value, result.profile_id))
    return check, raw


def _results_by_profile(
    results: Sequence[StoredCheckResult],
) -> dict[int, dict[str, StoredCheckResult]]:
    by_profile: dict[int, dict[str, StoredCheckResult]] = {}
    for result in results:
        by_profile.setdefault(result.profile_id, {})[result.check_name] = result
    return by_profile


def _result_word(checks: dict[str, StoredCheckResult], check: str | None) -> str | None:
    """The judging check's verdict, or the worst of all checks for dataset-wide
    figures such as the row count."""
    judged = [checks[check]] if check in checks else [] if check else list(checks.values())
    if not judged:
        return None
    severities = {r.severity for r in judged if not r.passed}
    if "ERROR" in severities:
        return "ERROR"
    return "WARN" if severities else "PASS"


def _tiers(
    key: str,
    column: str | None,
    check: str | None,
    results: Sequence[StoredCheckResult],
) -> tuple[float | None, float | None]:
    """The warn and error thresholds of the newest evaluation of the judging
    check, with the column's own override when it has one."""
    if check is None:
        return None, None
    newest = max(
        (r for r in results if r.check_name == check),
        key=lambda r: r.result_id,
        default=None,
    )
    if newest is None:
        return None, None
    tiers = newest.thresholds.get(key)
    override = (newest.thresholds.get("column_overrides") or {}).get(column or "", {}) or {}
    if isinstance(override.get(key), dict):
        tiers = {**(tiers or {}), **override[key]}
    if not isinstance(tiers, dict):
        return None, None
    return _number_or_none(tiers.get("warn")), _number_or_none(tiers.get("error"))


def _number_or_none(value: Any) -> float | None:
    return float(value) if is_finite_number(value) else None
