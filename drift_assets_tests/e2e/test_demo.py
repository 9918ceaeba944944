"""The demo script end to end through Dagster: every scripted event fails exactly
its check on its day, ordinary days pass, and every result lands in the store."""

from __future__ import annotations

import pytest

from drift_assets.demo.generate import DEMO_EVENTS, expected_failures
from drift_assets_tests.conftest import DEMO_DAYS


@pytest.mark.parametrize("day", range(1, DEMO_DAYS + 1))
def test_checks_fail_exactly_on_the_scripted_days(played_demo, day):
    days, _ = played_demo
    expected = {name: checks for name, checks in expected_failures(day).items() if checks}
    played = days[day - 1]
    assert played.day == day
    assert played.failed() == expected, [v for v in played.verdicts if not v.passed]


def test_the_first_day_records_the_baselines(played_demo):
    first = played_demo[0][0]
    assert len(first.verdicts) == 9
    assert all(v.passed and v.description.startswith("baseline recorded") for v in first.verdicts)


@pytest.mark.parametrize("event", DEMO_EVENTS, ids=lambda e: f"{e.dataset}-day{e.day}")
def test_failures_say_what_changed(played_demo, event):
    verdict = next(
        v
        for v in played_demo[0][event.day - 1].verdicts
        if v.dataset == event.dataset and v.check == event.check
    )
    words = {
        "orders-5": "amount",
        "customers-6": "email",
        "web_events-8": "latency_ms",
        "orders-9": "BR",
        "customers-11": "segment",
        "web_events-12": "status_code",
    }[f"{event.dataset}-{event.day}"]
    assert words in verdict.description
    assert verdict.severity in ("WARN", "ERROR")


def test_every_result_reaches_the_store(played_demo):
    days, store = played_demo
    history = store.get_store().check_history()
    assert len(history) == DEMO_DAYS * 9
    in_dagster = {(d.run_id, v.dataset, v.check): v.passed for d in days for v in d.verdicts}
    in_store = {(r.run_id, r.dataset, r.check_name): r.passed for r in history}
    assert in_store == in_dagster


def test_blocking_schema_errors_fail_the_run_and_nothing_else_does(played_demo):
    days, _ = played_demo
    schema_days = {e.day for e in DEMO_EVENTS if e.check == "schema_change"}
    assert {d.day for d in days if not d.run_succeeded} == schema_days
