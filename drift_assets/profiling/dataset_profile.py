"""The profile of one dataset batch: the only thing checks ever look at.

Profiling (``profiling.py``) reads the rows once and produces a ``DatasetProfile``;
everything downstream (baselines, checks, the store, alerts) works on this small
record. Profiles round-trip through JSON so the store can keep them.

Histogram convention (shared with DuckDB's ``histogram(x, boundaries)``):
``edges`` are sorted cut points e_0 < ... < e_{k-1}; ``counts`` has k + 1 entries:
counts[0] = #{x <= e_0}, counts[i] = #{e_{i-1} < x <= e_i}, counts[k] = #{x > e_{k-1}}.
So the empirical CDF is known exactly at every edge, which is what the KS
distance and PSI are computed from.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any


class LogicalType(StrEnum):
    """Engine-independent column types, so ``object`` vs ``str`` or int32 vs int64
    is never reported as a type change."""

    INTEGER = "integer"
    FLOAT = "float"
    DECIMAL = "decimal"
    BOOLEAN = "boolean"
    STRING = "string"
    DATE = "date"
    DATETIME = "datetime"
    DATETIME_TZ = "datetime_tz"
    TIME = "time"
    DURATION = "duration"
    OTHER = "other"

    @property
    def is_numeric(self) -> bool:
        """Compared by histogram (dates and datetimes as epoch numbers)."""
        return self in _NUMERIC_LIKE

    @property
    def is_categorical(self) -> bool:
        """Compared by value counts."""
        return self in (LogicalType.STRING, LogicalType.BOOLEAN)


_NUMERIC_LIKE = frozenset(
    {
        LogicalType.INTEGER,
        LogicalType.FLOAT,
        LogicalType.DECIMAL,
        LogicalType.DATE,
        LogicalType.DATETIME,
        LogicalType.DATETIME_TZ,
        LogicalType.DURATION,
    }
)


@dataclass(frozen=True)
class Histogram:
    """Cut points and exact counts of the non-null values (see module docstring)."""

    edges: tuple[float, ...]
    counts: tuple[int, ...]

    def __post_init__(self) -> None:
        if len(self.counts) != len(self.edges) + 1:
            raise ValueError(
                f"a histogram with {len(self.edges)} edges needs {len(self.edges) + 1} counts,"
                f" got {len(self.counts)}"
            )

    @property
    def total(self) -> int:
        return sum(self.counts)


@dataclass(frozen=True)
class NumericSummary:
    """Moments and histogram of a numeric-like column (dates as epoch seconds).

    ``histogram`` is this batch's own equi-depth histogram, used when this profile
    serves as a baseline. ``reference_counts`` are this batch's counts in the
    *baseline's* edges (``None`` when profiled without a baseline), so the
    comparison needs no second pass over either batch.
    """

    min: float | None
    max: float | None
    mean: float | None
    std: float | None
    histogram: Histogram | None
    reference_counts: tuple[int, ...] | None = None


@dataclass(frozen=True)
class CategoricalSummary:
    """Most frequent values and the count of the rest.

    ``top`` holds up to K (value, count) pairs, most frequent first; ``other_count``
    counts every non-null row outside them, so sum(top) + other_count equals the
    column's non-null count. ``complete`` is true when ``top`` lists every distinct
    value, which is when "a category never seen before" can be said with certainty.
    ``reference_counts`` are this batch's counts of the baseline's top values, in
    the baseline's order, followed by the count of everything else (``None`` when
    profiled without a baseline).
    """

    top: tuple[tuple[str, int], ...]
    other_count: int
    complete: bool
    reference_counts: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ColumnProfile:
    name: str
    logical_type: LogicalType
    physical_type: str
    position: int
    null_count: int
    distinct_count: int
    numeric: NumericSummary | None = None
    categorical: CategoricalSummary | None = None
    # Why the column is left out of distribution tests (for example "id-like:
    # 99.8% of values are distinct"); None when it is tested.
    skip_reason: str | None = None

    def null_rate(self, row_count: int) -> float:
        return self.null_count / row_count if row_count else 0.0


@dataclass(frozen=True)
class DatasetProfile:
    dataset: str
    row_count: int
    columns: tuple[ColumnProfile, ...]
    profiled_at: str  # ISO 8601, UTC
    # Set by the store once persisted; None for profiles not (yet) stored.
    profile_id: int | None = None
    # Profiles pooled into this one (rolling baselines); empty for a single batch.
    pooled_from: tuple[int, ...] = field(default_factory=tuple)

    def column(self, name: str) -> ColumnProfile | None:
        return self._by_name.get(name)

    @cached_property
    def _by_name(self) -> dict[str, ColumnProfile]:
        # A scan per look-up made every check quadratic in the width: 10,000 columns
        # spent 11 s here.
        by_name: dict[str, ColumnProfile] = {}
        for c in self.columns:
            by_name.setdefault(c.name, c)
        return by_name

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> DatasetProfile:
        return cls(
            dataset=data["dataset"],
            row_count=int(data["row_count"]),
            columns=tuple(_column_from_dict(c) for c in data["columns"]),
            profiled_at=data["profiled_at"],
            profile_id=data.get("profile_id"),
            pooled_from=tuple(data.get("pooled_from") or ()),
        )


def _column_from_dict(data: dict[str, Any]) -> ColumnProfile:
    numeric = data.get("numeric")
    categorical = data.get("categorical")
    return ColumnProfile(
        name=data["name"],
        logical_type=LogicalType(data["logical_type"]),
        physical_type=data["physical_type"],
        position=int(data["position"]),
        null_count=int(data["null_count"]),
        distinct_count=int(data["distinct_count"]),
        numeric=_numeric_from_dict(numeric) if numeric else None,
        categorical=_categorical_from_dict(categorical) if categorical else None,
        skip_reason=data.get("skip_reason"),
    )


def _numeric_from_dict(data: dict[str, Any]) -> NumericSummary:
    hist = data.get("histogram")
    ref = data.get("reference_counts")
    return NumericSummary(
        min=data.get("min"),
        max=data.get("max"),
        mean=data.get("mean"),
        std=data.get("std"),
        histogram=Histogram(tuple(hist["edges"]), tuple(hist["counts"])) if hist else None,
        reference_counts=tuple(ref) if ref is not None else None,
    )


def _categorical_from_dict(data: dict[str, Any]) -> CategoricalSummary:
    ref = data.get("reference_counts")
    return CategoricalSummary(
        top=tuple((str(v), int(n)) for v, n in data["top"]),
        other_count=int(data["other_count"]),
        complete=bool(data["complete"]),
        reference_counts=tuple(ref) if ref is not None else None,
    )
