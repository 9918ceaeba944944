"""Genuine subpopulations and periods of real tables: the columns that truly moved
(more than 0.5 SD, or a total-variation distance above 0.2) are found, the ones
that hardly moved (under 0.1 SD and 0.05) are not."""

from __future__ import annotations

import pandas as pd
import pytest

from drift_assets.checks.outcome import Severity
from drift_assets_tests.realdata import corpus
from drift_assets_tests.realdata.verdicts import findings, judge


def _split(name: str, column: str, then, now) -> tuple[pd.DataFrame, pd.DataFrame]:
    frame = corpus.load(name)
    return frame[then(frame[column])], frame[now(frame[column])]


CASES = {
    # two species of the same genus: body measurements moved, sampling years did not
    "penguins Adelie vs Gentoo": lambda: _split(
        "penguins", "species", lambda s: s == "Adelie", lambda s: s == "Gentoo"
    ),
    "iris setosa vs versicolor": lambda: _split(
        "iris", "species", lambda s: s == "setosa", lambda s: s == "versicolor"
    ),
    "seattle winter vs summer": lambda: _split(
        "seattle_weather",
        "date",
        lambda d: d.dt.month.isin([12, 1, 2]),
        lambda d: d.dt.month.isin([6, 7, 8]),
    ),
    "stocks MSFT vs AAPL": lambda: _split(
        "stocks", "symbol", lambda s: s == "MSFT", lambda s: s == "AAPL"
    ),
    "gapminder 1952 vs 2007": lambda: _split(
        "gapminder", "year", lambda y: y == 1952, lambda y: y == 2007
    ),
}


def _moved(then: pd.Series, now: pd.Series) -> float | None:
    """How far a column truly moved: |mean shift| in baseline SDs for numbers,
    the total-variation distance for categories (None for other columns)."""
    then, now = then.dropna(), now.dropna()
    if (
        pd.api.types.is_bool_dtype(then)
        or pd.api.types.is_object_dtype(then)
        or then.dtype == "str"
    ):
        shares = pd.concat(
            [then.value_counts(normalize=True), now.value_counts(normalize=True)], axis=1
        ).fillna(0)
        return float((shares.iloc[:, 0] - shares.iloc[:, 1]).abs().sum() / 2)
    if pd.api.types.is_numeric_dtype(then) and then.std() > 0:
        return float(abs(now.mean() - then.mean()) / then.std())
    return None


@pytest.mark.parametrize("case", CASES)
def test_the_columns_that_truly_moved_are_found_and_the_others_are_not(case):
    baseline, current = CASES[case]()
    distribution = findings(judge(baseline, current)["distribution_shift"])
    truly_moved, unmoved = [], []
    for column, finding in distribution.items():
        if "skipped" in finding.detail:
            continue  # event time and IDs are not distribution-tested
        moved = _moved(baseline[column], current[column])
        if moved is None:
            continue
        if moved > 0.5 if pd.api.types.is_numeric_dtype(baseline[column]) else moved > 0.2:
            truly_moved.append(column)
        elif moved < (0.1 if pd.api.types.is_numeric_dtype(baseline[column]) else 0.05):
            unmoved.append(column)
    assert truly_moved, "each case has at least one column that moved"
    assert {c for c in truly_moved if not distribution[c].failed} == set()
    assert {c for c in unmoved if distribution[c].failed} == set()


def test_a_species_split_is_said_as_the_value_that_vanished_and_the_one_that_came():
    baseline, current = CASES["penguins Adelie vs Gentoo"]()
    species = findings(judge(baseline, current)["distribution_shift"])["species"]
    assert species.severity == Severity.ERROR
    assert species.detail["headline"].startswith("the baseline value vanished; new: Gentoo")


def test_two_periods_of_a_real_series_report_its_dates_as_ranges():
    baseline, current = CASES["seattle winter vs summer"]()
    date = findings(judge(baseline, current)["distribution_shift"])["date"]
    assert not date.failed
    assert date.summary.startswith("now 2012-06-01..2015-08-31, baseline 2012-01-01..2015-12-31")
    assert date.detail["range"] == {
        "current": "2012-06-01..2015-08-31",
        "baseline": "2012-01-01..2015-12-31",
    }
