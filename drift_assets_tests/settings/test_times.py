"""One duration grammar (``--since``, alert intervals, snoozes) and one way to show a time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import TypeAdapter, ValidationError

from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.times import (
    Duration,
    parse_duration,
    parse_since,
    show_duration,
    show_time,
    when,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("30s", timedelta(seconds=30)),
        ("15m", timedelta(minutes=15)),
        ("4h", timedelta(hours=4)),
        (" 1.5d ", timedelta(hours=36)),
        ("2w", timedelta(days=14)),
    ],
)
def test_a_duration_is_a_number_and_a_unit(text, expected):
    assert parse_duration(text) == expected
    # The same grammar in the dataset file and for --since.
    assert AlertsConfig(repeat_interval=text).repeat_interval == expected
    assert parse_since(text, NOW) == NOW - expected


@pytest.mark.parametrize("text", ["4", "4 hours", "h", "-1h", "1y", ""])
def test_anything_else_is_refused_with_examples(text):
    with pytest.raises(ValueError, match="write e.g. 30s, 15m, 4h, 7d or 2w"):
        parse_duration(text)
    with pytest.raises(ValidationError, match="is not a duration"):
        TypeAdapter(Duration).validate_python(text)


def test_a_bare_number_in_the_dataset_file_is_seconds():
    assert AlertsConfig(window=90).window == timedelta(seconds=90)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A bare date is midnight UTC.
        ("2026-11-01", datetime(2026, 11, 1, tzinfo=UTC)),
        # An explicit offset is kept.
        ("2026-11-01T08:00+02:00", datetime(2026, 11, 1, 6, 0, tzinfo=UTC)),
    ],
)
def test_since_also_takes_a_date_or_time(text, expected):
    assert parse_since(text, NOW) == expected


def test_since_refuses_what_is_neither():
    with pytest.raises(ValueError, match="neither a duration .* nor a date"):
        parse_since("last week", NOW)


@pytest.mark.parametrize(
    ("delta", "shown"),
    [
        (timedelta(hours=4), "4h"),
        (timedelta(minutes=90), "90m"),
        (timedelta(days=14), "2w"),
        (timedelta(seconds=45), "45s"),
    ],
)
def test_a_duration_is_shown_in_the_largest_exact_unit_and_reads_back(delta, shown):
    assert show_duration(delta) == shown
    assert parse_duration(shown) == delta


def test_a_time_is_shown_in_utc_to_the_minute():
    berlin = datetime(2026, 11, 22, 13, 5, 59, tzinfo=timezone(timedelta(hours=1)))
    assert show_time(berlin) == "2026-11-22 12:05"
    assert when(berlin) == "2026-11-22 12:05 UTC"
    assert show_time("2026-11-22T12:05:00") == "2026-11-22 12:05"  # stored naive = UTC
    assert when(None) == "?"
