"""Property tests of profiling: any DataFrame profiles without raising, and the
DataFrame, CSV and Parquet paths agree on logical types where the format can
represent them."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from hypothesis import given, settings
from hypothesis import strategies as st

from drift_assets.profiling.dataset_profile import LogicalType
from drift_assets.profiling.profiler import profile_dataframe, profile_source
from drift_assets.settings.dataset_file import SourceConfig
from drift_assets_tests.frames import KINDS, frame_pairs, frames, schemas

# Each example profiles up to three files: small budgets keep the file to seconds.
PROPERTY = settings(derandomize=True, max_examples=30, deadline=None, database=None)


@PROPERTY
@given(frame_pairs())
def test_any_frame_profiles_and_counts_into_any_baseline(pair):
    baseline_frame, current_frame = pair
    baseline = profile_dataframe(baseline_frame, "t")
    current = profile_dataframe(current_frame, "t", reference=baseline)
    for frame, profile in ((baseline_frame, baseline), (current_frame, current)):
        assert profile.row_count == len(frame)
        assert len(profile.columns) == frame.shape[1]
        for column in profile.columns:
            assert 0 <= column.null_count <= profile.row_count


# Kinds every format spells the same way. A category is text in CSV and
# Parquet alike; an all-null column has no type in a CSV or Parquet file.
_TYPED = tuple(k for k in KINDS if k != "all_null")


def _profile_file(frame, suffix: str):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"batch.{suffix}"
        if suffix == "csv":
            frame.to_csv(path, index=False)
            source = SourceConfig(csv=str(path))
        else:
            # pyarrow keeps duplicate names, which pandas' to_parquet refuses.
            table = pa.Table.from_arrays(
                [pa.Array.from_pandas(frame.iloc[:, i]) for i in range(frame.shape[1])],
                names=[str(n) for n in frame.columns],
            )
            pq.write_table(table, path)
            source = SourceConfig(parquet=str(path))
        return profile_source(source, Path(folder), "t")


@settings(PROPERTY, max_examples=20)
@given(st.data())
def test_dataframe_csv_and_parquet_agree_on_logical_types(data):
    schema = data.draw(schemas(kinds=_TYPED))
    # Letters only, so no text looks like a number or a date to the CSV reader,
    # and at least one row, since an empty CSV's types are only guesses.
    frame = data.draw(frames(schema, min_rows=1, letters_only=True))
    # A column without any value has no type in a file.
    frame = frame.loc[:, [frame.iloc[:, i].notna().any() for i in range(frame.shape[1])]]
    if frame.shape[1] == 0:
        return
    from_frame = [c.logical_type for c in profile_dataframe(frame, "t").columns]
    from_parquet = [c.logical_type for c in _profile_file(frame, "parquet").columns]
    from_csv = [c.logical_type for c in _profile_file(frame, "csv").columns]
    assert from_parquet == from_frame
    # CSV has no spelling of infinity that DuckDB's type sniffing reads back as
    # a number: pandas writes "inf", and a column of [inf, 0.0] reads as text, one
    # of only inf as dates ('infinity' is a DATE). Such a column is left out there.
    ambiguous = [
        frame.dtypes.iloc[i].kind == "f" and np.isinf(frame.iloc[:, i]).any()
        for i in range(frame.shape[1])
    ]
    assert [t for t, a in zip(from_csv, ambiguous, strict=True) if not a] == [
        t for t, a in zip(from_frame, ambiguous, strict=True) if not a
    ]
    assert LogicalType.OTHER not in from_frame
