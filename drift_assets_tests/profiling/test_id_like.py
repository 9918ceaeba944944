"""Which nearly all-distinct columns are identifiers: text always, integers only
as a dense sequence or as epoch times; sparse unique integers are measures."""

from __future__ import annotations

import pytest

from drift_assets.profiling.dataset_profile import LogicalType
from drift_assets.profiling.id_like import id_like_reason
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets_tests.realdata import corpus

INTEGER, STRING, FLOAT = LogicalType.INTEGER, LogicalType.STRING, LogicalType.FLOAT


@pytest.mark.parametrize(
    ("kind", "non_null", "distinct", "span", "reason"),
    [
        # 100 distinct values over a range of 200: exactly half filled, a sequence
        (INTEGER, 100, 100, (1, 200), "id-like: 100.0% of values distinct"),
        # over a range of 201: just under half, a measure
        (INTEGER, 100, 100, (1, 201), None),
        # no range known (no values to span): the share alone decides
        (INTEGER, 100, 100, None, "id-like: 100.0% of values distinct"),
        # text has no range: the share alone decides
        (STRING, 100, 96, None, "id-like: 96.0% of values distinct"),
        (STRING, 100, 94, None, None),
        # epoch seconds of 2000 and of 2099, and nanoseconds
        (INTEGER, 100, 100, (946_684_800, 946_784_800), "epoch-like: 100.0% of values distinct, all within epoch times (event time)"),
        (INTEGER, 100, 100, (4_000_000_000, 4_102_444_800), "epoch-like: 100.0% of values distinct, all within epoch times (event time)"),
        (INTEGER, 100, 100, (1_700_000_000 * 10**9, 1_700_000_001 * 10**9), "epoch-like: 100.0% of values distinct, all within epoch times (event time)"),
        # one value before 2000: not all epoch times, and sparse: a measure
        (INTEGER, 100, 100, (946_684_799, 1_000_000_000), None),
        # floats are never identifiers
        (FLOAT, 100, 100, (1, 100), None),
        # fewer than 20 values are never identifiers
        (INTEGER, 19, 19, (1, 19), None),
    ],
)
def test_the_reason_a_column_is_set_aside(kind, non_null, distinct, span, reason):
    assert id_like_reason(kind, non_null, distinct, 0.95, span) == reason


def test_employment_counts_are_measured_and_a_row_number_is_not():
    # us_employment's monthly counts are all distinct but far from a dense range.
    frame = corpus.load("us_employment").assign(row=lambda f: range(len(f)))
    profile = profile_dataframe(frame, "us_employment")
    assert profile.column("nonfarm").skip_reason is None
    assert profile.column("nonfarm").numeric.histogram is not None
    assert profile.column("row").skip_reason == "id-like: 100.0% of values distinct"
