"""Changes planted in one random half of a real table, the other half the baseline:
each is found, at the severity the defaults promise, and said as what it is."""

from __future__ import annotations

import numpy as np
import pytest

from drift_assets.checks.outcome import Severity
from drift_assets.settings.policy import DriftPolicy
from drift_assets_tests.realdata import corpus
from drift_assets_tests.realdata.verdicts import findings, halves, judge

# Smooth float columns of a few thousand rows or more per half (a 0.2 SD shift
# needs about 1,000 rows per side to be significant at 0.01).
SMOOTH = [("diamonds", "depth"), ("nyc_weather", "temp"), ("movies", "rating")]


@pytest.mark.parametrize(("table", "column"), SMOOTH)
@pytest.mark.parametrize(("shift_sd", "severity"), [(0.2, Severity.WARN), (0.5, Severity.ERROR)])
def test_a_mean_shift_warns_at_a_fifth_of_an_sd_and_errors_at_half(
    table, column, shift_sd, severity
):
    baseline, current = halves(corpus.load(table))
    current[column] = current[column] + shift_sd * baseline[column].std()
    outcome = judge(baseline, current)["distribution_shift"]
    assert [f.column for f in outcome.failed_columns] == [column]
    assert findings(outcome)[column].severity == severity


def test_ten_more_points_of_nulls_warn():
    baseline, current = halves(corpus.load("diamonds"))
    current.loc[current.sample(frac=0.10, random_state=1).index, "carat"] = np.nan
    outcomes = judge(baseline, current)
    carat = findings(outcomes["null_rate"])["carat"]
    assert carat.severity == Severity.WARN
    assert "+10.0 pp" in carat.summary
    # The values that are left are the same distribution.
    assert not outcomes["distribution_shift"].failed_columns


def test_a_new_category_of_five_percent_is_named():
    baseline, current = halves(corpus.load("diamonds"))
    current.loc[current.sample(frac=0.05, random_state=1).index, "cut"] = "Superb"
    cut = findings(judge(baseline, current)["distribution_shift"])["cut"]
    assert cut.failed
    assert cut.detail["new_categories"] == {"Superb": pytest.approx(0.05, abs=0.001)}
    assert "['Superb']" in cut.detail["headline"]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda f: f.rename(columns={"clarity": "grade"}),
            {("clarity", "removed"), ("grade", "added")},
        ),
        (lambda f: f.assign(price=f["price"].astype(str)), {("price", "type_changed")}),
        (lambda f: f.drop(columns=["table"]), {("table", "removed")}),
    ],
    ids=["rename", "int column as text", "dropped column"],
)
def test_schema_changes_on_a_real_table_error(change, expected):
    baseline, current = halves(corpus.load("diamonds"))
    schema = judge(baseline, change(current))["schema_change"]
    assert schema.severity == Severity.ERROR
    assert {(f.column, f.detail["change"]) for f in schema.columns} == expected


@pytest.mark.parametrize(
    ("recode", "headline"),
    [
        ({"male": "M", "female": "F"}, "both baseline values vanished; new: M, F"),
        ({"male": "Male", "female": "Female"}, "both baseline values vanished; new: Male, Female"),
    ],
    ids=["recoded", "re-cased"],
)
def test_recoded_labels_are_an_error_naming_what_vanished_and_what_came(recode, headline):
    baseline, current = halves(corpus.load("penguins"))
    current["sex"] = current["sex"].map(recode)
    outcome = judge(baseline, current)["distribution_shift"]
    sex = findings(outcome)["sex"]
    assert sex.severity == Severity.ERROR
    assert sex.detail["headline"] == f"{headline} (error at 5%)"
    assert f"sex {headline}" in outcome.description


def test_a_recoded_many_valued_column_names_a_few_and_counts_the_rest():
    baseline, current = halves(corpus.load("airports"))
    current["state"] = current["state"].str.lower()
    state = findings(judge(baseline, current)["distribution_shift"])["state"]
    assert state.severity == Severity.ERROR
    assert state.detail["headline"].startswith("50 of the baseline's top 50 values vanished: ")
    assert " and 45 more (" in state.detail["headline"]


def test_a_re_cased_column_of_countries_is_an_error_naming_them():
    # 142 countries of 12 rows: about 6 per half, none alone unlikely to vanish
    # (the largest test gives 142 / 2^10); all 50 listed vanishing together is.
    baseline, current = halves(corpus.load("gapminder"))
    current["country"] = current["country"].str.upper()
    country = findings(judge(baseline, current)["distribution_shift"])["country"]
    assert country.severity == Severity.ERROR
    assert country.detail["headline"].startswith("50 of the baseline's top 50 values vanished: ")
    assert "; now frequent: " in country.detail["headline"]


def test_re_cased_cities_are_an_error_when_the_profile_lists_enough_of_them():
    # 2,674 cities over 1,688 rows a half: the top 50 reach down to 2 or 3 rows,
    # too few to tell a re-case from chance at the default top_k (an unlisted
    # city may hold as many); a top 200 lists the cities of 2+ rows on each side.
    baseline, current = halves(corpus.load("airports"))
    current["city"] = current["city"].str.upper()
    city = findings(judge(baseline, current, DriftPolicy(top_k=200))["distribution_shift"])["city"]
    assert city.severity == Severity.ERROR
    assert city.detail["headline"].startswith("200 of the baseline's top 200 values vanished: ")
