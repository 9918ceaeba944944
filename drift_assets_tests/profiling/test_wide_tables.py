"""A column's profile does not depend on how wide its table is.

A wide batch is measured a group of columns at a time (and a wide, short Parquet
file is first copied into a table): each column of a real table, repeated side by
side into a wide file, gets exactly the profile it gets in the narrow file, against
a reference too (top values, reference counts, refitted edges)."""

from __future__ import annotations

import dataclasses
import math

import pandas as pd
import pytest

from drift_assets.profiling.profiler import profile_source
from drift_assets.settings.dataset_file import SourceConfig
from drift_assets_tests.realdata import corpus

# Real tables with nulls, booleans, ISO date text (economics), ties and
# many-valued text; Parquet wide enough to be copied into a table first, CSV across
# several groups of columns.
CASES = [
    ("penguins", "parquet"),
    ("economics", "parquet"),
    ("titanic", "csv"),
    ("economics", "csv"),
    ("mpg", "csv"),
]
WIDTH = {"parquet": 1_000, "csv": 300}


def _write(frame: pd.DataFrame, path, fmt: str) -> None:
    if fmt == "parquet":
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False)


def _widened(frame: pd.DataFrame, width: int) -> pd.DataFrame:
    copies = math.ceil(width / frame.shape[1])
    return pd.concat(
        [frame.add_suffix(f"__{k}") for k in range(copies)], axis=1, ignore_index=False
    )


def _profiles(folder, frame: pd.DataFrame, fmt: str):
    """The second half of the rows profiled against the first half's profile."""
    half = len(frame) // 2
    for name, part in (("first", frame.iloc[:half]), ("second", frame.iloc[half:])):
        _write(part, folder / f"{name}.{fmt}", fmt)
    first = profile_source(SourceConfig(**{fmt: f"first.{fmt}"}), folder, "t")
    return profile_source(SourceConfig(**{fmt: f"second.{fmt}"}), folder, "t", reference=first)


@pytest.mark.parametrize("table, fmt", CASES)
def test_each_column_of_a_wide_file_is_profiled_as_in_the_narrow_file(tmp_path, table, fmt):
    frame = corpus.load(table)
    (tmp_path / "narrow").mkdir()
    (tmp_path / "wide").mkdir()
    narrow = _profiles(tmp_path / "narrow", frame, fmt)
    wide = _profiles(tmp_path / "wide", _widened(frame, WIDTH[fmt]), fmt)
    assert wide.row_count == narrow.row_count
    assert len(wide.columns) >= WIDTH[fmt]
    width = len(narrow.columns)
    for column in wide.columns:
        base = narrow.columns[column.position % width]
        expected = dataclasses.replace(base, name=column.name, position=column.position)
        assert column == expected, column.name
