"""Choosing the baseline from the profiles that may be one: the newest, or the newest
N pooled into one (pooling is exact on shared edges and total over degenerate
profiles)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from drift_assets.checks.baseline import pool_profiles, select_baseline
from drift_assets_tests.builders import category_column, numeric_column, profile


def numeric_from(values: np.ndarray, edges: np.ndarray, name: str = "x"):
    counts = np.bincount(np.searchsorted(edges, values, side="left"), minlength=len(edges) + 1)
    return numeric_column(
        name,
        list(edges),
        [int(c) for c in counts],
        mean=float(values.mean()),
        std=float(values.std()),
        lo=float(values.min()),
        hi=float(values.max()),
    )


def test_previous_is_the_newest_profile():
    newest, older = profile("d", profile_id=2), profile("d", profile_id=1)
    assert select_baseline([newest, older]) is newest
    assert select_baseline([]) is None


def test_rolling_pools_the_last_n_and_names_them():
    profiles = [
        profile("d", numeric_column("x", [0.0, 1.0], [1, 2, 3], lo=-1, hi=2), rows=6, profile_id=i)
        for i in (5, 4, 3, 2)
    ]
    pooled = select_baseline(profiles, rolling_window=3)
    assert pooled.pooled_from == (5, 4, 3)
    assert pooled.row_count == 18
    assert pooled.column("x").numeric.histogram.counts == (3, 6, 9)
    # A window of one, or a single stored profile, is just that profile.
    assert select_baseline(profiles, rolling_window=1) is profiles[0]
    assert select_baseline(profiles[:1], rolling_window=7) is profiles[0]


def test_pooled_moments_equal_those_of_the_concatenated_rows():
    rng = np.random.default_rng(1)
    a, b = rng.normal(0, 1, 4000), rng.normal(3, 2, 1000)
    edges = np.quantile(a, np.linspace(0.01, 0.99, 99))
    pooled = pool_profiles(
        [
            profile("d", numeric_from(a, edges), rows=4000),
            profile("d", numeric_from(b, edges), rows=1000),
        ]
    )
    both = np.concatenate([a, b])
    summary = pooled.column("x").numeric
    assert summary.mean == pytest.approx(both.mean())
    assert summary.std == pytest.approx(both.std())
    assert (summary.min, summary.max) == (both.min(), both.max())
    exact = np.bincount(np.searchsorted(edges, both, side="left"), minlength=len(edges) + 1)
    assert summary.histogram.counts == tuple(int(c) for c in exact)


def test_histograms_with_other_edges_are_rebinned_onto_the_newest_edges():
    rng = np.random.default_rng(2)
    new, old = rng.normal(0, 1, 20_000), rng.normal(0, 1, 20_000)
    new_edges = np.quantile(new, np.linspace(0.01, 0.99, 99))
    old_edges = np.quantile(old, np.linspace(0.02, 0.98, 49))
    pooled = pool_profiles(
        [
            profile("d", numeric_from(new, new_edges), rows=20_000),
            profile("d", numeric_from(old, old_edges), rows=20_000),
        ]
    )
    hist = pooled.column("x").numeric.histogram
    assert hist.edges == tuple(new_edges)
    assert hist.total == 40_000
    exact = np.bincount(
        np.searchsorted(new_edges, np.concatenate([new, old]), side="left"),
        minlength=len(new_edges) + 1,
    )
    # Interpolating inside bins: the pooled CDF stays within 0.5% of the exact one.
    error = np.abs(np.cumsum(hist.counts) - np.cumsum(exact)).max() / 40_000
    assert error < 0.005


def test_categories_are_summed_and_the_top_k_kept():
    newest = category_column("c", [("a", 50), ("b", 30)], other=0, complete=True)
    older = category_column("c", [("b", 40), ("c", 15)], other=5, complete=False)
    pooled = pool_profiles([profile("d", newest), profile("d", older)], top_k=2)
    summary = pooled.column("c").categorical
    assert summary.top == (("b", 70), ("a", 50))
    assert summary.other_count == 20  # c's 15 and the older profile's 5 others
    assert summary.complete is False


def test_columns_follow_the_newest_schema():
    newest = profile("d", numeric_column("x", [0.0], [1, 1], nulls=1), rows=3)
    older = profile(
        "d",
        numeric_column("x", [0.0], [2, 2], nulls=2),
        category_column("gone", [("a", 3)]),
        rows=6,
    )
    pooled = pool_profiles([newest, older])
    assert pooled.column_names == ("x",)
    assert pooled.column("x").null_count == 3


@st.composite
def stored_profile(draw, profile_id: int):
    """A profile whose numeric column may be empty, constant, all null or one value,
    with edges that may repeat (heavy ties), and whose category column may be empty."""
    edges = sorted(draw(st.lists(st.sampled_from([-1e9, -1.0, 0.0, 0.5, 1.0, 1e9]), max_size=6)))
    counts = draw(st.lists(st.integers(0, 50), min_size=len(edges) + 1, max_size=len(edges) + 1))
    values = draw(st.lists(st.sampled_from(["a", "b", "", "ü"]), unique=True, max_size=4))
    top = [(v, draw(st.integers(1, 40))) for v in values]
    nulls = draw(st.integers(0, 20))
    x = numeric_column("x", edges or [0.0], counts if edges else counts[:1] * 2, nulls=nulls)
    if not sum(x.numeric.histogram.counts):  # nothing counted: no min, max or moments
        x = replace(x, numeric=replace(x.numeric, min=None, max=None, mean=None, std=None))
    c = category_column("c", top, other=draw(st.integers(0, 5)), nulls=nulls)
    rows = sum(x.numeric.histogram.counts) + nulls
    return profile("d", x, c, rows=rows, profile_id=profile_id)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(
    st.integers(1, 4).flatmap(lambda n: st.tuples(*(stored_profile(i) for i in range(n, 0, -1))))
)
def test_pooling_never_raises_and_keeps_every_count(profiles):
    pooled = select_baseline(list(profiles), rolling_window=len(profiles))
    assert pooled.row_count == sum(p.row_count for p in profiles)
    hist = pooled.column("x").numeric.histogram
    assert hist.edges == profiles[0].column("x").numeric.histogram.edges
    assert min(hist.counts) >= 0
    assert hist.total == sum(p.column("x").numeric.histogram.total for p in profiles)
    assert pooled.column("x").null_count == sum(p.column("x").null_count for p in profiles)
    categories = pooled.column("c").categorical
    assert sum(n for _, n in categories.top) + categories.other_count == sum(
        sum(n for _, n in p.column("c").categorical.top) + p.column("c").categorical.other_count
        for p in profiles
    )
    if len(profiles) > 1:
        assert pooled.pooled_from == tuple(p.profile_id for p in profiles)
