"""The demo fortnight end to end through Dagster and the router, one daily
partition per day on real dates ending "today": a lasting change
keeps failing until it is accepted (orders' new amounts, with `drift-assets
baseline accept` after day 7), an incident fixed the next day passes again by
itself (customers' e-mail nulls, web_events' partial export), and the outbox says
"resolved" for exactly those three and for none of the changes still in place on
day 14."""

from __future__ import annotations

from datetime import timedelta

import pytest
from click.testing import CliRunner

from drift_assets.alerts.router import Kind, Status
from drift_assets.cli import main
from drift_assets.demo.generate import DEMO_EVENTS
from drift_assets_tests.conftest import DEMO_DAYS, DEMO_TODAY

# x: the check fails that day, .: it passes. Days 1 to 14, the daily partitions
# of DATES (the demo's fortnight ends today).
EXPECTED = {
    "orders.schema_change":          "..............",
    "orders.null_rate":              "..............",
    # amounts +35% from day 5, accepted after day 7; BR's 6% from day 9 on
    "orders.distribution_shift":     "....xxx.xxxxxx",
    # segment renamed customer_tier from day 11 on
    "customers.schema_change":       "..........xxxx",
    # a third of the e-mails missing on day 6 only
    "customers.null_rate":           ".....x........",
    "customers.distribution_shift":  "..............",
    # status_code as text from day 12 on
    "web_events.schema_change":      "...........xxx",
    "web_events.null_rate":          "..............",
    # latency doubled from day 8 on
    "web_events.distribution_shift": ".......xxxxxxx",
    # volumes: learning on days 1 to 7, judged from day 8; web_events' export
    # delivers one of its four files on day 10 only
    "orders.row_count":              "..............",
    "customers.row_count":           "..............",
    "web_events.row_count":          ".........x....",
}  # fmt: skip
RESOLVED = {
    ("customers/null_rate", 7),
    ("orders/distribution_shift", 8),
    ("web_events/row_count", 11),
}
DATES = [(DEMO_TODAY - timedelta(days=DEMO_DAYS - day)).isoformat() for day in range(1, 15)]


def fails(check: str, day: int) -> bool:
    return 1 <= day <= DEMO_DAYS and EXPECTED[check][day - 1] == "x"


@pytest.mark.parametrize("day", range(1, DEMO_DAYS + 1))
def test_every_check_on_every_day(played_demo, day):
    played = played_demo[0][day - 1]
    assert (played.day, played.date.isoformat()) == (day, DATES[day - 1])
    assert {v.partition for v in played.verdicts} == {DATES[day - 1]}
    seen = {f"{v.dataset}.{v.check}": not v.passed for v in played.verdicts}
    assert seen == {check: fails(check, day) for check in EXPECTED}, [
        v for v in played.verdicts if not v.passed
    ]


def test_the_first_day_records_the_baselines(played_demo):
    first = played_demo[0][0]
    assert len(first.verdicts) == 12
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
        "web_events-10": "1,250 rows",
        "customers-11": "segment",
        "web_events-12": "status_code",
    }[f"{event.dataset}-{event.day}"]
    assert words in verdict.description
    assert verdict.severity in ("WARN", "ERROR")
    # The store and the router's events hold the event to its date.
    assert verdict.partition == DATES[event.day - 1]


def test_every_scripted_event_is_held_to_its_date_in_the_store(played_demo):
    days, store = played_demo
    failing = {
        (r.partition_key, f"{r.dataset}.{r.check_name}")
        for r in store.get_store().check_history(failed_only=True, current_only=True)
    }
    assert failing == {
        (DATES[day - 1], check)
        for check in EXPECTED
        for day in range(1, DEMO_DAYS + 1)
        if fails(check, day)
    }
    for event in DEMO_EVENTS:
        assert (DATES[event.day - 1], f"{event.dataset}.{event.check}") in failing


def test_the_router_alerts_repeats_daily_and_resolves_only_what_recovered(played_demo):
    days, _ = played_demo
    routed = [
        (row.kind, f"{row.asset_key}/{row.check_name}", day.day)
        for day in days
        for row in day.routed
    ]
    assert all(row.status is Status.DRY_RUN for day in days for row in day.routed)
    expected = []
    for day in range(1, DEMO_DAYS + 1):
        for check in EXPECTED:
            alert_class = check.replace(".", "/")
            if fails(check, day):
                # a failure a day after the last is due again (repeats every 4 h)
                kind = Kind.REPEAT if fails(check, day - 1) else Kind.ALERT
                expected.append((kind, alert_class, day))
            elif fails(check, day - 1):
                expected.append((Kind.RESOLVED, alert_class, day))
    assert sorted(routed) == sorted(expected)
    assert {(c, d) for kind, c, d in routed if kind is Kind.RESOLVED} == RESOLVED


def test_orders_new_amounts_are_accepted_through_the_cli(played_demo):
    days, store = played_demo
    (transcript,) = days[6].accepted
    assert transcript.startswith(
        "$ drift-assets baseline accept orders --reason 'new price list: amounts"
    )
    assert "accepted as the new baseline of orders by cli:" in transcript
    drift = store.get_store()
    day_7 = {r.run_id: r.profile_id for r in drift.check_history(dataset="orders")}[
        days[6].run_ids["orders"]
    ]
    assert drift.accepted("orders") == day_7
    assert [d.accepted for d in days if d.day != 7] == [()] * (DEMO_DAYS - 1)


def test_every_result_reaches_the_store(played_demo):
    days, store = played_demo
    history = store.get_store().check_history()
    assert len(history) == DEMO_DAYS * 12  # three datasets, four checks
    in_dagster = {(v.run_id, v.dataset, v.check): v.passed for d in days for v in d.verdicts}
    in_store = {(r.run_id, r.dataset, r.check_name): r.passed for r in history}
    assert in_store == in_dagster


def test_blocking_schema_errors_fail_the_run_and_nothing_else_does(played_demo):
    days, _ = played_demo
    schema_days = {
        day for check in EXPECTED if "schema" in check for day in range(1, 15) if fails(check, day)
    }
    assert {d.day for d in days if not d.run_succeeded} == schema_days
    failed_runs = {(d.day, name) for d in days for name in d.failed_runs}
    assert failed_runs == {
        (day, check.split(".")[0])
        for check in EXPECTED
        if "schema" in check
        for day in range(1, 15)
        if fails(check, day)
    }


def test_each_dataset_runs_through_its_own_job(played_demo):
    days, _ = played_demo
    assert all(set(d.run_ids) == {"orders", "customers", "web_events"} for d in days)


def test_the_alert_listing_has_a_header_and_says_what_failed(played_demo):
    _, store = played_demo
    listing = CliRunner().invoke(main, ["alerts", "--db", store.database, "--limit", "0"])
    header, *rows = listing.output.splitlines()
    assert header.split()[:5] == ["ID", "CREATED", "STATUS", "KIND", "SEVERITY"]
    assert header.endswith("CHECK: WHAT FAILED")
    renamed = next(r for r in rows if "customers/schema_change: " in r)
    assert "segment" in renamed
