"""The benchmark's data generator plants exactly the shifts the benchmark scores contenders on."""

from __future__ import annotations

import pyarrow as pa
import pytest

from bench.generate import COLUMNS, MEAN_SHIFTS_SD, NEW_CATEGORY, NULL_INCREASE, generate

ROWS = 20_000


@pytest.fixture(scope="module")
def batches():
    return generate(ROWS, current=False).to_pandas(), generate(ROWS, current=True).to_pandas()


def test_twenty_columns_of_the_promised_kinds(batches):
    baseline, _ = batches
    schema = generate(10, current=False).schema
    kinds = [schema.field(c).type for c in COLUMNS]
    assert len(COLUMNS) == 20
    assert kinds.count(pa.float64()) == 12
    assert kinds.count(pa.int64()) == 4
    assert kinds.count(pa.string()) == 4
    categories = sorted(baseline[c].nunique() for c in COLUMNS if c.startswith("s_"))
    assert categories == [5, 50, 200, 1000]


def test_every_column_has_one_to_five_percent_nulls_in_the_baseline(batches):
    baseline, _ = batches
    rates = baseline.isna().mean()
    assert rates.between(0.005, 0.06).all(), rates


@pytest.mark.parametrize("column, shift_sd", sorted(MEAN_SHIFTS_SD.items()))
def test_mean_shifts_are_the_stated_number_of_standard_deviations(batches, column, shift_sd):
    baseline, current = batches
    measured = (current[column].mean() - baseline[column].mean()) / baseline[column].std()
    # Two means of 20k rows differ by about 0.01 SD by chance alone.
    assert measured == pytest.approx(shift_sd, abs=0.04)


def test_unshifted_numeric_columns_keep_their_mean(batches):
    baseline, current = batches
    for column in COLUMNS:
        if column.startswith(("f_", "i_")) and column not in MEAN_SHIFTS_SD:
            shift = (current[column].mean() - baseline[column].mean()) / baseline[column].std()
            assert abs(shift) < 0.04, column


def test_null_rate_rises_by_ten_points_in_one_column_only(batches):
    baseline, current = batches
    increase = current.isna().mean() - baseline.isna().mean()
    column, points = NULL_INCREASE
    assert increase[column] == pytest.approx(points, abs=0.01)
    assert (increase.drop(column).abs() < 0.01).all()


def test_one_new_category_takes_two_percent(batches):
    baseline, current = batches
    column, value, share = NEW_CATEGORY
    assert value not in set(baseline[column])
    assert (current[column] == value).mean() == pytest.approx(share, abs=0.004)
    assert set(current[column].dropna()) - set(baseline[column].dropna()) == {value}
