"""What ``drift-assets show`` says about one dataset: its baseline, its latest
profile column by column, and the latest result of each check. Pure: the
command reads the store and hands the pieces in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile, LogicalType
from drift_assets.reports.history_table import history_records, result_word
from drift_assets.settings.times import as_utc, show_time
from drift_assets.store import PinnedBaseline, StoredCheckResult

# Top values listed per categorical column before "+N more".
_TOP_SHOWN = 4
UNKNOWN_STRATEGY = "unknown: no dataset file here declares it (set DRIFT_ASSETS_CONFIG)"
_EPOCH_TYPES = (LogicalType.DATE, LogicalType.DATETIME, LogicalType.DATETIME_TZ)


@dataclass(frozen=True)
class DatasetState:
    dataset: str
    # From the dataset file; None when the file does not declare the dataset.
    strategy: str | None
    pinned: PinnedBaseline | None
    recent: tuple[DatasetProfile, ...]  # newest first
    latest_checks: tuple[StoredCheckResult, ...]
    # Newest first, the profiles that may be a baseline (passed or accepted,
    # ``DriftStore.baseline_profiles``), as many as the strategy looks at.
    baselines: tuple[DatasetProfile, ...] = ()
    # A partitioned dataset: the partition shown (its baselines are earlier ones).
    partition: str | None = None

    @property
    def latest(self) -> DatasetProfile | None:
        return self.recent[0] if self.recent else None


def next_baseline(state: DatasetState) -> str:
    """Which stored profile(s) the next batch will be compared with, in words."""
    if state.partition is not None:
        # A partition's baseline comes from earlier partitions: say what it was.
        if not state.baselines:
            return "nothing: this partition recorded the baseline"
        ids = ", ".join(f"#{p.profile_id}" for p in state.baselines)
        return f"profile {ids} (earlier partitions, {state.strategy or 'previous'})"
    if not state.recent or not state.baselines:
        return "nothing yet: the first batch becomes the baseline"
    latest, usable = state.recent[0], state.baselines[0]
    if state.strategy is None:
        return f"profile #{usable.profile_id} if its strategy is `previous` (the default)"
    if state.strategy == "pinned":
        if state.pinned is None:
            return f"profile #{usable.profile_id}, pinned on the next run (nothing pinned yet)"
        return f"profile #{state.pinned.profile_id} (pinned)"
    if state.strategy == "latest":
        return f"profile #{latest.profile_id} (the latest, failed or not)"
    newer_failed = "" if usable.profile_id == latest.profile_id else "; newer ones failed"
    if state.strategy.startswith("rolling:"):
        window = int(state.strategy.split(":")[1])
        ids = ", ".join(f"#{p.profile_id}" for p in state.baselines[:window])
        pooled = f"profiles {ids} pooled" if len(state.baselines[:window]) > 1 else f"profile {ids}"
        return pooled + (f" (passed or accepted{newer_failed})" if newer_failed else "")
    if newer_failed:
        return (
            f"profile #{usable.profile_id} (the latest that passed or was accepted{newer_failed})"
        )
    return f"profile #{usable.profile_id} (the latest)"


def describe_pin(pinned: PinnedBaseline | None) -> str:
    if pinned is None:
        return "none"
    reason = f": {pinned.reason}" if pinned.reason else ""
    return (
        f"profile #{pinned.profile_id} since {show_time(pinned.pinned_at)} UTC,"
        f" by {pinned.pinned_by}{reason}"
    )


def column_summary(column: ColumnProfile) -> str:
    """Mean and spread for numbers, first and last moment for times, the most
    frequent values for categories."""
    parts = []
    numeric, categorical = column.numeric, column.categorical
    if numeric is not None and column.logical_type in _EPOCH_TYPES:
        if numeric.min is not None and numeric.max is not None:
            shown = "%Y-%m-%d" if column.logical_type == LogicalType.DATE else "%Y-%m-%d %H:%M"
            parts.append(f"{_epoch(numeric.min, shown)} … {_epoch(numeric.max, shown)}")
    elif numeric is not None and numeric.mean is not None:
        parts.append(
            f"mean {_number(numeric.mean)}, std {_number(numeric.std)},"
            f" min {_number(numeric.min)}, max {_number(numeric.max)}"
        )
    if categorical is not None:
        total = sum(n for _, n in categorical.top) + categorical.other_count
        shown = [f"{v} {n / total:.1%}" for v, n in categorical.top[:_TOP_SHOWN]] if total else []
        more = len(categorical.top) - _TOP_SHOWN
        if more > 0:
            shown.append(f"+{more} more" + ("" if categorical.complete else " and others"))
        elif not categorical.complete:
            shown.append("and others")
        parts.append(", ".join(shown))
    if column.skip_reason:
        parts.append(f"(not tested for drift: {column.skip_reason})")
    return "  ".join(p for p in parts if p)


def summary_text(state: DatasetState) -> str:
    latest = state.latest
    lines = [f"{state.dataset}" + (f"  partition {state.partition}" if state.partition else ""), ""]
    lines.append("Baseline")
    strategy = state.strategy or UNKNOWN_STRATEGY
    lines.append(f"  strategy      {strategy}")
    lines.append(
        f"  {'this batch' if state.partition else 'next batch'}    compared with"
        f" {next_baseline(state)}"
    )
    lines.append(f"  pinned        {describe_pin(state.pinned)}")
    if latest is None:
        lines += ["", "No profile stored yet."]
        return "\n".join(lines) + "\n"
    lines += [
        "",
        f"Latest profile #{latest.profile_id}  {show_time(latest.profiled_at)} UTC  "
        f"{_plural(latest.row_count, 'row')}, {_plural(len(latest.columns), 'column')}",
    ]
    table = [("COLUMN", "TYPE", "NULLS", "DISTINCT", "SUMMARY")] + [
        (
            c.name,
            c.logical_type.value,
            f"{c.null_rate(latest.row_count):.2%}",
            f"{c.distinct_count:,}",
            column_summary(c),
        )
        for c in sorted(latest.columns, key=lambda c: c.position)
    ]
    widths = [max(len(row[i]) for row in table) for i in range(4)]
    for row in table:
        lead = "  ".join(
            cell.rjust(w) if i in (2, 3) else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(row[:4], widths, strict=True))
        )
        lines.append(f"  {lead}  {row[4]}".rstrip())
    lines += ["", _checks_heading(state.latest_checks)]
    if not state.latest_checks:
        lines.append("  none recorded")
    newest = state.latest_checks[0].profile_id if state.latest_checks else None
    name_width = max((len(r.check_name) for r in state.latest_checks), default=0)
    for result in state.latest_checks:
        older = (
            f"  (profile #{result.profile_id}, {show_time(result.evaluated_at)} UTC)"
            if result.profile_id != newest
            else ""
        )
        lines.append(
            f"  {result.check_name.ljust(name_width)}  {result_word(result)}"
            f"  {(result.severity or '').ljust(5)}  {result.description}{older}"
        )
        for column in result.columns:
            if column.get("failed"):
                lines.append(
                    f"  {''.ljust(name_width)}    {column.get('severity') or '':<5}"
                    f"  {column['column']}: {column.get('summary', '')}"
                )
    return "\n".join(lines) + "\n"


def summary_dict(state: DatasetState) -> dict[str, Any]:
    latest = state.latest
    return {
        "dataset": state.dataset,
        "partition": state.partition,
        "baseline": {
            "strategy": state.strategy,
            "next_batch_compared_with": next_baseline(state),
            "pinned": None
            if state.pinned is None
            else {
                "profile_id": state.pinned.profile_id,
                "pinned_at": as_utc(state.pinned.pinned_at).isoformat(),
                "pinned_by": state.pinned.pinned_by,
                "reason": state.pinned.reason,
            },
        },
        "latest_profile": None
        if latest is None
        else {
            "profile_id": latest.profile_id,
            "profiled_at": as_utc(latest.profiled_at).isoformat(),
            "row_count": latest.row_count,
            "columns": [
                {
                    "name": c.name,
                    "type": c.logical_type.value,
                    "null_rate": c.null_rate(latest.row_count),
                    "distinct": c.distinct_count,
                    "summary": column_summary(c),
                }
                for c in latest.columns
            ],
        },
        "latest_checks": history_records(state.latest_checks),
    }


def _checks_heading(latest: Sequence[StoredCheckResult]) -> str:
    """Which profile the latest checks judged and what it was compared with."""
    if not latest:
        return "Latest checks"
    newest = max(latest, key=lambda r: r.result_id)
    ids = newest.baseline_profile_ids
    compared = (
        f"against #{', #'.join(str(i) for i in ids)} ({newest.baseline_strategy})"
        if ids
        else "the first profile, recorded as the baseline"
    )
    return (
        f"Latest checks  profile #{newest.profile_id}, {show_time(newest.evaluated_at)} UTC,"
        f" {compared}"
    )


def _plural(count: int, noun: str) -> str:
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def _epoch(seconds: float, shown: str) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime(shown)


def _number(value: float | None) -> str:
    if value is None:
        return "n/a"
    # Thousands read best whole and grouped; smaller values to four digits.
    return f"{value:,.0f}" if abs(value) >= 1_000 else f"{value:.4g}"
