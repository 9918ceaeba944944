"""The registry of distribution tests: each test module registers itself by name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

ColumnKind = Literal["numeric", "categorical"]
Counts = Sequence[int]


@dataclass(frozen=True)
class StatResult:
    """A test's statistic and, for tests that have one, its p-value."""

    statistic: float
    pvalue: float | None = None


@dataclass(frozen=True)
class StatTest:
    """A two-sample test over aligned counts (baseline first, then current).

    ``tiers`` names the ``DistributionPolicy`` field whose warn/error tiers judge
    the statistic as an effect size; ``None`` for a test used only for its p-value.
    """

    name: str
    title: str
    kinds: frozenset[ColumnKind]
    tiers: str | None
    compute: Callable[[Counts, Counts], StatResult]

    def __call__(self, baseline: Counts, current: Counts) -> StatResult:
        return self.compute(baseline, current)


_TESTS: dict[str, StatTest] = {}


def register(
    name: str, *, title: str, kinds: tuple[ColumnKind, ...], tiers: str | None
) -> Callable[[Callable[[Counts, Counts], StatResult]], StatTest]:
    """Register the decorated function as the test ``name``."""

    def decorate(compute: Callable[[Counts, Counts], StatResult]) -> StatTest:
        if name in _TESTS:
            raise ValueError(f"a distribution test named {name!r} is already registered")
        test = StatTest(
            name=name, title=title, kinds=frozenset(kinds), tiers=tiers, compute=compute
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


def aligned(baseline: Counts, current: Counts) -> tuple[list[int], list[int]]:
    """Validate two count vectors over the same bins and return them as lists."""
    b, c = list(baseline), list(current)
    if len(b) != len(c):
        raise ValueError(f"counts are not aligned: {len(b)} baseline bins, {len(c)} current")
    if any(n < 0 for n in b + c):
        raise ValueError("counts must not be negative")
    if sum(b) == 0 or sum(c) == 0:
        raise ValueError("both samples need at least one counted value")
    return b, c
