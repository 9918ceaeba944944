"""Prototype, not used by drift_assets: column profiles from in-memory arrays by one sort.

The idea for ``profiling.py``'s DataFrame path, kept here with the A/B that measured
it (``bench/array_path_ab.py``). The results follow ``profiling.py``'s conventions,
with exact distinct counts.

Why a sort: once a numeric column is sorted, every measure is a lookup. The non-null
values are a prefix (NaN sorts last), the finite ones a slice of it, min and max its
ends, distinct values its steps, counts in any edges one ``searchsorted``, quantile
edges plain indexing. numpy's vectorised sort does all this faster than DuckDB's
aggregates plus a binning pass, and it releases the GIL, so columns run side by side
on threads. A string column is one Arrow ``value_counts``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Protocol

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from drift_assets.profile import (
    CategoricalSummary,
    ColumnProfile,
    Histogram,
    LogicalType,
    NumericSummary,
)

MIN_ID_LIKE_VALUES = 20
# Reference edges are kept for this batch's own histogram unless a tail bin holds
# this much more than the reference's share of it, or an inner bin more than
# INNER_BIN_FACTOR times its share (its equal share, or the reference's when ties
# made that larger).
TAIL_SLACK = 0.10
INNER_BIN_FACTOR = 5.0


class PlannedColumn(Protocol):
    """What is known about a column before reading it, and its reference."""

    index: int
    name: str
    physical_type: str
    logical_type: LogicalType
    reference_edges: tuple[float, ...] | None
    reference_shape: tuple[int, ...] | None
    reference_values: tuple[str, ...] | None


def profile_numeric(
    c: PlannedColumn, values: np.ndarray, *, bins: int, id_like_ratio: float, owned: bool = False
) -> ColumnProfile:
    """Profile float64 ``values`` (NaN = null); sorted in place when ``owned``, else a copy."""
    s = values if owned else np.sort(values)
    if owned:
        s.sort()
    row_count = len(s)
    non_null = int(np.searchsorted(s, np.nan))
    s = s[:non_null]
    distinct = 1 + int(np.count_nonzero(s[1:] != s[:-1])) if non_null else 0
    skip_reason = id_like_reason(c.logical_type, non_null, distinct, id_like_ratio)
    finite = s[np.searchsorted(s, -np.inf, side="right") : np.searchsorted(s, np.inf)]
    with np.errstate(over="ignore", invalid="ignore"):
        mean = finite_or_none(finite.mean()) if len(finite) else None
        std = finite_or_none(finite.std(ddof=1)) if len(finite) > 1 else None
    low = float(finite[0]) if len(finite) else None
    high = float(finite[-1]) if len(finite) else None

    def counts_in(edges: Sequence[float]) -> tuple[int, ...]:
        at_or_below = np.searchsorted(s, np.asarray(edges, dtype=np.float64), side="right")
        return (
            int(at_or_below[0]),
            *np.diff(at_or_below).tolist(),
            non_null - int(at_or_below[-1]),
        )

    reference_counts = histogram = None
    if c.reference_edges is not None:
        reference_counts = counts_in(c.reference_edges)
    if skip_reason is None and non_null:
        if reference_counts is not None and edges_fit(reference_counts, c.reference_shape or ()):
            histogram = Histogram(c.reference_edges or (), reference_counts)
        elif len(finite):
            positions = np.floor(np.arange(1, bins) / bins * (len(finite) - 1)).astype(np.intp)
            edges = quantile_edges(finite[positions])
            if edges:
                histogram = Histogram(edges, counts_in(edges))
    return ColumnProfile(
        name=c.name,
        logical_type=c.logical_type,
        physical_type=c.physical_type,
        position=c.index,
        null_count=row_count - non_null,
        distinct_count=distinct,
        numeric=NumericSummary(
            min=low,
            max=high,
            mean=mean,
            std=std,
            histogram=histogram,
            reference_counts=None if skip_reason else reference_counts,
        ),
        skip_reason=skip_reason,
    )


def profile_strings(
    c: PlannedColumn, values: pa.Array | pa.ChunkedArray, *, top_k: int, id_like_ratio: float
) -> ColumnProfile:
    """Profile a column of strings from its exact value counts."""
    counted = pc.value_counts(values)
    # value_counts lists null as a value of its own; nulls are counted separately.
    counted = counted.filter(pc.is_valid(counted.field("values")))
    names, counts = counted.field("values"), counted.field("counts").to_numpy()
    non_null = int(counts.sum())
    distinct = len(counts)
    skip_reason = id_like_reason(c.logical_type, non_null, distinct, id_like_ratio)
    categorical = None
    if skip_reason is None:
        top = _top(names, counts, top_k + 1)
        reference_counts = None
        if c.reference_values is not None:
            where = pc.index_in(pa.array(c.reference_values, pa.string()), value_set=names)
            found = where.to_numpy(zero_copy_only=False)
            matched = [int(counts[int(i)]) if i == i else 0 for i in found]
            reference_counts = (*matched, non_null - sum(matched))
        categorical = CategoricalSummary(
            top=tuple(top[:top_k]),
            other_count=non_null - sum(n for _, n in top[:top_k]),
            complete=len(top) <= top_k,
            reference_counts=reference_counts,
        )
    return ColumnProfile(
        name=c.name,
        logical_type=c.logical_type,
        physical_type=c.physical_type,
        position=c.index,
        null_count=len(values) - non_null,
        distinct_count=distinct,
        categorical=categorical,
        skip_reason=skip_reason,
    )


def _top(names: pa.Array, counts: np.ndarray, k: int) -> list[tuple[str, int]]:
    """The k most frequent values, ties by value, without sorting every value."""
    if len(counts) > k:
        threshold = np.partition(counts, len(counts) - k)[len(counts) - k]
        keep = np.flatnonzero(counts >= threshold)
    else:
        keep = np.arange(len(counts))
    pairs = zip(names.take(pa.array(keep)).to_pylist(), counts[keep].tolist(), strict=True)
    return sorted(pairs, key=lambda pair: (-pair[1], pair[0]))[:k]


def run_columns(tasks: Sequence[Callable[[], ColumnProfile]], threads: int) -> list[ColumnProfile]:
    """Run per-column work on ``threads`` threads (numpy and Arrow release the GIL)."""
    if threads <= 1 or len(tasks) <= 1:
        return [task() for task in tasks]
    with ThreadPoolExecutor(max_workers=threads) as pool:
        return list(pool.map(lambda task: task(), tasks))


def id_like_reason(
    kind: LogicalType, non_null: int, distinct: int, id_like_ratio: float
) -> str | None:
    """Why a string or integer column is an ID rather than a distribution, or None."""
    if kind not in (LogicalType.STRING, LogicalType.INTEGER):
        return None
    if non_null < MIN_ID_LIKE_VALUES or distinct / non_null < id_like_ratio:
        return None
    return f"id-like: {distinct / non_null:.1%} of values distinct"


def finite_or_none(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def quantile_edges(quantiles: Sequence[float] | np.ndarray | None) -> tuple[float, ...]:
    """Sorted distinct finite cut points (heavy ties collapse into one edge)."""
    if quantiles is None:
        return ()
    return tuple(sorted({float(q) for q in quantiles if q is not None and math.isfinite(q)}))


def edges_fit(counts: Sequence[int], shape: Sequence[int]) -> bool:
    """Whether reference edges still give this batch a usable equi-depth histogram."""
    total, shape_total = sum(counts), sum(shape)
    equal = 1 / len(counts)
    last = len(counts) - 1
    for i, n in enumerate(counts):
        share = max(equal, shape[i] / shape_total if shape_total else 0.0)
        limit = share + TAIL_SLACK if i in (0, last) else share * INNER_BIN_FACTOR
        if n / total > limit:
            return False
    return True
