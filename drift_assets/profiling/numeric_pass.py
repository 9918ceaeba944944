"""The numeric pass: moments and exact bin counts of one column, chunk by chunk,
and the edges they are counted in."""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeAlias

import numpy as np
import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd

# Fresh edges are quantiles of a row sample of about this many rows (all rows below
# twice that). Edges need only be roughly equi-depth: counts are exact.
EDGE_SAMPLE_ROWS = 100_000
SAMPLE_SEED = 20240601
# Reference edges are kept for this batch's own histogram unless a tail bin holds
# _TAIL_SLACK more than its expected share, or an inner bin more than
# _INNER_BIN_FACTOR times it (expected: the equal share, or the reference's own share
# of that bin when ties made it larger).
_TAIL_SLACK = 0.10
_INNER_BIN_FACTOR = 5.0
# Rows per chunk read from memory (so the temporaries stay in cache), cells of the
# binning lookup table, and the most edges one cell may hold before a binary search
# is cheaper.
CHUNK_ROWS = 1 << 16
_CELLS = 1 << 16
_MAX_CELL_CHECKS = 8
# Fewer values than this are binned by binary search, without the table.
_SMALL_CHUNK = 4096

Edges = tuple[float, ...]
# A DataFrame column numpy reads in place: a numpy array, or a pandas nullable or
# Arrow-backed numeric array. Spelled as a string so that profiling a file never
# imports pandas (half a second of `drift-assets compare`).
InMemory: TypeAlias = "np.ndarray | pd.api.extensions.ExtensionArray"


class NumericPass:
    """Moments and bin counts of one numeric column, fed chunk by chunk.

    Each chunk's mean and sum of squared deviations are merged into the running ones
    (Chan et al.), which stays accurate where a plain sum of squares cancels (epoch
    seconds around 1.7e9 with a spread of seconds, say).
    """

    def __init__(self, edges: Edges | None, *, fresh: bool) -> None:
        self.edges = edges
        self.fresh = fresh
        self.bins = Bins(edges) if edges else None
        self.n = 0
        self.mean = 0.0
        self.squares = 0.0
        self.low = math.inf
        self.high = -math.inf

    def add(self, values: np.ndarray) -> None:
        """Add float64 values, NaN for nulls."""
        missing = np.isnan(values)
        if missing.any():
            values = values[~missing]
        finite = np.isfinite(values)
        self._add_moments(values if finite.all() else values[finite])
        if self.bins is not None:
            self.bins.add(values)

    def _add_moments(self, values: np.ndarray) -> None:
        n = len(values)
        if not n:
            return
        with np.errstate(over="ignore", invalid="ignore"):
            mean = float(values.mean())
            squares = float(np.square(values - mean).sum())
        total = self.n + n
        delta = mean - self.mean
        self.mean += delta * n / total
        self.squares += squares + delta * delta * self.n * n / total
        self.n = total
        self.low = min(self.low, float(values.min()))
        self.high = max(self.high, float(values.max()))

    def moments(self) -> tuple[float | None, float | None, float | None, float | None]:
        """min, max, mean and (sample) std of the finite values."""
        if not self.n:
            return None, None, None, None
        mean = _finite(self.mean)
        std = (
            _finite(math.sqrt(self.squares / (self.n - 1)))
            if self.n > 1 and mean is not None
            else None
        )
        return self.low, self.high, mean, std


class Bins:
    """Exact counts in fixed edges, in the profile's convention: per edge the values
    <= it and above the previous edge, then the values above the last edge.

    The bin of x is the number of edges below x. A table over a uniform grid of cells
    gives, for x's cell, the number of edges in lower cells (all below x, as the cell
    of a value is monotone in it); the few edges inside x's own cell are then
    compared one by one. Columns whose edges crowd into cells (extreme tails) fall
    back to a binary search.
    """

    def __init__(self, edges: tuple[float, ...]) -> None:
        self.edges = np.asarray(edges, dtype=np.float64)
        self.totals = np.zeros(len(edges) + 1, dtype=np.int64)
        low, high = float(edges[0]), float(edges[-1])
        width = high - low
        self.low = low
        self.scale = _CELLS / width if 0 < width < math.inf else 0.0

    # The table and what goes with it are built on first use by a chunk big enough
    # to need them: the table costs about a millisecond, which 10,000 columns of a
    # few rows each paid in full, and the rest ~25 us a column.
    @cached_property
    def cells(self) -> np.ndarray:
        return self._cells(self.edges)

    @cached_property
    def checks(self) -> int:
        return int(np.bincount(self.cells).max())

    @cached_property
    def bounds(self) -> np.ndarray:
        return np.append(self.edges, np.inf)

    @cached_property
    def table(self) -> np.ndarray:
        return np.searchsorted(self.cells, np.arange(_CELLS + 1), side="left").astype(np.int32)

    def _cells(self, values: np.ndarray) -> np.ndarray:
        if not self.scale:
            # One edge, or edges too far apart for a grid (infinity times 0 is NaN).
            return np.zeros(len(values), dtype=np.int32)
        # The same float steps for edges and values keep the cell monotone in the value.
        with np.errstate(over="ignore"):
            shifted = (values - self.low) * self.scale
        return np.clip(shifted, 0, _CELLS, out=shifted).astype(np.int32)

    def add(self, values: np.ndarray) -> None:
        if len(values) < _SMALL_CHUNK or self.checks > _MAX_CELL_CHECKS:
            index = np.searchsorted(self.edges, values, side="left")
        else:
            index = self.table[self._cells(values)]
            for _ in range(self.checks):
                index += values > self.bounds[index]
        self.totals += np.bincount(index, minlength=len(self.totals))

    @property
    def counts(self) -> tuple[int, ...]:
        return tuple(int(n) for n in self.totals)


def sample_values(values: InMemory) -> np.ndarray:
    """The rows fresh edges are drawn from: all of few, else a seeded row sample."""
    if len(values) > 2 * EDGE_SAMPLE_ROWS:
        rng = np.random.default_rng(SAMPLE_SEED)
        values = values[rng.integers(0, len(values), EDGE_SAMPLE_ROWS)]
    return _floats(values)


def chunks(values: InMemory) -> Iterator[np.ndarray]:
    """An in-memory column as float64 chunks, NaN for nulls."""
    for start in range(0, len(values), CHUNK_ROWS):
        yield _floats(values[start : start + CHUNK_ROWS])


def _floats(values: InMemory) -> np.ndarray:
    """float64 values, NaN for nulls. Integers and narrow floats are widened here, as
    DuckDB casts them to DOUBLE: cells and comparisons must see the edges' doubles."""
    if isinstance(values, np.ndarray):
        return values.astype(np.float64, copy=False)
    return values.to_numpy(dtype=np.float64, na_value=np.nan)


def arrow_floats(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """A float64 Arrow column as numpy, NaN for nulls, read from Arrow's buffers
    (zero-copy when there are no nulls). pyarrow's own ``to_numpy`` imports pandas,
    half a second of a ``drift-assets compare`` run, even for plain doubles."""
    array = values.combine_chunks() if isinstance(values, pa.ChunkedArray) else values
    if not len(array):
        return np.empty(0)
    validity, data = array.buffers()
    floats = np.frombuffer(data, dtype=np.float64, count=len(array), offset=array.offset * 8)
    if array.null_count:
        bits = np.unpackbits(np.frombuffer(validity, dtype=np.uint8), bitorder="little")
        valid = bits[array.offset : array.offset + len(array)].astype(bool)
        floats = np.where(valid, floats, np.nan)
    return floats


def _finite(value: Any) -> float | None:
    return float(value) if value is not None and math.isfinite(value) else None


def quantile_cuts(values: np.ndarray, quantiles: Sequence[float]) -> list[float]:
    """The smallest value whose cumulative share reaches each quantile (numpy's
    ``inverted_cdf``) of finite ``values``, read from one sort: numpy partitions
    around all 99 positions, 4 to 8 times slower at 100k values (100k x 1,000 mixed
    baseline: 3.6 s). The positions are numpy's, computed as it computes them. A
    zero cut is left to numpy: -0.0 and 0.0 tie, and which one a position holds
    depends on the algorithm, and an edge keeps its sign. A short column gains
    too: 37 us a call against numpy's 100 us at 5 values (10,000 x 5: 13,000 calls)."""
    q = np.asarray(quantiles, dtype=np.float64)
    index = len(values) * q - 1
    previous = np.floor(index)
    positions = np.where(index - previous == 0, previous, previous + 1).astype(np.intp)
    positions[positions < 0] = 0
    cuts = np.sort(values)[positions]
    if not cuts.all():
        cuts = np.quantile(values, q, method="inverted_cdf")
    return cuts.tolist()


def distinct_edges(quantiles: Sequence[float] | None) -> tuple[float, ...]:
    """Sorted distinct finite cut points (heavy ties collapse into one edge)."""
    return tuple(sorted({float(q) for q in quantiles or () if q is not None and math.isfinite(q)}))


def edges_fit(counts: tuple[int, ...], shape: tuple[int, ...]) -> bool:
    """Whether the reference's edges still give this batch a usable histogram."""
    total, shape_total = sum(counts), sum(shape)
    equal = 1 / len(counts)
    last = len(counts) - 1
    for i, n in enumerate(counts):
        expected = max(equal, shape[i] / shape_total if shape_total else 0.0)
        limit = expected + _TAIL_SLACK if i in (0, last) else expected * _INNER_BIN_FACTOR
        if n / total > limit:
            return False
    return True
