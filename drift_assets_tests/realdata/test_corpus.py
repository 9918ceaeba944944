"""The corpus: at least 15 real tables of different shapes, read from package files only."""

from __future__ import annotations

import socket

import pytest

from drift_assets.profiling.dataset_profile import LogicalType
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets_tests.realdata import corpus


def test_the_network_is_refused_here():
    with pytest.raises(AssertionError, match="tried to connect"):
        socket.create_connection(("127.0.0.1", 9), timeout=1)


@pytest.mark.parametrize("name", sorted(corpus.TABLES))
def test_every_table_loads_from_its_package_without_a_network(name):
    frame = corpus.load(name)
    assert len(frame) >= 100 and frame.shape[1] >= 2
    assert "rownames" not in frame.columns


def test_the_corpus_has_the_shapes_drift_checks_meet_in_practice():
    assert len(corpus.TABLES) >= 15
    shown = ["airports", "seattle_weather", "economics", "nyc_weather", "arrests"]
    kinds = {
        (name, c.name): c
        for name in shown
        for c in profile_dataframe(corpus.load(name), name).columns
    }
    # Many-valued text that is not an ID: tested, and its top K is incomplete.
    city = kinds[("airports", "city")]
    assert city.skip_reason is None and not city.categorical.complete
    # Real dates and datetimes, and ISO text measured as times.
    assert kinds[("seattle_weather", "date")].logical_type is LogicalType.DATETIME
    assert kinds[("economics", "date")].logical_type is LogicalType.DATE
    assert kinds[("nyc_weather", "time_hour")].logical_type is LogicalType.DATETIME_TZ
    assert kinds[("arrests", "employed")].logical_type is LogicalType.BOOLEAN
    # Heavy ties (most days without rain) and a skewed, imbalanced column.
    rain = corpus.load("seattle_weather")["precipitation"]
    assert (rain == 0).mean() > 0.4
    colour = corpus.load("arrests")["colour"].value_counts(normalize=True)
    assert colour.max() > 0.7


def test_a_table_is_a_fresh_copy_each_time():
    first = corpus.load("iris")
    first.loc[0, "species"] = "changed"
    assert corpus.load("iris").loc[0, "species"] != "changed"
