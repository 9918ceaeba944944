"""Choosing what a batch is compared with: one profile, or the last N pooled into
one. Pure functions over stored profiles; which stored profiles may be a baseline
at all (passed or accepted, see ``DriftStore.baseline_profiles``) is the store's
query, so the history is never read whole."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    Histogram,
    NumericSummary,
)


def select_baseline(
    recent: Sequence[DatasetProfile], *, rolling_window: int | None = None, top_k: int = 50
) -> DatasetProfile | None:
    """The newest profile (``rolling_window`` None) or the newest N pooled, from
    the profiles that may be a baseline, newest first; None when there is none
    (the batch then records the baseline). ``pinned`` needs no choice: it is
    whatever profile is pinned."""
    window = list(recent[: rolling_window or 1])
    if len(window) <= 1:
        return window[0] if window else None
    return pool_profiles(window, top_k=top_k)


def pool_profiles(profiles: Sequence[DatasetProfile], *, top_k: int = 50) -> DatasetProfile:
    """Pool several profiles (newest first) into one, as if their rows were one batch.

    The newest profile gives the schema and the histogram edges; older histograms
    are re-binned onto those edges by interpolating their CDFs linearly inside
    each bin, which is exact at shared edges and close elsewhere.
    """
    newest = profiles[0]
    columns = []
    for column in newest.columns:
        same = [
            (p.row_count, c)
            for p in profiles
            if (c := p.column(column.name)) is not None and c.logical_type == column.logical_type
        ]
        columns.append(_pool_column(column, same, top_k))
    return DatasetProfile(
        dataset=newest.dataset,
        row_count=sum(p.row_count for p in profiles),
        columns=tuple(columns),
        profiled_at=newest.profiled_at,
        profile_id=None,
        pooled_from=tuple(p.profile_id for p in profiles if p.profile_id is not None),
    )


def _pool_column(
    newest: ColumnProfile, same: list[tuple[int, ColumnProfile]], top_k: int
) -> ColumnProfile:
    cols = [c for _, c in same]
    skip_reason = next((c.skip_reason for c in cols if c.skip_reason), None)
    return replace(
        newest,
        null_count=sum(c.null_count for c in cols),
        distinct_count=max(c.distinct_count for c in cols),
        numeric=_pool_numeric(cols) if newest.numeric else None,
        categorical=_pool_categorical(cols, top_k) if newest.categorical else None,
        skip_reason=skip_reason,
    )


def _pool_numeric(cols: list[ColumnProfile]) -> NumericSummary:
    summaries = [c.numeric for c in cols if c.numeric and c.numeric.histogram]
    newest = cols[0].numeric
    if not summaries or newest is None or newest.histogram is None:
        return newest
    edges = np.asarray(newest.histogram.edges, dtype=float)
    cumulative = np.zeros(len(edges))
    total = 0
    mins, maxs, weighted = [], [], []
    for summary in summaries:
        hist = summary.histogram
        n = hist.total
        cumulative += _cdf_counts_at(summary, edges)
        total += n
        if summary.min is not None:
            mins.append(summary.min)
            maxs.append(summary.max)
        if summary.mean is not None and summary.std is not None and n:
            weighted.append((n, summary.mean, summary.std))
    counts = np.diff(np.concatenate([[0.0], cumulative, [total]]))
    rounded = _round_preserving_total(np.clip(counts, 0, None), total)
    mean, std = _pooled_moments(weighted)
    return NumericSummary(
        min=min(mins) if mins else None,
        max=max(maxs) if maxs else None,
        mean=mean,
        std=std,
        histogram=Histogram(tuple(float(e) for e in edges), tuple(rounded)),
    )


def _cdf_counts_at(summary: NumericSummary, at: np.ndarray) -> np.ndarray:
    """How many of this summary's values are <= each point, interpolated linearly
    within bins; the tails run from min to the first edge and from the last edge
    to max."""
    hist = summary.histogram
    edges = np.asarray(hist.edges, dtype=float)
    cum = np.cumsum(hist.counts)
    low = summary.min if summary.min is not None and summary.min <= edges[0] else edges[0]
    high = summary.max if summary.max is not None and summary.max >= edges[-1] else edges[-1]
    xs = np.concatenate([[low], edges, [high]])
    ys = np.concatenate([[0.0], cum[:-1], [cum[-1]]]).astype(float)
    # np.interp needs strictly increasing x: where a tail has no width (min on the
    # first edge, max on the last) keep the later point, the CDF's value there.
    keep = np.append(xs[1:] > xs[:-1], True)
    return np.interp(at, xs[keep], ys[keep], left=0.0, right=float(cum[-1]))


def _round_preserving_total(values: np.ndarray, total: int) -> list[int]:
    floors = np.floor(values).astype(int)
    remainder = total - int(floors.sum())
    if remainder > 0:
        order = np.argsort(-(values - floors))
        floors[order[:remainder]] += 1
    return [int(v) for v in floors]


def _pooled_moments(parts: list[tuple[int, float, float]]) -> tuple[float | None, float | None]:
    if not parts:
        return None, None
    n = sum(p[0] for p in parts)
    mean = sum(k * m for k, m, _ in parts) / n
    # Law of total variance over the pooled batches.
    variance = sum(k * (s**2 + (m - mean) ** 2) for k, m, s in parts) / n
    return mean, float(np.sqrt(variance))


def _pool_categorical(cols: list[ColumnProfile], top_k: int) -> CategoricalSummary:
    summaries = [c.categorical for c in cols if c.categorical]
    counts: Counter[str] = Counter()
    non_null = 0
    for summary in summaries:
        counts.update(dict(summary.top))
        non_null += sum(n for _, n in summary.top) + summary.other_count
    top = tuple(counts.most_common(top_k))
    return CategoricalSummary(
        top=top,
        other_count=non_null - sum(n for _, n in top),
        complete=all(s.complete for s in summaries) and len(counts) <= top_k,
    )
