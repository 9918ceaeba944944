"""Routing by owner and backfills, with the injected clock: a route can send a
dataset's alerts to its owners' channel with their mentions, digests group by
owner, and a tick with many partitions of one check is one message per check that
names the failed partitions, with every partition's evaluation still recorded once."""

from __future__ import annotations

from datetime import timedelta

from drift_assets.alerts.backfill import fold_partitions
from drift_assets.alerts.message import alert_message, digest_message
from drift_assets.alerts.router import HeldAlert, Kind, Status
from drift_assets.settings.alert_routes import AlertsConfig, Route, resolve_route
from drift_assets.settings.severity import Severity
from drift_assets_tests.alerts.test_router import Walk
from drift_assets_tests.builders import T0, check_event

OWNED = AlertsConfig(
    channel="#data",
    owners={"team:sales": "S0SALES", "ana": "U0ANA"},
    owner_channels={"team:sales": "#sales-data"},
    routes=(Route(channel="#data-owned", datasets=("*",), to_owners=True),),
)


def route_for(owners):
    return resolve_route(
        OWNED, asset_key="orders", dataset="orders", dataset_channel=None, owners=owners
    )


def test_a_to_owners_route_sends_to_the_owners_channel_with_their_mentions():
    sales = route_for(("ana", "team:sales"))
    # the first owner with a channel decides; every owner with a Slack id is mentioned
    assert (sales.channel, sales.mentions) == ("#sales-data", ("<@U0ANA>", "<!subteam^S0SALES>"))
    assert sales.owners == ("ana", "team:sales")
    # no owner has a channel: the route's own
    assert route_for(("ana",)).channel == "#data-owned"


def test_digests_group_by_owner():
    def held(asset, owners):
        return HeldAlert(f"k-{asset}", asset, "null_rate", Severity.WARN, "r", None, owners)

    message = digest_message(
        "#data",
        [held("orders", ("team:sales",)), held("events", ()), held("refunds", ("team:sales",))],
        webserver="http://w",
    )
    (listing,) = [b["text"]["text"] for b in message.blocks[2:]]
    lines = [line.split("|")[-1] if line.startswith("•") else line for line in listing.split("\n")]
    assert lines == [
        "*team:sales* (2)",
        "orders / null_rate> WARN",
        "refunds / null_rate> WARN",
        "*no owner* (1)",
        "events / null_rate> WARN",
    ]


def test_the_routers_digest_carries_the_owners():
    walk = Walk(OWNED.model_copy(update={"channel_limit": 1}))
    walk.route_of = lambda key: route_for(("team:sales",))
    routing = walk.tick([check_event(f"a{i}", "null_rate") for i in range(3)], T0)
    (digest,) = [e for e in routing.entries if e.kind is Kind.DIGEST]
    assert [h.owners for h in digest.covers] == [("team:sales",)] * 2


def partitions(days, failing, *, check="null_rate", at=T0, severity="WARN"):
    return [
        check_event(
            "orders",
            check,
            passed=day not in failing,
            severity=failing.get(day, severity),
            at=at + timedelta(seconds=i),
            partition=f"2026-10-{day:02d}",
            description=f"partition {day}",
        )
        for i, day in enumerate(days)
    ]


def test_a_backfill_is_one_message_per_check_naming_the_failed_partitions():
    walk = Walk(AlertsConfig())
    failing = {d: "WARN" for d in range(3, 15)} | {9: "ERROR"}  # 12 of 30
    backfill = partitions(range(1, 31), failing)
    routing = walk.tick(backfill, T0 + timedelta(minutes=5))

    (message,) = [e for e in routing.entries if e.status is Status.PENDING]
    assert message.kind is Kind.ALERT and message.severity is Severity.ERROR
    assert message.event.description == (
        "null_rate failed on 12 of 30 partitions: 2026-10-03, 2026-10-04, 2026-10-05,"
        " 2026-10-06, 2026-10-07, 2026-10-08, 2026-10-09, 2026-10-10, 2026-10-11,"
        " 2026-10-12 and 2 more"
    )
    assert message.event.of_partitions == 30 and len(message.event.failed_partitions) == 12
    assert message.event.partition is None
    # the run of the worst partition: its profile is the one "accept" would take
    assert message.event.run_id == backfill[8].run_id
    # every partition's evaluation is recorded once (a replay finds its key), quietly
    quiet = [e for e in routing.entries if e.status is Status.SUPPRESSED]
    assert sorted(e.key for e in quiet) == sorted(e.key for e in backfill)
    assert {e.reason for e in quiet} == {f"one message for the tick's partitions: {message.key}"}
    assert message.key not in {e.key for e in backfill}


def test_one_partition_is_an_ordinary_alert_and_a_green_backfill_resolves_once():
    walk = Walk(AlertsConfig())
    (single,) = walk.tick(partitions([3], {3: "WARN"}), T0).entries
    assert single.kind is Kind.ALERT and single.event.partition == "2026-10-03"
    later = T0 + timedelta(days=1)
    routing = walk.tick(partitions(range(1, 8), {}, at=later), later + timedelta(minutes=1))
    (resolved,) = [e for e in routing.entries if e.status is Status.PENDING]
    assert resolved.kind is Kind.RESOLVED
    assert resolved.event.description == "null_rate passed on all 7 partitions"
    assert len(routing.entries) == 8  # and each partition's evaluation, recorded quietly
    # green again with nothing failing: nothing to say, nothing recorded
    again = later + timedelta(days=1)
    assert walk.tick(partitions(range(1, 8), {}, at=again), again).entries == ()


def test_the_backfill_message_names_the_partitions_and_the_worst_one():
    walk = Walk(AlertsConfig())
    (message,) = [
        e
        for e in walk.tick(partitions(range(1, 5), {2: "WARN", 3: "ERROR"}), T0).entries
        if e.status is Status.PENDING
    ]
    rendered = alert_message(message.event, message.kind, message.severity, webserver="http://w")
    fields = [f["text"] for f in rendered.blocks[1]["fields"]]
    assert fields[-1] == "*Partitions*\n2 of 4 failed (worst: 2026-10-03)"
    assert rendered.text == (
        ":red_circle: ERROR: orders / null_rate failed: null_rate failed on 2 of 4"
        " partitions: 2026-10-02, 2026-10-03"
    )


def test_a_partition_evaluated_twice_in_a_tick_counts_once_by_its_latest_result():
    first = partitions([1, 2], {1: "WARN", 2: "WARN"})
    rerun = partitions([1], {}, at=T0 + timedelta(minutes=1))
    folded = fold_partitions([*first, *rerun])
    (event,) = folded.events
    assert event.description == "null_rate failed on 1 of 2 partitions: 2026-10-02"
    assert len(folded.folded) == 3


def test_checks_and_unpartitioned_events_are_folded_separately():
    mixed = [
        *partitions([1, 2], {1: "WARN"}),
        *partitions([1, 2], {2: "ERROR"}, check="distribution_shift"),
        check_event("customers", "null_rate"),
    ]
    folded = fold_partitions(mixed)
    assert [(e.check_name, e.description) for e in folded.events] == [
        ("null_rate", "null_rate failed on 1 of 2 partitions: 2026-10-01"),
        ("distribution_shift", "distribution_shift failed on 1 of 2 partitions: 2026-10-02"),
        ("null_rate", None),
    ]
