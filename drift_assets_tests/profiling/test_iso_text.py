"""ISO date and timestamp text is profiled as the times it holds, and only that."""

from __future__ import annotations

import pandas as pd
import pytest

from drift_assets.checks.schema_change import evaluate as schema_change
from drift_assets.profiling.dataset_profile import LogicalType
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.policy import DriftPolicy


@pytest.mark.parametrize(
    ("values", "kind", "first", "last"),
    [
        (["2026-11-02", "2026-11-08", None], LogicalType.DATE, 1793577600, 1794096000),
        (["2026-11-02 08:15:00", "2026-11-02 09:00"], LogicalType.DATETIME, 1793607300, 1793610000),
        (
            ["2026-11-02T08:15:00Z", "2026-11-02T09:15:00+01:00"],
            LogicalType.DATETIME_TZ,
            1793607300,
            1793607300,
        ),
    ],
    ids=["dates", "naive timestamps", "timestamps with a zone"],
)
def test_iso_text_is_measured_as_times(values, kind, first, last):
    column = profile_dataframe(pd.DataFrame({"at": values}), "t").column("at")
    assert column.logical_type is kind
    assert column.physical_type == "VARCHAR"
    assert (column.numeric.min, column.numeric.max) == (first, last)


@pytest.mark.parametrize(
    "values",
    [
        ["2026-11-02", "2026-11-02 08:00"],  # dates mixed with timestamps
        ["2026-11-02", "yesterday"],  # one value that is no date
        ["2026-02-30", "2026-03-01"],  # ISO-shaped, but no such day
        ["20261102", "20261103"],  # digits only: a number or a code, not ISO
        [None, None],  # nothing says it holds times
    ],
)
def test_anything_else_stays_text(values):
    column = profile_dataframe(pd.DataFrame({"at": values}, dtype="str"), "t").column("at")
    assert column.logical_type is LogicalType.STRING


def test_iso_text_against_a_real_date_column_is_no_type_change():
    dates = pd.DataFrame({"day": pd.to_datetime(["2026-11-01", "2026-11-02"]).date})
    text = pd.DataFrame({"day": ["2026-11-03", "2026-11-04"]})
    baseline = profile_dataframe(dates, "t")
    current = profile_dataframe(text, "t", reference=baseline)
    assert baseline.column("day").logical_type is LogicalType.DATE
    assert schema_change(current, baseline, DriftPolicy()).passed
