"""Containment: a column or a family that cannot be evaluated is an ERROR result
saying why, and every other column and family still reports."""

from __future__ import annotations

from dataclasses import replace

import pytest

from drift_assets.checks.containment import ContainedColumns, evaluate_family, reason
from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import Severity
from drift_assets.settings.policy import DriftPolicy
from drift_assets_tests.builders import category_column, numeric_column, profile

EDGES = [0.0, 1.0, 2.0]


def finding(outcome, column):
    return next(f for f in outcome.columns if f.column == column)


def healthy():
    return (
        numeric_column("amount", EDGES, [250, 250, 250, 250], mean=1.0, std=1.0),
        category_column("country", [("DE", 600), ("FR", 400)], position=1),
    )


def test_a_corrupt_column_is_an_error_finding_and_the_others_still_report():
    amount, country = healthy()
    # A stored profile can be inconsistent (more nulls than rows, a negative
    # count): the statistics refuse it, which must not take the batch down.
    broken_nulls = replace(category_column("email", [("a", 10)], position=2), null_count=5_000)
    broken_counts = replace(
        numeric_column("latency", EDGES, [500, -1, 250, 251], position=3), null_count=0
    )
    baseline = profile("orders", amount, country, broken_nulls, broken_counts, rows=1_000)
    current_amount = replace(
        amount,
        numeric=replace(amount.numeric, reference_counts=(250, 250, 250, 250)),
    )
    current_country = replace(
        country, categorical=replace(country.categorical, reference_counts=(600, 400, 0))
    )
    current_latency = replace(
        broken_counts,
        numeric=replace(broken_counts.numeric, reference_counts=(250, 250, 250, 250)),
    )
    current = profile(
        "orders", current_amount, current_country, broken_nulls, current_latency, rows=1_000
    )
    schema, nulls, shift = evaluate_all(current, baseline, DriftPolicy())

    assert schema.passed  # nothing wrong with the schema
    assert (nulls.passed, nulls.severity) == (False, Severity.ERROR)
    email = finding(nulls, "email")
    assert email.severity == Severity.ERROR
    assert email.summary == "could not be evaluated: ValueError: counts must not be negative"
    assert nulls.description.startswith(
        "1 column could not be evaluated: email (ValueError: counts must not be negative);"
    )
    assert nulls.metrics["columns_not_evaluated"] == 1
    assert {f.column for f in nulls.columns} == {"amount", "country", "email", "latency"}
    assert not finding(nulls, "amount").failed

    assert (shift.passed, shift.severity) == (False, Severity.ERROR)
    latency = finding(shift, "latency")
    assert latency.summary == "could not be evaluated: ValueError: counts must not be negative"
    assert finding(shift, "amount").summary.startswith("no drift")
    assert finding(shift, "country").summary.startswith("no drift")


def test_a_family_that_raises_is_its_error_outcome_and_the_others_still_run():
    amount, country = healthy()
    # Positions missing from a stored baseline break the family-wide order
    # comparison of schema_change, not any one column.
    baseline = profile(
        "orders", replace(amount, position=None), replace(country, position=None), rows=1_000
    )
    current = profile("orders", *healthy(), rows=1_000)
    schema, nulls, shift = evaluate_all(current, baseline, DriftPolicy())
    assert (schema.check, schema.passed, schema.severity) == (
        "schema_change",
        False,
        Severity.ERROR,
    )
    assert schema.description.startswith("could not be evaluated: TypeError: ")
    assert nulls.passed
    assert shift.check == "distribution_shift"


def test_contained_columns_keep_the_order_of_those_that_work():
    amount, country = healthy()
    contained = ContainedColumns()

    def examine(column):
        if column.name == "amount":
            raise ZeroDivisionError("division by zero")
        return column.name

    assert contained.each([amount, country], examine) == ["country"]
    assert [(f.column, f.severity, f.summary) for f in contained.unevaluated] == [
        ("amount", Severity.ERROR, "could not be evaluated: ZeroDivisionError: division by zero")
    ]


def test_evaluate_family_turns_an_exception_into_the_familys_error():
    def explode():
        raise KeyError("psi")

    outcome = evaluate_family("null_rate", explode)
    assert (outcome.check, outcome.passed, outcome.severity, outcome.description) == (
        "null_rate",
        False,
        Severity.ERROR,
        "could not be evaluated: KeyError: 'psi'",
    )


@pytest.mark.parametrize(
    ("error", "expected"),
    [
        (ValueError("two\nlines"), "ValueError: two lines"),  # one line, always
        (RuntimeError("x" * 500), "RuntimeError: " + "x" * 183 + "..."),  # cut at 200
    ],
)
def test_a_reason_is_one_short_line(error, expected):
    assert reason(error) == expected
