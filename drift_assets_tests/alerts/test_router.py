"""The routing policy over time, with an injected clock: bursts become a few messages
and a digest, repeats follow the repeat interval, a pass sends one "resolved",
and acknowledgements and snoozes are honoured."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import datetime, timedelta

from drift_assets.alerts.router import Kind, Memory, Routing, Status, route
from drift_assets.settings.alert_routes import AlertsConfig, Route, resolve_route
from drift_assets.settings.severity import Severity
from drift_assets_tests.builders import T0
from drift_assets_tests.builders import check_event as event


class Walk:
    """Feeds ticks to the router and keeps its memory the way the outbox would."""

    def __init__(self, config: AlertsConfig):
        self.config = config
        self.memory = Memory()
        self.sent: list = []

    def tick(self, events, at: datetime) -> Routing:
        routing = route(events, self.memory, self.config, self.route_of, at)
        states = {**self.memory.states, **{(s.asset_key, s.check_name): s for s in routing.states}}
        by_asset, by_channel = dict(self.memory.sent_by_asset), dict(self.memory.sent_by_channel)
        held = {c: list(h) for c, h in self.memory.held.items()}
        digests = dict(self.memory.last_digest_at)
        for e in routing.entries:
            if e.kind is Kind.DIGEST:
                digests[e.channel] = at
                held[e.channel] = []
            elif e.status is Status.PENDING and e.kind is not Kind.RESOLVED:
                by_asset.setdefault(e.event.asset_key, []).append(at)
                by_channel.setdefault(e.channel, []).append(at)
            elif e.held:
                held.setdefault(e.channel, []).append(_held(e))
        self.memory = Memory(states, by_asset, by_channel, digests, held)
        self.sent += [e for e in routing.entries if e.status is Status.PENDING]
        return routing

    def route_of(self, asset_key: str):
        return resolve_route(
            self.config, asset_key=asset_key, dataset=asset_key, dataset_channel=None, owners=()
        )


def _held(entry):
    from drift_assets.alerts.router import HeldAlert

    ev = entry.event
    return HeldAlert(entry.key, ev.asset_key, ev.check_name, entry.severity, ev.run_id, None)


def test_a_burst_of_200_failures_over_20_assets_is_a_few_messages_and_one_digest():
    # 20 assets x 10 checks in one tick; checks 0-1 are ERROR (ERROR bypasses the
    # per-asset limit), the rest WARN; 3 alerts per asset and 50 per channel an hour.
    walk = Walk(AlertsConfig(per_asset_limit=3, channel_limit=50))
    burst = [
        event(f"asset_{a:02d}", f"check_{c}", severity="ERROR" if c < 2 else "WARN")
        for c in range(10)
        for a in range(20)
    ]
    routing = walk.tick(burst, T0)

    sent = [
        (e.event.asset_key, e.event.check_name)
        for e in routing.entries
        if not e.held and e.kind is Kind.ALERT
    ]
    # every ERROR, then check_2 of the first 10 assets until the channel has 50
    assert sent == [(f"asset_{a:02d}", f"check_{c}") for c in range(2) for a in range(20)] + [
        (f"asset_{a:02d}", "check_2") for a in range(10)
    ]
    assert all(e.status is Status.PENDING for e in routing.entries if not e.held)
    reasons = Counter(e.reason for e in routing.entries if e.held)
    assert reasons == {
        # assets 0-9 already had 3 alerts: checks 3-9
        "over 3 alerts per asset in 1h; in the digest": 10 * 7,
        # assets 10-19 had 2, but the channel was full: checks 2-9
        "over 50 alerts in #drift-alerts in 1h; in the digest": 10 * 8,
    }
    (digest,) = [e for e in routing.entries if e.kind is Kind.DIGEST]
    assert (len(digest.covers), digest.channel, digest.status) == (
        150,
        "#drift-alerts",
        Status.PENDING,
    )
    assert len(routing.entries) == 50 + 150 + 1


def test_per_asset_limit_holds_warnings_but_not_criticals():
    walk = Walk(AlertsConfig(per_asset_limit=2))
    routing = walk.tick(
        [event("orders", f"w{i}") for i in range(4)] + [event("orders", "e1", severity="ERROR")],
        T0,
    )
    assert [(e.event.check_name if e.event else "digest", e.status) for e in routing.entries] == [
        ("w0", Status.PENDING),
        ("w1", Status.PENDING),
        ("w2", Status.SUPPRESSED),
        ("w3", Status.SUPPRESSED),
        ("e1", Status.PENDING),
        ("digest", Status.PENDING),
    ]


def test_one_digest_per_channel_and_window():
    walk = Walk(AlertsConfig(per_asset_limit=1))
    walk.tick([event("a", "x"), event("a", "y")], T0)  # y held, digest now
    later = T0 + timedelta(minutes=10)
    second = walk.tick([event("a", "z", at=later)], later)  # held, but a digest went out 10m ago
    assert [e.kind for e in second.entries] == [Kind.ALERT]
    assert second.entries[0].held
    hour = T0 + timedelta(hours=1)
    third = walk.tick([], hour)
    assert [(e.kind, [h.check_name for h in e.covers]) for e in third.entries] == [
        (Kind.DIGEST, ["z"])
    ]


def test_repeats_follow_the_repeat_interval_and_a_pass_sends_one_resolved():
    walk = Walk(AlertsConfig(repeat_interval=timedelta(hours=4)))
    timeline = [T0 + timedelta(hours=h) for h in (0, 1, 2, 3, 4, 5, 8, 9)]
    outcomes = []
    for at in timeline:
        routing = walk.tick([event("orders", "null_rate", at=at)], at)
        outcomes.append((routing.entries[0].kind, routing.entries[0].status))
    assert outcomes == [
        (Kind.ALERT, Status.PENDING),  # 0h: first failure
        (Kind.REPEAT, Status.SUPPRESSED),  # 1h
        (Kind.REPEAT, Status.SUPPRESSED),  # 2h
        (Kind.REPEAT, Status.SUPPRESSED),  # 3h
        (Kind.REPEAT, Status.PENDING),  # 4h: interval passed
        (Kind.REPEAT, Status.SUPPRESSED),  # 5h
        (Kind.REPEAT, Status.PENDING),  # 8h
        (Kind.REPEAT, Status.SUPPRESSED),  # 9h
    ]
    root = walk.sent[0].key
    assert all(e.thread_key == root for e in walk.sent[1:])
    assert walk.sent[1].reason is None
    first_pass = walk.tick(
        [event("orders", "null_rate", passed=True, at=T0 + timedelta(hours=10))], T0
    )
    second_pass = walk.tick([event("orders", "null_rate", passed=True)], T0 + timedelta(hours=11))
    assert [(e.kind, e.status, e.severity, e.thread_key) for e in first_pass.entries] == [
        (Kind.RESOLVED, Status.PENDING, Severity.INFO, root)
    ]
    assert second_pass.entries == ()
    again = walk.tick([event("orders", "null_rate")], T0 + timedelta(hours=12))
    assert [(e.kind, e.status, e.thread_key) for e in again.entries] == [
        (Kind.ALERT, Status.PENDING, None)
    ]


def test_escalation_to_critical_is_announced_within_the_interval():
    walk = Walk(AlertsConfig())
    walk.tick([event("orders", "schema_change")], T0)
    later = T0 + timedelta(minutes=30)
    routing = walk.tick([event("orders", "schema_change", severity="ERROR", at=later)], later)
    assert [(e.kind, e.status, e.severity) for e in routing.entries] == [
        (Kind.REPEAT, Status.PENDING, Severity.ERROR)
    ]


def test_acknowledged_classes_do_not_repeat_and_snoozed_ones_send_nothing():
    walk = Walk(AlertsConfig(repeat_interval=timedelta(hours=1)))
    walk.tick([event("orders", "null_rate"), event("users", "null_rate")], T0)
    states = dict(walk.memory.states)
    states[("orders", "null_rate")] = replace(
        states[("orders", "null_rate")], acknowledged_at=T0, acknowledged_by="U1"
    )
    states[("users", "null_rate")] = replace(
        states[("users", "null_rate")], snoozed_until=T0 + timedelta(hours=3), snoozed_by="U2"
    )
    walk.memory = replace(walk.memory, states=states)
    at = T0 + timedelta(hours=2)
    routing = walk.tick(
        [event("orders", "null_rate", at=at), event("users", "null_rate", at=at)], at
    )
    assert [(e.status, e.reason) for e in routing.entries] == [
        (Status.SUPPRESSED, "acknowledged by U1 at 2026-03-02 06:00 UTC"),
        (Status.SUPPRESSED, "snoozed until 2026-03-02 09:00 UTC by U2"),
    ]
    after = T0 + timedelta(hours=4)  # the snooze is over: routing resumes, and the
    # first repeat after it is the snooze's reminder
    routing = walk.tick([event("users", "null_rate", at=after)], after)
    assert [(e.kind, e.status) for e in routing.entries] == [(Kind.REMINDER, Status.PENDING)]
    assert routing.entries[0].reason == "snoozed by U2 until 2026-03-02 09:00 UTC"


def test_routes_pick_the_channel_minimum_severity_and_mentions():
    config = AlertsConfig(
        channel="#data",
        owners={"ana": "U0ANA"},
        routes=(
            Route(
                channel="#sales",
                datasets=("sales_*",),
                min_severity=Severity.ERROR,
                mentions=("S0SALES",),
            ),
        ),
    )
    sales = resolve_route(
        config,
        asset_key="sales_eu",
        dataset="sales_eu",
        dataset_channel=None,
        owners=("ana", "bob@example.com"),
    )
    other = resolve_route(
        config, asset_key="users", dataset="users", dataset_channel="#users", owners=()
    )
    assert sales.channel == "#sales" and sales.min_severity is Severity.ERROR
    assert sales.mentions == ("<!subteam^S0SALES>", "<@U0ANA>")
    assert (other.channel, other.mentions) == ("#users", ())
    walk = Walk(config)
    walk.route_of = lambda key: sales
    routing = walk.tick([event("sales_eu", "null_rate")], T0)
    assert routing.entries[0].reason == "WARN is below #sales's minimum ERROR"


def test_a_check_failing_every_day_is_announced_daily_and_resolved_only_once_it_passes():
    # A lasting change under the default baseline fails every day until someone
    # accepts it; the first pass after the accept is the only "resolved".
    walk = Walk(AlertsConfig())  # repeats every 4 h, daily runs
    days = [T0 + timedelta(days=d) for d in range(8)]
    outcomes = [False] * 6 + [True, True]  # accepted after day 6
    routed = []
    for at, passed in zip(days, outcomes, strict=True):
        routing = walk.tick([event("orders", "distribution_shift", passed=passed, at=at)], at)
        routed.append([(e.kind, e.status) for e in routing.entries])
    assert routed == [
        [(Kind.ALERT, Status.PENDING)],
        *[[(Kind.REPEAT, Status.PENDING)]] * 5,  # re-announced every day, never resolved
        [(Kind.RESOLVED, Status.PENDING)],
        [],  # passing again sends nothing more
    ]
    root = walk.sent[0].key
    assert all(e.thread_key == root for e in walk.sent[1:])
    assert walk.memory.states[("orders", "distribution_shift")].firing is False


def test_a_pass_older_than_the_firing_failure_resolves_nothing():
    # A first tick's lookback re-reads evaluations whose failures are already in the
    # outbox; the passes from before them must not "resolve" the failure.
    walk = Walk(AlertsConfig())
    day = timedelta(days=1)
    walk.tick([event("orders", "null_rate", at=T0 + day)], T0 + day)
    reread = walk.tick([event("orders", "null_rate", passed=True, at=T0)], T0 + 2 * day)
    assert reread.entries == () and walk.memory.states[("orders", "null_rate")].firing
    recovered = walk.tick(
        [event("orders", "null_rate", passed=True, at=T0 + 3 * day)], T0 + 3 * day
    )
    assert [e.kind for e in recovered.entries] == [Kind.RESOLVED]
