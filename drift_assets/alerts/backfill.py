"""Many partitions of one check in one tick (a backfill) become one event: "null_rate
failed on 12 of 30 partitions: 2026-10-03, ..." instead of a message per partition.
Pure: the router calls it before routing."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from drift_assets.alerts.events import CheckEvent

_LISTED = 10  # partitions named in the description; the rest are counted


@dataclass(frozen=True)
class Folded:
    events: tuple[CheckEvent, ...]  # what to route, oldest first
    # Each partition event folded into a backfill event, with the key of the event
    # that stands for it (the outbox records both, so a replay is a no-op).
    folded: tuple[tuple[CheckEvent, str], ...]


def fold_partitions(events: Sequence[CheckEvent]) -> Folded:
    """One event per alert class for the classes with more than one partition event."""
    groups: dict[tuple[str, str], list[CheckEvent]] = defaultdict(list)
    for event in events:
        if event.partition is not None:
            groups[event.alert_class].append(event)
    many = {c: g for c, g in groups.items() if len(g) > 1}
    if not many:
        return Folded(tuple(events), ())
    out: list[CheckEvent] = []
    folded: list[tuple[CheckEvent, str]] = []
    for event in events:
        group = many.get(event.alert_class)
        if group is None:
            out.append(event)
        elif event is group[-1]:  # the group's place in time is its newest evaluation
            summary = _summary(group)
            out.append(summary)
            folded += [(e, summary.key) for e in group]
    return Folded(tuple(out), tuple(folded))


def _summary(group: list[CheckEvent]) -> CheckEvent:
    # A partition evaluated twice in the tick counts once, as its latest result.
    latest = {e.partition: e for e in group}
    failed = sorted((e for e in latest.values() if not e.passed), key=lambda e: e.partition)
    newest = group[-1]
    if not failed:
        return replace(
            newest,
            partition=None,
            description=f"{newest.check_name} passed on all {len(latest)} partitions",
            columns=(),
            metrics={"partitions": len(latest)},
            of_partitions=len(latest),
        )
    worst = min(failed, key=lambda e: (e.dagster_severity != "ERROR", e.partition))
    names = [str(e.partition) for e in failed]
    listed = ", ".join(names[:_LISTED]) + (
        f" and {len(names) - _LISTED} more" if len(names) > _LISTED else ""
    )
    return replace(
        worst,
        evaluation_id=newest.evaluation_id,
        evaluated_at=newest.evaluated_at,
        partition=None,
        passed=False,
        dagster_severity="ERROR" if worst.dagster_severity == "ERROR" else "WARN",
        description=(
            f"{newest.check_name} failed on {len(failed)} of {len(latest)} partitions: {listed}"
        ),
        metrics={
            "failed partitions": len(failed),
            "partitions": len(latest),
            "worst partition": str(worst.partition),  # the one its columns describe
        },
        failed_partitions=tuple(names),
        of_partitions=len(latest),
    )
