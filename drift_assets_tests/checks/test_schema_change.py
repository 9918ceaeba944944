"""schema_change: added, removed and retyped columns fail at the policy's severity; moves are only noted."""

from __future__ import annotations

import pytest

from drift_assets.checks.outcome import Severity
from drift_assets.checks.schema_change import evaluate
from drift_assets.profiling.dataset_profile import ColumnProfile, DatasetProfile, LogicalType
from drift_assets.settings.policy import DriftPolicy

INTEGER, FLOAT, STRING = LogicalType.INTEGER, LogicalType.FLOAT, LogicalType.STRING


def profile(*columns: tuple[str, LogicalType] | tuple[str, LogicalType, str]) -> DatasetProfile:
    built = tuple(
        ColumnProfile(name, kind, physical[0] if physical else kind.value.upper(), i, 0, 10)
        for i, (name, kind, *physical) in enumerate(columns)
    )
    return DatasetProfile("orders", 1_000, built, "2026-11-01T06:00:00+00:00")


BASELINE = profile(("id", INTEGER), ("amount", FLOAT), ("country", STRING))


def changes(outcome):
    return [(f.column, f.detail["change"], f.detail["from"], f.detail["to"], f.severity) for f in outcome.columns]


def test_the_first_profile_is_recorded_as_the_baseline():
    outcome = evaluate(BASELINE, None, DriftPolicy())
    assert outcome.passed
    assert outcome.description == "baseline recorded: 3 columns, 1,000 rows"


def test_an_unchanged_schema_passes():
    outcome = evaluate(BASELINE, BASELINE, DriftPolicy())
    assert outcome.passed
    assert outcome.description == "schema unchanged (3 columns)"
    assert outcome.metrics == {"columns_added": 0, "columns_removed": 0, "columns_retyped": 0, "columns_moved": 0, "column_count": 3}


@pytest.mark.parametrize(
    ("current", "expected", "severity", "description"),
    [
        # a new column: WARN by default
        (profile(("id", INTEGER), ("amount", FLOAT), ("country", STRING), ("notes", STRING)), [("notes", "added", None, "string", Severity.WARN)], Severity.WARN, "schema changed, 1 change: added notes (string)"),
        # a column gone: ERROR by default
        (profile(("id", INTEGER), ("amount", FLOAT)), [("country", "removed", "string", None, Severity.ERROR)], Severity.ERROR, "schema changed, 1 change: removed country (string)"),
        # a logical type change: ERROR by default
        (profile(("id", INTEGER), ("amount", STRING), ("country", STRING)), [("amount", "type_changed", "float", "string", Severity.ERROR)], Severity.ERROR, "schema changed, 1 change: amount retyped float -> string"),
        # all three at once: errors first
        (profile(("id", INTEGER), ("amount", STRING), ("notes", STRING)), [("country", "removed", "string", None, Severity.ERROR), ("amount", "type_changed", "float", "string", Severity.ERROR), ("notes", "added", None, "string", Severity.WARN)], Severity.ERROR, "schema changed, 3 changes: removed country (string), amount retyped float -> string, added notes (string)"),
    ],
)
def test_added_removed_and_retyped_columns_fail_at_their_severity(current, expected, severity, description):
    outcome = evaluate(current, BASELINE, DriftPolicy())
    assert changes(outcome) == expected
    assert outcome.severity == severity
    assert outcome.description == description


def test_counts_of_each_change_are_metrics():
    outcome = evaluate(profile(("id", INTEGER), ("amount", STRING), ("notes", STRING), ("channel", STRING)), BASELINE, DriftPolicy())
    assert outcome.metrics == {"columns_added": 2, "columns_removed": 1, "columns_retyped": 1, "columns_moved": 0, "column_count": 4}


def test_a_physical_type_change_within_a_logical_type_is_no_change():
    # int32 -> int64, or pandas object -> str: the same logical type
    current = profile(("id", INTEGER, "BIGINT"), ("amount", FLOAT, "FLOAT"), ("country", STRING, "str"))
    assert evaluate(current, BASELINE, DriftPolicy()).description == "schema unchanged (3 columns)"


@pytest.mark.parametrize(
    ("current", "moved"),
    [
        # two columns swapped: one of them moved
        (profile(("id", INTEGER), ("country", STRING), ("amount", FLOAT)), ["country"]),
        # a column added in front shifts every position, but nothing moved
        (profile(("notes", STRING), ("id", INTEGER), ("amount", FLOAT), ("country", STRING)), []),
        # the last column brought to the front
        (profile(("country", STRING), ("id", INTEGER), ("amount", FLOAT)), ["country"]),
        # the order reversed: two of three must have moved (which two is a tie; id stays)
        (profile(("country", STRING), ("amount", FLOAT), ("id", INTEGER)), ["amount", "country"]),
    ],
)
def test_only_columns_out_of_their_relative_order_are_reported_as_moved(current, moved):
    outcome = evaluate(current, BASELINE, DriftPolicy())
    found = [f for f in outcome.columns if f.detail["change"] == "moved"]
    assert sorted(f.column for f in found) == moved
    assert not any(f.failed for f in found)
    assert outcome.metrics["columns_moved"] == len(moved)


def test_a_move_alone_passes_and_is_described():
    outcome = evaluate(profile(("id", INTEGER), ("country", STRING), ("amount", FLOAT)), BASELINE, DriftPolicy())
    assert outcome.passed
    assert outcome.description == "no failing schema change (3 columns): country moved from position 2 to 1"
    moved = outcome.columns[0]
    assert moved.detail == {"change": "moved", "from": "string", "to": "string", "from_position": 2, "to_position": 1}


def test_a_kind_of_change_set_to_ignore_is_reported_without_failing():
    policy = DriftPolicy(schema_change={"added": "IGNORE"})
    outcome = evaluate(profile(("id", INTEGER), ("amount", FLOAT), ("country", STRING), ("notes", STRING)), BASELINE, policy)
    assert outcome.passed
    assert outcome.description == "no failing schema change (4 columns): added notes (string) (ignored by policy)"


def test_a_removal_can_be_made_a_warning():
    policy = DriftPolicy(schema_change={"removed": "WARN"})
    outcome = evaluate(profile(("id", INTEGER), ("amount", FLOAT)), BASELINE, policy)
    assert outcome.severity == Severity.WARN
    assert outcome.thresholds["removed"] == "WARN"


def test_ignored_columns_are_never_reported():
    policy = DriftPolicy(ignore_columns=("country", "notes"))
    outcome = evaluate(profile(("id", INTEGER), ("amount", FLOAT), ("notes", STRING)), BASELINE, policy)
    assert outcome.passed
    assert outcome.columns == ()
    assert outcome.thresholds["ignored_columns"] == ["notes", "country"]
