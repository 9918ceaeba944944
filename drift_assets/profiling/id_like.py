"""Which nearly all-distinct columns are identifiers, set aside from distribution tests.

A column whose values are (nearly) all distinct is compared by nothing useful: its
categories never repeat. Text like that is an identifier. Integers like that are
identifiers only when they also fill their range densely: a sequence, whose next
batch lies beyond this one's and would read as drift every day; or when every
value reads as an epoch time (event time, like a date column). Sparse all-distinct
integers are measures (populations, employment counts, amounts in cents) and are
tested like any number.
"""

from __future__ import annotations

from drift_assets.profiling.dataset_profile import LogicalType

# Fewer values than this are never called identifiers.
MIN_ID_LIKE_VALUES = 20
# All-distinct integers filling at least this share of their range are a sequence.
_DENSE_SHARE = 0.5
# Epoch times from 2000 to 2100, in seconds, milliseconds, microseconds, nanoseconds.
_EPOCH_SECONDS = (946_684_800, 4_102_444_800)
_EPOCH_UNITS = (1, 1_000, 1_000_000, 1_000_000_000)


def id_like_reason(
    kind: LogicalType,
    non_null: int,
    distinct: int,
    ratio: float,
    span: tuple[int | None, int | None] | None = None,
) -> str | None:
    """Why the column is set aside (``skip_reason``), or None to test it.

    ``ratio`` is the policy's ``id_like_distinct_ratio``; ``span`` an integer
    column's (min, max).
    """
    if kind not in (LogicalType.STRING, LogicalType.INTEGER):
        return None
    if non_null < MIN_ID_LIKE_VALUES or distinct / non_null < ratio:
        return None
    share = f"{distinct / non_null:.1%} of values distinct"
    if kind is LogicalType.INTEGER and span is not None:
        low, high = span
        if low is not None and high is not None:
            if _epoch_like(low, high):
                return f"epoch-like: {share}, all within epoch times (event time)"
            if distinct / (high - low + 1) < _DENSE_SHARE:
                return None
    return f"id-like: {share}"


def _epoch_like(low: int, high: int) -> bool:
    """Whether every value lies within epoch times of one unit (2000 to 2100)."""
    first, last = _EPOCH_SECONDS
    return any(first * unit <= low and high <= last * unit for unit in _EPOCH_UNITS)
