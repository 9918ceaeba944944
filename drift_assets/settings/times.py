"""Times and durations, read and shown one way everywhere.

One duration grammar serves ``--since 7d``, an alert's ``repeat_interval: 4h`` and a
snooze of ``1h``: a number and a unit, s, m, h, d or w. Times are shown in UTC, to
the minute, so every machine prints the same: ``show_time`` in tables (whose
headers say UTC), ``when`` in sentences.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

from pydantic import BeforeValidator

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$")
_UNIT_S = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
_EXAMPLES = "30s, 15m, 4h, 7d or 2w"


def parse_duration(text: str) -> timedelta:
    """``30s``, ``15m``, ``4h``, ``1.5d`` or ``2w`` as a timedelta."""
    match = _DURATION.match(text)
    if not match:
        raise ValueError(f"{text!r} is not a duration; write e.g. {_EXAMPLES}")
    return timedelta(seconds=float(match[1]) * _UNIT_S[match[2]])


def show_duration(delta: timedelta) -> str:
    """The largest unit that states it exactly: ``4h``, ``90m``, ``45s``."""
    seconds = int(delta.total_seconds())
    for unit in ("w", "d", "h", "m"):
        size = _UNIT_S[unit]
        if seconds >= size and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _duration(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return timedelta(seconds=value)  # a bare number is seconds
    if isinstance(value, str):
        return parse_duration(value)
    return value


# A duration field of the dataset file (or a command-line value validated like one).
Duration = Annotated[timedelta, BeforeValidator(_duration)]


def parse_since(text: str, now: datetime) -> datetime:
    """A duration before ``now``, or an ISO date or time (UTC unless it names its
    offset)."""
    if _DURATION.match(text):
        return now - parse_duration(text)
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(
            f"{text!r} is neither a duration ({_EXAMPLES}) nor a date (2026-11-01)"
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
    """To the minute, for a table whose header says the times are UTC."""
    return as_utc(moment).strftime("%Y-%m-%d %H:%M")


def when(moment: datetime | str | None) -> str:
    """To the minute with its zone, for a sentence; ``?`` when not known."""
    return f"{show_time(moment)} UTC" if moment is not None else "?"
