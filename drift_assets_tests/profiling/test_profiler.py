"""Profiling: the numbers every check relies on are exact where promised (nulls, bin
counts, counts against the reference), odd data never crashes it, and a batch is read
from a DataFrame, a relation or a source file alike."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import numpy as np
import pandas as pd
import pytest

from drift_assets.profiling import column_plan, passes
from drift_assets.profiling.column_plan import quote_identifier
from drift_assets.profiling.dataset_profile import (
    CategoricalSummary,
    ColumnProfile,
    DatasetProfile,
    Histogram,
    LogicalType,
    NumericSummary,
)
from drift_assets.profiling.profiler import (
    profile_dataframe,
    profile_relation,
    profile_source,
)
from drift_assets.profiling.read_ahead import read_ahead
from drift_assets.profiling.sources import SourceError, open_source
from drift_assets.settings.dataset_file import SourceConfig

WHEN = dt.datetime(2024, 6, 1, 12, 0, tzinfo=dt.UTC)
RNG = np.random.default_rng(7)


def profile(df: pd.DataFrame, **kwargs) -> DatasetProfile:
    return profile_dataframe(df, "t", profiled_at=WHEN, **kwargs)


def column(df: pd.DataFrame, name: str = "x", **kwargs) -> ColumnProfile:
    found = profile(df, **kwargs).column(name)
    assert found is not None
    return found


def exact_counts(values: np.ndarray, edges: tuple[float, ...]) -> tuple[int, ...]:
    """numpy's counts in the profile convention: x <= e_0, e_{i-1} < x <= e_i, x > e_last."""
    index = np.searchsorted(np.asarray(edges), values, side="left")
    return tuple(int(n) for n in np.bincount(index, minlength=len(edges) + 1))


def numeric_reference(
    name: str, edges: tuple[float, ...], counts: tuple[int, ...]
) -> DatasetProfile:
    histogram = Histogram(edges, counts)
    col = ColumnProfile(
        name, LogicalType.FLOAT, "DOUBLE", 0, 0, len(edges),
        numeric=NumericSummary(0.0, 1.0, 0.5, 0.1, histogram),
    )  # fmt: skip
    return DatasetProfile("t", sum(counts), (col,), WHEN.isoformat())


def categorical_reference(
    name: str, top: tuple[tuple[str, int], ...], other: int
) -> DatasetProfile:
    col = ColumnProfile(
        name, LogicalType.STRING, "VARCHAR", 0, 0, len(top) + 1,
        categorical=CategoricalSummary(top, other, complete=False),
    )  # fmt: skip
    return DatasetProfile("t", sum(n for _, n in top) + other, (col,), WHEN.isoformat())


# --- nulls ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "nulls"),
    [
        # NaN and None are both missing in a float column
        (pd.Series([1.0, np.nan, None, 4.0]), 2),
        # pd.NA in nullable integers
        (pd.Series([1, None, None, 4], dtype="Int64"), 2),
        # NaN and pd.NA in nullable floats
        (pd.Series([1.0, np.nan, None, 4.0], dtype="Float64"), 2),
        # missing strings, in pandas 3's str and in object columns
        (pd.Series(["a", None, np.nan, "d"]), 2),
        (pd.Series(["a", None, np.nan, "d"], dtype=object), 2),
        # missing booleans and datetimes
        (pd.Series([True, None, False, None], dtype="boolean"), 2),
        (pd.Series(pd.to_datetime(["2024-01-01", None, None, "2024-01-04"])), 2),
        # a column with nothing in it
        (pd.Series([np.nan] * 4), 4),
        (pd.Series([None] * 4, dtype=object), 4),
        # infinity is a value, not a null
        (pd.Series([np.inf, -np.inf, np.nan, 1.0]), 1),
    ],
)
def test_null_counts(values, nulls):
    col = column(pd.DataFrame({"x": values}))
    assert col.null_count == nulls
    assert col.null_rate(4) == nulls / 4


def test_nan_in_parquet_counts_as_null_too(tmp_path):
    # DuckDB keeps NaN as a value in Parquet (unlike in a pandas scan).
    pd.DataFrame({"x": [1.0, np.nan, np.nan, 4.0]}).to_parquet(tmp_path / "f.parquet")
    profiled = profile_source(SourceConfig(parquet="f.parquet"), tmp_path, "t")
    col = profiled.column("x")
    assert col.null_count == 2
    assert col.distinct_count == 2
    assert col.numeric.histogram.total == 2


# --- numeric summaries ---------------------------------------------------------------


def test_infinities_are_counted_but_keep_moments_finite():
    col = column(pd.DataFrame({"x": [1.0, 2.0, 3.0, np.inf, -np.inf, np.nan]}))
    summary = col.numeric
    assert (summary.min, summary.max, summary.mean, summary.std) == (1.0, 3.0, 2.0, 1.0)
    # Both infinities are in the histogram, in its tail bins.
    assert summary.histogram.total == 5
    assert summary.histogram.counts[0] >= 1 and summary.histogram.counts[-1] >= 1


@pytest.mark.parametrize(
    "values",
    [
        # no finite values at all
        [np.inf, -np.inf, np.inf],
        # moments that overflow a double
        [1e308, 1e308, -1e308],
        # nothing but nulls
        [np.nan, np.nan, np.nan],
    ],
)
def test_unmeasurable_moments_are_none_and_the_profile_is_json(values):
    profiled = profile(pd.DataFrame({"x": values}))
    summary = profiled.column("x").numeric
    for moment in (summary.min, summary.max, summary.mean, summary.std):
        assert moment is None or np.isfinite(moment)
    json.dumps(profiled.to_dict(), allow_nan=False)


@pytest.mark.parametrize(
    "values",
    [
        # continuous values
        RNG.normal(50, 10, 5000),
        # heavy ties: most values are zero
        np.where(RNG.random(5000) < 0.9, 0.0, RNG.exponential(3, 5000)),
        # few distinct integers
        RNG.integers(0, 7, 5000).astype(float),
        # long tail
        RNG.lognormal(0, 2, 5000),
    ],
    ids=["normal", "zero-inflated", "few integers", "lognormal"],
)
def test_histogram_counts_equal_numpy_exact_counts(values):
    col = column(pd.DataFrame({"x": values}))
    histogram = col.numeric.histogram
    assert list(histogram.edges) == sorted(set(histogram.edges)), "edges are strictly increasing"
    assert len(histogram.counts) <= 100
    assert histogram.counts == exact_counts(values, histogram.edges)
    assert histogram.total == len(values)


def test_equi_depth_bins_on_sorted_data_of_many_rows():
    # Sorted data is where a block sample would go wrong; bins stay near 1% each.
    values = np.sort(RNG.normal(size=400_000))
    histogram = column(pd.DataFrame({"x": values})).numeric.histogram
    shares = np.array(histogram.counts) / len(values)
    assert len(histogram.edges) == 99
    assert shares.max() < 0.02 and shares.min() > 0.004
    assert histogram.counts == exact_counts(values, histogram.edges)


@pytest.mark.parametrize(
    "values",
    [
        # float32 is compared as the double it widens to
        pd.Series(RNG.normal(size=3000).astype(np.float32)),
        # int64 beyond 2**53 rounds to the same doubles in numpy and DuckDB
        pd.Series(RNG.integers(2**60, 2**60 + 2**20, 3000) // 4096 * 4096),
        pd.Series(np.arange(3000, dtype=np.uint64) % 700 * 7),
        # NaN (null) and infinities
        pd.Series(np.where(RNG.random(3000) < 0.1, np.nan, RNG.normal(size=3000))),
        pd.Series(np.concatenate([RNG.normal(size=2990), [np.inf] * 5, [-np.inf] * 5])),
        # extreme tails: crowded cells fall back to a binary search
        pd.Series(RNG.pareto(0.3, 3000)),
        # pandas' nullable and Arrow-backed numbers, with nulls
        pd.Series(RNG.integers(0, 500, 3000), dtype="Int64").mask(RNG.random(3000) < 0.1),
        pd.Series(RNG.normal(size=3000), dtype="Float64").mask(RNG.random(3000) < 0.1),
        pd.Series(RNG.integers(0, 500, 3000), dtype="int64[pyarrow]").mask(RNG.random(3000) < 0.1),
        # sparse columns are densified
        pd.Series(pd.arrays.SparseArray(np.where(RNG.random(3000) < 0.5, 0.0, RNG.normal(size=3000)))),
    ],
    ids=[
        "float32", "int64 > 2^53", "uint64", "nan", "inf", "pareto",
        "Int64", "Float64", "int64[pyarrow]", "sparse",
    ],
)  # fmt: skip
def test_in_memory_and_streamed_counting_agree(values):
    # A DataFrame's numeric columns are read in place; a relation's are streamed from
    # DuckDB. Given the same reference edges both must count exactly alike.
    df = pd.DataFrame({"x": values})
    floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
    reference = profile(pd.DataFrame({"x": RNG.permutation(floats)}))
    in_memory = column(df, reference=reference).numeric
    with duckdb.connect() as conn:
        relation = conn.from_df(pd.DataFrame({"x": floats}))
        streamed = profile_relation(conn, relation, "t", reference=reference).column("x").numeric
    assert in_memory == streamed
    edges = reference.column("x").numeric.histogram.edges
    assert in_memory.reference_counts == exact_counts(floats[~np.isnan(floats)], edges)


def test_bins_sets_the_number_of_bins():
    histogram = column(pd.DataFrame({"x": np.arange(1000.0)}), bins=10).numeric.histogram
    assert len(histogram.counts) == 10
    assert set(histogram.counts) == {100}


def test_duckdb_histogram_convention_through_reference_counts():
    # values <= edge fall into the edge's bin; above the last edge is the overflow bin
    reference = numeric_reference("x", (1.0, 2.0, 3.0), (1, 1, 1, 1))
    df = pd.DataFrame({"x": [0.5, 1.0, 1.5, 2.0, 3.0, 3.5, -np.inf, np.inf, np.nan]})
    col = column(df, reference=reference)
    assert col.numeric.reference_counts == (3, 2, 1, 2)


EPOCH = pd.Timestamp("1970-01-01")


@pytest.mark.parametrize(
    ("kind", "values", "to_seconds"),
    [
        # naive datetimes as epoch seconds
        (
            LogicalType.DATETIME,
            pd.Series(pd.to_datetime(["2024-01-01 00:00", "2024-01-02 00:00", "2024-01-03 12:00"])),
            lambda v: (v - EPOCH).dt.total_seconds(),
        ),
        # time zones are converted, not dropped
        (
            LogicalType.DATETIME_TZ,
            pd.Series(pd.date_range("2024-01-01", periods=3, freq="D", tz="America/New_York")),
            lambda v: (v.dt.tz_convert(None) - EPOCH).dt.total_seconds(),
        ),
        # dates (object of datetime.date) at midnight UTC
        (
            LogicalType.DATE,
            pd.Series([dt.date(2024, 1, d) for d in (1, 2, 3)], dtype=object),
            lambda v: (pd.to_datetime(v) - EPOCH).dt.total_seconds(),
        ),
        # durations in seconds
        (
            LogicalType.DURATION,
            pd.Series(pd.to_timedelta([60, 120, 180], unit="s")),
            lambda v: v.dt.total_seconds(),
        ),
    ],
)
def test_temporal_columns_are_numeric_in_seconds(kind, values, to_seconds):
    col = column(pd.DataFrame({"x": values}))
    seconds = np.asarray(to_seconds(values), dtype=float)
    assert col.logical_type is kind
    assert col.numeric.min == pytest.approx(seconds.min())
    assert col.numeric.max == pytest.approx(seconds.max())
    assert col.numeric.mean == pytest.approx(seconds.mean())
    assert col.numeric.histogram.total == 3


def test_decimal_and_unsigned_columns_are_numeric():
    df = pd.DataFrame({"u": np.array([1, 2, 2**64 - 1], dtype=np.uint64)})
    with duckdb.connect() as conn:
        relation = conn.sql("SELECT 1.25::DECIMAL(10,2) AS d UNION ALL SELECT 2.75")
        profiled = profile_relation(conn, relation, "t")
    assert profiled.column("d").numeric.mean == 2.0
    assert profile(df).column("u").numeric.max == float(2**64 - 1)


# --- reference binning ---------------------------------------------------------------


def test_reference_counts_equal_numpy_and_unchanged_data_reuses_the_edges():
    baseline = RNG.normal(0, 1, 20_000)
    current = RNG.normal(0, 1, 20_000)
    reference = profile(pd.DataFrame({"x": baseline}))
    edges = reference.column("x").numeric.histogram.edges
    summary = column(pd.DataFrame({"x": current}), reference=reference).numeric
    assert summary.reference_counts == exact_counts(current, edges)
    # Its own histogram is the same counting: no second pass, same edges.
    assert summary.histogram == Histogram(edges, summary.reference_counts)


@pytest.mark.parametrize(
    "current",
    [
        # everything moved beyond the reference's last edge
        RNG.normal(10, 1, 20_000),
        # everything squeezed into one inner bin
        RNG.normal(0, 0.001, 20_000),
    ],
    ids=["shifted", "squeezed"],
)
@pytest.mark.parametrize("streamed", [False, True], ids=["in memory", "streamed"])
def test_drifted_data_gets_fresh_edges_but_keeps_reference_counts(current, streamed):
    reference = profile(pd.DataFrame({"x": RNG.normal(0, 1, 20_000)}))
    edges = reference.column("x").numeric.histogram.edges
    df = pd.DataFrame({"x": current})
    if streamed:
        with duckdb.connect() as conn:
            profiled = profile_relation(conn, conn.from_df(df), "t", reference=reference)
        summary = profiled.column("x").numeric
    else:
        summary = column(df, reference=reference).numeric
    assert summary.reference_counts == exact_counts(current, edges)
    assert summary.histogram.edges != edges
    assert summary.histogram.counts == exact_counts(current, summary.histogram.edges)
    assert max(summary.histogram.counts) / len(current) < 0.05


def test_tie_heavy_reference_edges_are_kept_when_the_data_is_alike():
    # 90% zeros in one bin is the reference's own shape, not a bad fit.
    def batch():
        return np.where(RNG.random(10_000) < 0.9, 0.0, RNG.exponential(3, 10_000))

    reference = profile(pd.DataFrame({"x": batch()}))
    summary = column(pd.DataFrame({"x": batch()}), reference=reference).numeric
    assert summary.histogram.edges == reference.column("x").numeric.histogram.edges


def test_categorical_reference_counts_follow_the_reference_order():
    reference = categorical_reference("x", (("b", 50), ("a", 30), ("gone", 10)), other=10)
    df = pd.DataFrame({"x": ["a"] * 5 + ["b"] * 3 + ["new"] * 2 + [None] * 4})
    col = column(df, reference=reference)
    # b, a, gone, then everything else (nulls are not values)
    assert col.categorical.reference_counts == (3, 5, 0, 2)


@pytest.mark.parametrize(
    ("reference", "current"),
    [
        # a column the reference does not have
        (categorical_reference("other", (("a", 1),), 0), pd.Series([1.0, 2.0])),
        # numbers against epoch seconds are not the same units
        (numeric_reference("x", (1.0,), (1, 1)), pd.Series(pd.to_datetime(["2024-01-01"]))),
        # a numeric reference for what is now a string column
        (numeric_reference("x", (1.0,), (1, 1)), pd.Series(["a", "b"])),
        # reference edges that cannot be binned in: unsorted, or none
        (numeric_reference("x", (2.0, 1.0), (1, 1, 1)), pd.Series([1.0, 2.0])),
        (numeric_reference("x", (), (2,)), pd.Series([1.0, 2.0])),
    ],
)
def test_no_reference_counts_without_a_comparable_reference_column(reference, current):
    col = column(pd.DataFrame({"x": current}), reference=reference)
    assert (col.numeric or col.categorical).reference_counts is None


@pytest.mark.parametrize(
    "values",
    [
        # epoch-like magnitudes with a spread of seconds, over several chunks
        1.7e9 + RNG.normal(0, 1, 200_000),
        # a constant column
        np.full(100_000, 3.25),
        # far from zero with a tiny spread
        RNG.normal(-1e6, 1e-3, 150_000),
    ],
    ids=["epoch-like", "constant", "tiny spread"],
)
def test_moments_match_numpy_in_memory_and_streamed(values):
    # Chunks are merged by their means and squared deviations: no cancellation.
    df = pd.DataFrame({"x": values})
    in_memory = column(df).numeric
    with duckdb.connect() as conn:
        streamed = profile_relation(conn, conn.from_df(df), "t").column("x").numeric
    for summary in (in_memory, streamed):
        assert summary.mean == pytest.approx(values.mean(), rel=1e-12)
        assert summary.std == pytest.approx(values.std(ddof=1), rel=1e-6, abs=1e-12)
        assert (summary.min, summary.max) == (values.min(), values.max())


# --- categorical summaries -----------------------------------------------------------


@pytest.mark.parametrize(
    ("top_k", "expected_top", "other", "complete"),
    [
        # K covers every value: complete
        (5, (("c", 4), ("a", 2), ("b", 2), ("d", 1)), 0, True),
        # K covers them exactly
        (4, (("c", 4), ("a", 2), ("b", 2), ("d", 1)), 0, True),
        # ties are broken by value, the rest is other_count
        (2, (("c", 4), ("a", 2)), 3, False),
    ],
)
def test_top_values_and_complete_flag(top_k, expected_top, other, complete):
    df = pd.DataFrame({"x": ["c", "a", "c", "b", "c", "a", "b", "c", "d", None]})
    summary = column(df, top_k=top_k).categorical
    assert summary.top == expected_top
    assert summary.other_count == other
    assert summary.complete is complete
    assert sum(n for _, n in summary.top) + summary.other_count == 9


def test_booleans_are_categories_true_and_false():
    col = column(pd.DataFrame({"x": pd.Series([True, False, True, None], dtype="boolean")}))
    assert col.logical_type is LogicalType.BOOLEAN
    assert col.categorical.top == (("true", 2), ("false", 1))
    assert col.numeric is None


def test_distinct_counts_of_grouped_columns_are_exact():
    df = pd.DataFrame({"b": [True, False, None] * 1000, "s": [f"v{i % 37}" for i in range(3000)]})
    profiled = profile(df, reference=profile(df))
    assert profiled.column("b").distinct_count == 2
    assert profiled.column("s").distinct_count == 37


def test_a_category_column_that_became_unique_is_id_like():
    # The reference had few values, so no estimate runs first; the GROUP BY finds it.
    reference = profile(pd.DataFrame({"x": ["a", "b"] * 50}))
    current = pd.DataFrame({"x": [f"user-{i}" for i in range(1000)]})
    col = column(current, reference=reference)
    assert col.skip_reason == "id-like: 100.0% of values distinct"
    assert col.distinct_count == 1000
    assert col.categorical is None


@pytest.mark.parametrize("limit", [1_000_000, 100_000], ids=["grouped", "sketched"])
def test_high_cardinality_top_values_are_counted_exactly(monkeypatch, limit):
    # 120k distinct values (not an ID: a third of the rows are ten hot values). Past
    # the limit a sketch picks the candidates; either way the counts are exact.
    monkeypatch.setattr(passes, "EXACT_TOP_LIMIT", limit)
    monkeypatch.setattr(column_plan, "EXACT_TOP_LIMIT", limit)
    hot = [f"hot{i}" for i in range(10) for _ in range(2000 * (i + 1))]
    values = np.array(hot + [f"u{i}" for i in range(120_000)], dtype=object)
    reference = categorical_reference("x", (("hot0", 1), ("u7", 1), ("never", 1)), 0)
    summary = column(pd.DataFrame({"x": values}), top_k=5, reference=reference).categorical
    assert summary.top == tuple((f"hot{i}", 2000 * (i + 1)) for i in (9, 8, 7, 6, 5))
    assert summary.complete is False
    assert summary.other_count == len(values) - sum(n for _, n in summary.top)
    assert summary.reference_counts == (2000, 1, 0, len(values) - 2001)


# --- ID-like columns -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "skip_reason"),
    [
        # unique integers and strings are IDs
        (np.arange(10_000), "id-like: 100.0% of values distinct"),
        (np.array([f"order-{i}" for i in range(5000)], dtype=object), "id-like: 100.0%"),
        # exactly at the threshold counts, just below does not (exact, not HyperLogLog)
        (np.concatenate([np.arange(9500), np.zeros(500, dtype=int)]), "id-like: 95.0%"),
        (np.concatenate([np.arange(9400), np.zeros(600, dtype=int)]), None),
        # unique floats are measurements, not IDs
        (RNG.normal(size=5000), None),
        # too few values to tell
        (np.arange(19), None),
        # a sequence with gaps still fills half its range: IDs
        (np.arange(0, 20_000, 2), "id-like: 100.0% of values distinct"),
        # unique but sparse integers are measures (populations, cents): tested
        (np.unique(RNG.integers(60_000, 1_300_000_000, 5000)), None),
        # unique integers that all read as epoch seconds or milliseconds: event time
        (1_700_000_000 + np.sort(RNG.choice(86_400 * 7, 5000, replace=False)), "epoch-like: 100.0% of values distinct, all within epoch times (event time)"),
        (1_700_000_000_000 + np.arange(0, 5000 * 977, 977), "epoch-like: 100.0% of values distinct, all within epoch times (event time)"),
    ],
    ids=["ints", "strings", "at threshold", "below threshold", "floats", "19 values", "sequence with gaps", "sparse measure", "epoch seconds", "epoch milliseconds"],
)
def test_id_like_columns(values, skip_reason):
    col = column(pd.DataFrame({"x": values}))
    if skip_reason is None:
        assert col.skip_reason is None
        assert (col.numeric and col.numeric.histogram) or col.categorical
    else:
        assert col.skip_reason.startswith(skip_reason)
        assert col.categorical is None
        assert col.numeric is None or col.numeric.histogram is None


def test_id_like_ratio_is_configurable_and_skips_reference_counts():
    values = np.concatenate([np.arange(900), np.zeros(100, dtype=int)])
    reference = profile(pd.DataFrame({"x": RNG.integers(0, 5, 1000)}))
    col = column(pd.DataFrame({"x": values}), id_like_ratio=0.9, reference=reference)
    assert col.skip_reason == "id-like: 90.0% of values distinct"
    assert col.numeric.reference_counts is None
    assert col.numeric.min == 0 and col.numeric.max == 899


# --- awkward input -------------------------------------------------------------------


def test_zero_rows():
    df = pd.DataFrame({"f": pd.Series([], dtype=float), "s": pd.Series([], dtype=object)})
    profiled = profile(df)
    assert profiled.row_count == 0
    f, s = profiled.columns
    assert (f.null_count, f.distinct_count) == (0, 0)
    assert (f.numeric.histogram, f.numeric.mean) == (None, None)
    assert s.logical_type is LogicalType.STRING
    assert s.categorical == CategoricalSummary((), 0, complete=True)


def test_no_columns():
    profiled = profile(pd.DataFrame(index=range(3)))
    assert (profiled.row_count, profiled.columns) == (3, ())


def test_odd_and_duplicate_column_names():
    names = ['say "hi"', "with space", "ünïcode", "select", "x", "x", '"; DROP TABLE t; --']
    df = pd.DataFrame([[1, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 8]], columns=names)
    profiled = profile(df)
    expected_names = [*names[:5], "x_1", names[6]]
    assert list(profiled.column_names) == expected_names
    assert [c.position for c in profiled.columns] == list(range(7))
    assert [c.numeric.max for c in profiled.columns] == [1, 2, 3, 4, 5, 6, 8]


def test_mixed_type_object_column_is_profiled_as_strings():
    df = pd.DataFrame({"x": pd.Series([1, "a", 2.5, None, "a"], dtype=object)})
    col = column(df)
    assert col.logical_type is LogicalType.STRING
    assert col.null_count == 1
    assert col.categorical.top == (("a", 2), ("1", 1), ("2.5", 1))


def test_object_and_str_columns_profile_the_same():
    values = ["b", "a", None, "b"]
    as_str = column(pd.DataFrame({"x": pd.Series(values, dtype="str")}))
    as_object = column(pd.DataFrame({"x": pd.Series(values, dtype=object)}))
    assert as_str == as_object


def test_other_types_get_nulls_and_distinct_counts_only():
    with duckdb.connect() as conn:
        relation = conn.sql(
            "SELECT * FROM (VALUES ([1, 2], '01:00'::TIME, {'a': 1}), ([1, 2], NULL, NULL),"
            " (NULL, '02:00'::TIME, {'a': 2})) t(l, t, s)"
        )
        profiled = profile_relation(conn, relation, "t")
    assert [c.logical_type for c in profiled.columns] == [
        LogicalType.OTHER,
        LogicalType.TIME,
        LogicalType.OTHER,
    ]
    assert [(c.null_count, c.distinct_count) for c in profiled.columns] == [(1, 1), (1, 2), (1, 2)]
    assert all(c.numeric is None and c.categorical is None for c in profiled.columns)


def test_lists_in_a_dataframe_are_profiled_as_strings():
    # An object column of lists is "mixed" to pandas, so it is profiled by its text.
    col = column(pd.DataFrame({"x": [[1, 2], [1, 2], None]}))
    assert col.logical_type is LogicalType.STRING
    assert col.categorical.top == (("[1, 2]", 2),)


@pytest.mark.parametrize(
    "arguments",
    [{"bins": 1}, {"top_k": 0}, {"id_like_ratio": 0.0}, {"id_like_ratio": 1.5}],
)
def test_bad_arguments(arguments):
    with pytest.raises(ValueError):
        profile(pd.DataFrame({"x": [1]}), **arguments)


# --- the profile as a record ---------------------------------------------------------


def test_profile_round_trips_through_json():
    df = pd.DataFrame(
        {
            "amount": RNG.normal(size=500),
            "city": RNG.choice(["Oslo", "Lima", "Pune"], 500),
            "id": np.arange(500),
            "at": pd.date_range("2024-01-01", periods=500, freq="h", tz="UTC"),
        }
    )
    profiled = profile(df)
    text = json.dumps(profiled.to_dict(), allow_nan=False)
    assert DatasetProfile.from_dict(json.loads(text)) == profiled
    assert profiled.profiled_at == "2024-06-01T12:00:00+00:00"
    assert profiled.dataset == "t" and profiled.row_count == 500


def test_profile_relation_leaves_the_callers_database_as_it_was(tmp_path):
    with duckdb.connect(str(tmp_path / "store.duckdb")) as conn:
        conn.execute("CREATE TABLE batch AS SELECT range AS x, range % 3 AS y FROM range(100)")
        before = conn.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall()
        profiled = profile_relation(conn, conn.table("batch"), "t")
        after = conn.execute("SELECT count(*) FROM duckdb_views() WHERE NOT internal").fetchall()
    assert before == after
    assert profiled.column("y").numeric.histogram.total == 100


def test_read_ahead_hands_over_failures_and_stops_when_abandoned():
    def failing():
        yield "first"
        raise OSError("disk gone")

    read = read_ahead(failing())
    assert next(read) == "first"
    with pytest.raises(OSError, match="disk gone"):
        next(read)
    # A consumer that stops early must not leave the reading thread blocked.
    endless = read_ahead(iter(range(10**9)))
    assert [next(endless) for _ in range(3)] == [0, 1, 2]
    endless.close()


def test_quote_identifier():
    assert quote_identifier('a "b" c') == '"a ""b"" c"'


# --- sources -------------------------------------------------------------------------


@pytest.fixture
def batch_dir(tmp_path):
    df = pd.DataFrame(
        {
            "amount": RNG.normal(100, 15, 300).round(2),
            "city": RNG.choice(["Oslo", "Lima", "Pune"], 300),
            "id": np.arange(300),
        }
    )
    df.to_csv(tmp_path / "batch.csv", index=False)
    df.to_parquet(tmp_path / "batch.parquet")
    (tmp_path / "parts").mkdir()
    df.iloc[:100].to_parquet(tmp_path / "parts" / "a.parquet")
    df.iloc[100:].to_parquet(tmp_path / "parts" / "b.parquet")
    return tmp_path, profile(df)


@pytest.mark.parametrize(
    "source",
    [
        SourceConfig(csv="batch.csv"),
        SourceConfig(parquet="batch.parquet"),
        SourceConfig(glob="parts/*.parquet"),
        SourceConfig(sql="SELECT * FROM 'batch.parquet'"),
    ],
)
def test_every_source_profiles_like_the_dataframe(batch_dir, source):
    base_dir, expected = batch_dir
    profiled = profile_source(source, base_dir, "t", profiled_at=WHEN)
    assert profiled.row_count == 300
    for name in ("amount", "city", "id"):
        got, want = profiled.column(name), expected.column(name)
        assert got.logical_type == want.logical_type
        assert got.null_count == want.null_count
        assert got.skip_reason == want.skip_reason
        assert got.categorical == want.categorical
        if got.numeric:
            # Same edges (quantiles of all rows) and the same exact counts in them.
            assert got.numeric.histogram == want.numeric.histogram
            assert got.numeric.mean == pytest.approx(want.numeric.mean)


@pytest.mark.parametrize(
    "source",
    [
        SourceConfig(parquet="one.parquet"),
        # i is int64 in a.parquet and float64 in b.parquet, which DuckDB casts
        SourceConfig(glob="mixed/*.parquet"),
        # u is missing from b.parquet
        SourceConfig(glob="partial/*.parquet", options={"union_by_name": True}),
    ],
)
def test_parquet_columns_read_by_pyarrow_profile_like_duckdb(tmp_path, source):
    n = 3000
    df = pd.DataFrame(
        {
            "f": np.where(RNG.random(n) < 0.1, np.nan, RNG.normal(0, 1, n)),
            "f32": RNG.normal(5, 2, n).astype(np.float32),
            "i": pd.array(np.where(RNG.random(n) < 0.1, None, RNG.integers(0, 50, n)), "Int64"),
            "u": RNG.integers(0, 2**40, n).astype(np.uint64),
        }
    )
    df.to_parquet(tmp_path / "one.parquet", row_group_size=1000)
    for folder in ("mixed", "partial"):
        (tmp_path / folder).mkdir()
        df.iloc[:1000].to_parquet(tmp_path / folder / "a.parquet")
    rest = df.iloc[1000:]
    rest.assign(i=rest["i"].astype("Float64") + 0.5).to_parquet(
        tmp_path / "mixed" / "b.parquet", row_group_size=700
    )
    rest.drop(columns="u").to_parquet(tmp_path / "partial" / "b.parquet", row_group_size=700)
    reference = profile(df.assign(f=df["f"] * 2))
    with duckdb.connect() as conn:
        relation = open_source(conn, source, tmp_path)
        want = profile_relation(conn, relation, "t", reference=reference)
    got = profile_source(source, tmp_path, "t", reference=reference)
    assert got.column_names == want.column_names
    for name in got.column_names:
        g, w = got.column(name), want.column(name)
        assert (g.null_count, g.skip_reason) == (w.null_count, w.skip_reason)
        assert g.numeric.histogram == w.numeric.histogram
        assert g.numeric.reference_counts == w.numeric.reference_counts
        assert (g.numeric.min, g.numeric.max) == (w.numeric.min, w.numeric.max)
        assert g.numeric.mean == pytest.approx(w.numeric.mean)
        assert g.numeric.std == pytest.approx(w.numeric.std)


def test_header_only_csv_profiles_zero_rows(tmp_path):
    (tmp_path / "h.csv").write_text("id,city\n")
    profiled = profile_source(SourceConfig(csv="h.csv"), tmp_path, "t")
    assert profiled.row_count == 0
    assert profiled.column_names == ("id", "city")


def test_a_bad_row_deep_in_a_csv_is_a_source_error(tmp_path):
    # The sniffer sees integers; the bad value comes after its sample.
    lines = [str(i) for i in range(30_000)] + ["oops"]
    (tmp_path / "late.csv").write_text("n\n" + "\n".join(lines) + "\n")
    with pytest.raises(SourceError, match="late.csv"):
        profile_source(SourceConfig(csv="late.csv"), tmp_path, "t")


def test_missing_source_file_is_a_source_error(tmp_path):
    with pytest.raises(SourceError, match="nothing.parquet: file not found"):
        profile_source(SourceConfig(parquet="nothing.parquet"), tmp_path, "t")
