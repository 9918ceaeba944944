"""Event time: date and datetime columns, said as the range of times they hold.

A column of event times (created_at, a partition date) moves forward with every
batch by design, so comparing its distribution with last week's reports the
calendar (``created_at PSI 8.3``), not drift. It is reported as its range
instead, unless a policy opts the column in with ``test_datetimes``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from drift_assets.profiling.dataset_profile import ColumnProfile, LogicalType

_EVENT_TIME = frozenset({LogicalType.DATE, LogicalType.DATETIME, LogicalType.DATETIME_TZ})


def is_event_time(kind: LogicalType) -> bool:
    return kind in _EVENT_TIME


def time_ranges(column: ColumnProfile, base: ColumnProfile) -> dict[str, str]:
    """Both sides' ranges, each as "first..last" in the coarsest unit that shows
    them exactly (days, minutes or seconds, in UTC)."""
    return {"current": time_range(column), "baseline": time_range(base)}


def time_range(column: ColumnProfile) -> str:
    summary = column.numeric
    if summary is None or summary.min is None or summary.max is None:
        return "no values"
    first, last = (datetime.fromtimestamp(t, UTC) for t in (summary.min, summary.max))
    zone = " UTC" if column.logical_type is LogicalType.DATETIME_TZ else ""
    return f"{_when(first, (first, last))}..{_when(last, (first, last))}{zone}"


def _when(moment: datetime, both: tuple[datetime, datetime]) -> str:
    if all(m.hour == m.minute == m.second == m.microsecond == 0 for m in both):
        return moment.strftime("%Y-%m-%d")
    if all(m.second == m.microsecond == 0 for m in both):
        return moment.strftime("%Y-%m-%d %H:%M")
    return moment.strftime("%Y-%m-%d %H:%M:%S")
