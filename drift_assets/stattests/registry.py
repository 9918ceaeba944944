"""The registry of distribution tests: each test module registers itself by name.

Calling a registered test validates its counts and answers the degenerate
inputs every test shares in one place, so each test is total: a side with no
counted value (an empty batch, an all-null column, every value outside the
bins being compared) gives a "not comparable" result instead of an exception.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["numeric", "categorical"]
Counts = Sequence[int]


@dataclass(frozen=True)
class StatResult:
    """A test's statistic and, for tests that have one, its p-value.

    ``not_comparable`` says why the two samples could not be compared (for
    example "no counted value in the current sample"); the statistic is then 0.0
    and the p-value None, so nothing downstream reads it as a shift or as a
    significant result.
    """

    statistic: float
    pvalue: float | None = None
    not_comparable: str | None = None

    @property
    def comparable(self) -> bool:
        return self.not_comparable is None


@dataclass(frozen=True)
class StatTest:
    """A two-sample test over aligned counts (baseline first, then current).

    The checks look their count tests up here (``effect_sizes``, ``gate``), so a
    new test is its module plus its registration. ``title`` is its name in
    summaries ("KS p=0.003"). ``tiers`` names the ``DistributionPolicy`` field
    whose warn/error tiers judge the statistic as an effect size (also the
    statistic's metric name); ``None`` for a test used only for its p-value.
    ``gates``: its p-value decides whether the effect sizes of its kinds are
    significant (one test per kind). ``grouped``: over a numeric histogram it
    reads the bins regrouped into ``DistributionPolicy.psi_bins`` equi-depth
    groups (PSI over sparse bins is dominated by the empty ones).
    ``compute`` only ever sees aligned counts with at least one value on each side.
    """

    name: str
    title: str
    kinds: frozenset[ColumnKind]
    tiers: str | None
    compute: Callable[[Counts, Counts], StatResult]
    gates: bool = False
    grouped: bool = False

    def __call__(self, baseline: Counts, current: Counts) -> StatResult:
        b, c = aligned(baseline, current)
        reason = empty_side(b, c)
        if reason is not None:
            return StatResult(statistic=0.0, pvalue=None, not_comparable=reason)
        return self.compute(b, c)


_TESTS: dict[str, StatTest] = {}


def register(
    name: str,
    *,
    title: str,
    kinds: tuple[ColumnKind, ...],
    tiers: str | None,
    gates: bool = False,
    grouped: bool = False,
) -> Callable[[Callable[[Counts, Counts], StatResult]], StatTest]:
    """Register the decorated function as the test ``name``."""

    def decorate(compute: Callable[[Counts, Counts], StatResult]) -> StatTest:
        if name in _TESTS:
            raise ValueError(f"a distribution test named {name!r} is already registered")
        test = StatTest(
            name=name,
            title=title,
            kinds=frozenset(kinds),
            tiers=tiers,
            compute=compute,
            gates=gates,
            grouped=grouped,
        )
        _TESTS[name] = test
        return test

    return decorate


def get(name: str) -> StatTest:
    try:
        return _TESTS[name]
    except KeyError:
        raise KeyError(f"no distribution test named {name!r}; known: {sorted(_TESTS)}") from None


def for_kind(kind: ColumnKind) -> tuple[StatTest, ...]:
    """The tests that apply to a kind of column, in registration order."""
    return tuple(t for t in _TESTS.values() if kind in t.kinds)


def effect_sizes(kind: ColumnKind) -> tuple[StatTest, ...]:
    """The tests whose statistic is judged against tiers for a kind of column."""
    return tuple(t for t in for_kind(kind) if t.tiers is not None)


def gate(kind: ColumnKind) -> StatTest:
    """The test whose p-value gates a kind's effect sizes."""
    (test,) = (t for t in for_kind(kind) if t.gates)
    return test


def aligned(baseline: Counts, current: Counts) -> tuple[list[int], list[int]]:
    """Two count vectors over the same bins, as lists.

    Counts of different lengths, negative or non-finite counts are a caller's
    mistake (counts against another baseline's bins), not data: they raise
    ``ValueError``. Empty sides are data and are left to ``empty_side``.
    """
    b, c = list(baseline), list(current)
    if len(b) != len(c):
        raise ValueError(f"counts are not aligned: {len(b)} baseline bins, {len(c)} current")
    if not all(math.isfinite(n) for n in b + c):
        raise ValueError("counts must be finite numbers")
    if any(n < 0 for n in b + c):
        raise ValueError("counts must not be negative")
    return b, c


def empty_side(baseline: Counts, current: Counts) -> str | None:
    """Why two samples cannot be compared, or None when each has a counted value."""
    nb, nc = sum(baseline), sum(current)
    if nb == 0 and nc == 0:
        return "no counted value in either sample"
    if nb == 0:
        return "no counted value in the baseline"
    if nc == 0:
        return "no counted value in the current sample"
    return None
