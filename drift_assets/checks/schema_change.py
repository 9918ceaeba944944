"""Schema change: columns added, removed or retyped since the baseline, and moves noted.

Types are compared as logical types, so int32 -> int64 or object -> str is not a
change. A column's position alone never fails the check: a column added or
removed shifts every later position, so only columns whose order *relative to
the others* changed are reported as moved, and only as information.
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from drift_assets.checks.containment import ContainedColumns
from drift_assets.checks.outcome import SCHEMA_CHANGE, CheckOutcome, ColumnFinding, Severity
from drift_assets.checks.verdict import baseline_recorded, ignored_columns, listing, plural, rank
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile
from drift_assets.settings.policy import DriftPolicy, SchemaChangePolicy


def evaluate(
    current: DatasetProfile, baseline: DatasetProfile | None, policy: DriftPolicy
) -> CheckOutcome:
    thresholds = {
        **policy.schema_change.model_dump(),
        "ignored_columns": ignored_columns(current, baseline, policy),
    }
    if baseline is None:
        return baseline_recorded(SCHEMA_CHANGE, current, thresholds)

    now = [c for c in current.columns if not policy.is_ignored(c.name)]
    then = [c for c in baseline.columns if not policy.is_ignored(c.name)]
    now_names = {c.name for c in now}
    then_by_name = {c.name: c for c in then}
    rules = policy.schema_change
    # An empty batch's column types are a reader's guess (a header-only CSV reads
    # every column as text), so then only names are compared; distribution_shift
    # reports the empty batch itself.
    types_known = current.row_count > 0 or baseline.row_count == 0

    def retyped(c: ColumnProfile) -> ColumnFinding | None:
        before = then_by_name.get(c.name)
        if not types_known or before is None or c.logical_type == before.logical_type:
            return None
        return _change(c, "type_changed", before.logical_type, c.logical_type, rules)

    # Each column is compared on its own, so one that cannot be is reported
    # and the others still are.
    contained = ContainedColumns()
    findings = [
        *contained.each(
            (c for c in then if c.name not in now_names),
            lambda c: _change(c, "removed", c.logical_type, None, rules),
        ),
        *(f for f in contained.each(now, retyped) if f is not None),
        *contained.each(
            (c for c in now if c.name not in then_by_name),
            lambda c: _change(c, "added", None, c.logical_type, rules),
        ),
        *(_moved(c, then_by_name[c.name]) for c in _moved_columns(now, then_by_name)),
    ]
    failed = sorted((f for f in findings if f.failed), key=lambda f: -rank(f.severity))
    counts = {kind: sum(f.detail["change"] == kind for f in findings) for kind in _KINDS}

    if failed:
        description = f"schema changed, {plural(len(failed), 'change')}: " + listing(
            [f.summary for f in failed], limit=4
        )
    else:
        description = f"schema unchanged ({plural(len(now), 'column')})"
        if findings:
            description = f"no failing schema change ({plural(len(now), 'column')}): " + listing(
                [f.summary for f in findings], limit=4
            )

    if not types_known:
        description += " (types not compared: the batch has no rows)"

    outcome = CheckOutcome(
        check=SCHEMA_CHANGE,
        passed=not failed,
        severity=failed[0].severity if failed else None,
        description=description,
        metrics={
            "columns_added": counts["added"],
            "columns_removed": counts["removed"],
            "columns_retyped": counts["type_changed"],
            "columns_moved": counts["moved"],
            "column_count": len(current.columns),
        },
        columns=tuple(findings),
        thresholds=thresholds,
    )
    return contained.outcome(outcome)


_KINDS = ("added", "removed", "type_changed", "moved")


def _change(
    column: ColumnProfile,
    kind: str,
    before: Any,
    after: Any,
    rules: SchemaChangePolicy,
) -> ColumnFinding:
    rule = getattr(rules, kind)
    severity = None if rule == "IGNORE" else Severity(rule)
    match kind:
        case "added":
            text = f"added {column.name} ({after})"
        case "removed":
            text = f"removed {column.name} ({before})"
        case _:
            text = f"{column.name} retyped {before} -> {after}"
    return ColumnFinding(
        column=column.name,
        failed=severity is not None,
        severity=severity,
        summary=text if severity else f"{text} (ignored by policy)",
        detail={
            "change": kind,
            "from": str(before) if before else None,
            "to": str(after) if after else None,
        },
    )


def _moved(column: ColumnProfile, before: ColumnProfile) -> ColumnFinding:
    return ColumnFinding(
        column=column.name,
        failed=False,
        severity=None,
        summary=f"{column.name} moved from position {before.position} to {column.position}",
        detail={
            "change": "moved",
            "from": str(before.logical_type),
            "to": str(column.logical_type),
            "from_position": before.position,
            "to_position": column.position,
        },
    )


def _moved_columns(
    now: list[ColumnProfile], then_by_name: dict[str, ColumnProfile]
) -> list[ColumnProfile]:
    """The fewest common columns whose moving explains the new order: all but a
    longest run that kept its baseline order (longest increasing subsequence)."""
    common = sorted((c for c in now if c.name in then_by_name), key=lambda c: c.position)
    ranks = [then_by_name[c.name].position for c in common]
    # Patience sorting: tails[i] is the smallest tail of an increasing run of length i + 1.
    tails: list[int] = []
    tail_index: list[int] = []
    previous: list[int | None] = [None] * len(ranks)
    for i, value in enumerate(ranks):
        k = bisect_left(tails, value)
        previous[i] = tail_index[k - 1] if k else None
        if k == len(tails):
            tails.append(value)
            tail_index.append(i)
        else:
            tails[k] = value
            tail_index[k] = i
    kept: set[int] = set()
    index = tail_index[-1] if tail_index else None
    while index is not None:
        kept.add(index)
        index = previous[index]
    return [c for i, c in enumerate(common) if i not in kept]
