"""Times as the history commands read and show them: ``--since`` values and
stored timestamps, always in UTC so every machine prints the same."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

_DURATION = re.compile(r"^\s*(\d+)\s*([mhdw])\s*$")
_UNIT = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime) -> datetime:
    """``30m``, ``12h``, ``7d`` or ``2w`` before ``now``, or an ISO date or time
    (UTC unless it names its offset)."""
    match = _DURATION.match(text)
    if match:
        return now - timedelta(**{_UNIT[match.group(2)]: int(match.group(1))})
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration (30m, 12h, 7d, 2w) nor a date (2026-11-01)"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_utc(moment: datetime | str) -> datetime:
    """A stored time (a datetime, or a profile's ISO string) in UTC."""
    if isinstance(moment, str):
        moment = datetime.fromisoformat(moment)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def show_time(moment: datetime | str) -> str:
    """To the minute, for a terminal; column headers say the times are UTC."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M")
