"""A dataset's ``partitions:`` block and the one partition a batch belongs to.

Time windows (hourly, daily, weekly, monthly) are ordered: a partition's baseline
comes from earlier partitions. Static partitions (regions, say) are separate
streams: each key is compared with its own earlier batches. A source takes the
partition through a path template (``data/orders/{partition}.csv``,
``{date:%Y/%m/%d}``) or, in SQL, through the bound parameters ``$partition_key``,
``$partition_start`` and ``$partition_end``, never formatted into the query.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator, model_validator

from drift_assets.settings.strict import Strict

CADENCES = ("hourly", "daily", "weekly", "monthly")
# The season seasonal:N compares with: the same weekday of earlier weeks for daily
# data, the same hour of earlier days for hourly data.
SEASONAL_CADENCES = ("hourly", "daily")
# A static key ends up in file names and Dagster's partition keys.
_STATIC_KEY = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
_SQL_PARAMETER = re.compile(r"\$(partition_key|partition_start|partition_end)\b")
_TEMPLATE_FIELD = re.compile(r"\{(partition|date)(:[^{}]*)?\}")


class TimeWindowConfig(Strict):
    """``start`` (an ISO date or date-time, in ``timezone``), and ``end_offset``:
    how many partitions past the last complete one exist (1: today's, still filling)."""

    start: str
    timezone: str = "UTC"
    end_offset: int = Field(default=0, ge=-1000, le=1000)

    @field_validator("start")
    @classmethod
    def _iso_start(cls, value: str) -> str:
        try:
            datetime.fromisoformat(value)
        except ValueError:
            raise ValueError(
                f"{value[:80]!r} is not an ISO date or date-time (e.g. '2026-11-01')"
            ) from None
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(f"{value[:80]!r} is not a known IANA timezone (e.g. 'UTC')") from None
        return value


class PartitionsConfig(Strict):
    """Exactly one of ``hourly``, ``daily``, ``weekly``, ``monthly`` or ``static``."""

    hourly: TimeWindowConfig | None = None
    daily: TimeWindowConfig | None = None
    weekly: TimeWindowConfig | None = None
    monthly: TimeWindowConfig | None = None
    static: tuple[str, ...] | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> PartitionsConfig:
        given = [k for k in (*CADENCES, "static") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "expected exactly one of hourly, daily, weekly, monthly or static"
                + (f", got {', '.join(given)}" if given else ", got none")
            )
        return self

    @field_validator("static")
    @classmethod
    def _keys(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return None
        if not value:
            raise ValueError("static needs at least one key")
        bad = [k for k in value if not _STATIC_KEY.fullmatch(k) or ".." in k]
        if bad:
            raise ValueError(
                f"static key {bad[0][:80]!r}: use letters, digits, '_', '-' and '.'"
                " (no '..'), starting with a letter or digit"
            )
        if len(set(value)) != len(value):
            raise ValueError("static keys must be distinct")
        return value

    @property
    def cadence(self) -> str:
        """hourly | daily | weekly | monthly | static."""
        return next(k for k in (*CADENCES, "static") if getattr(self, k) is not None)

    @property
    def window(self) -> TimeWindowConfig | None:
        return None if self.static is not None else getattr(self, self.cadence)


@dataclass(frozen=True)
class Partition:
    """The partition one batch belongs to: its key and, for a time window, its
    start (inclusive) and end (exclusive), zoned."""

    key: str
    start: datetime | None = None
    end: datetime | None = None

    @property
    def is_time_window(self) -> bool:
        return self.start is not None


def template_fields(text: str) -> set[str]:
    """Which partition fields (``partition``, ``date``) a path template uses."""
    return {m.group(1) for m in _TEMPLATE_FIELD.finditer(text)}


def sql_parameters(sql: str) -> list[str]:
    """The partition parameters a SQL source binds, in the order first used."""
    return list(dict.fromkeys(m.group(1) for m in _SQL_PARAMETER.finditer(sql)))


def sql_values(sql: str, partition: Partition | None) -> dict[str, object]:
    """The bound values of the partition parameters ``sql`` uses (DuckDB refuses
    values for parameters a query does not name)."""
    if partition is None:
        return {}
    values = {
        "partition_key": partition.key,
        "partition_start": partition.start,
        "partition_end": partition.end,
    }
    return {name: values[name] for name in sql_parameters(sql)}


def source_problem(kind: str, location: str, partitions: PartitionsConfig | None) -> str | None:
    """Why a source does not fit the dataset's partitions (None when it does): a
    partitioned dataset's source must take the partition, an unpartitioned one's
    must not, and a static partition has no date."""
    uses = set(sql_parameters(location)) if kind == "sql" else template_fields(location)
    if partitions is None:
        if uses:
            what = ", ".join(sorted(f"${u}" if kind == "sql" else f"{{{u}}}" for u in uses))
            return f"uses {what} but the dataset declares no partitions"
        return None
    if kind != "sql":
        try:
            format_path(location, Partition("k", datetime(2000, 1, 1), datetime(2000, 1, 2)))
        except ValueError as exc:
            return str(exc)
    if not uses:
        how = (
            "$partition_key, $partition_start or $partition_end"
            if kind == "sql"
            else ("{partition} or {date:...} in the path")
        )
        return f"a partitioned dataset's source must take the partition: use {how}"
    dated = uses & {"date", "partition_start", "partition_end"}
    if partitions.static is not None and dated:
        return f"static partitions have no date, but the source uses {sorted(dated)}"
    return None


def format_path(template: str, partition: Partition) -> str:
    """A path template filled in for one partition: ``{partition}`` is its key,
    ``{date}`` (or ``{date:%Y/%m/%d}``, any strftime format) its start."""
    out = []
    for literal, field, spec, conversion in string.Formatter().parse(template):
        out.append(literal)
        if field is None:
            continue
        if conversion:
            raise ValueError(
                f"template field {{{field}!{conversion}}}: conversions are not allowed"
            )
        if field == "partition" and not spec:
            out.append(partition.key)
        elif field == "date" and partition.start is not None:
            out.append(partition.start.strftime(spec or "%Y-%m-%d"))
        else:
            raise ValueError(
                f"template field {{{field}{':' + spec if spec else ''}}}: expected {{partition}}"
                " or {date} / {date:FORMAT} (strftime)"
            )
    return "".join(out)


def parse_start(window: TimeWindowConfig) -> datetime:
    """The window's start as a zoned datetime (a date means its midnight)."""
    value = datetime.fromisoformat(window.start)  # a date alone reads as its midnight
    zone = ZoneInfo(window.timezone)
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def same_season(candidate: datetime, current: datetime, cadence: str) -> bool:
    """Whether an earlier partition is in the current one's season: the same
    weekday (daily) or the same hour of the day (hourly), read in the current
    partition's timezone so daylight saving does not shift it."""
    here = candidate.astimezone(current.tzinfo)
    if cadence == "hourly":
        return here.hour == current.hour
    return here.weekday() == current.weekday()
