"""Time alone makes things due, and the local Slack stand-in receives them: an ERROR
nobody acknowledges is escalated once to on-call, a snooze that runs out on a check
still failing brings one reminder in the thread, pacing holds across ticks, a digest
names only checks still failing, and a backfill is one message per check."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from drift_assets.alerts.actions import Action
from drift_assets.alerts.router import Kind, Status
from drift_assets.settings.alert_routes import AlertsConfig, Route
from drift_assets.slack.delivery import SlackTarget
from drift_assets_tests.builders import check_event
from drift_assets_tests.fake_slack import FakeSlack, Fault
from drift_assets_tests.slack.router_loop import Clock, RouterLoop

H = timedelta(hours=1)
ONCALL = AlertsConfig(
    tick_budget=timedelta(seconds=3),
    repeat_interval=4 * H,
    routes=(
        Route(
            datasets=("orders",),
            channel="#drift-alerts",
            escalate_after=2 * H,
            escalate_to="#oncall",
            escalate_mentions=("S0ONCALL",),
        ),
        # escalation without a channel: in the alert's own thread
        Route(datasets=("web_*",), channel="#drift-alerts", escalate_after=H),
    ),
)


@pytest.fixture
def slack():
    with FakeSlack() as fake:
        yield fake


@pytest.fixture
def loop(store_target, slack):
    # Escalations, reminders and pacing read the outbox's state: on both backends.
    def make(config: AlertsConfig = ONCALL) -> RouterLoop:
        target = SlackTarget(token=slack.token, api_url=slack.api_url)
        return RouterLoop(store_target, Clock(), config, slack=target)

    return make


def failing(loop: RouterLoop, asset="orders", severity="ERROR", **kw):
    return check_event(asset, "null_rate", severity=severity, at=loop.clock(), **kw)


def test_an_unacknowledged_error_is_escalated_once_to_on_call(loop, slack):
    router = loop()
    router.tick([failing(router)])
    router.tick(after=H)  # 1 h: not yet
    assert [m.channel for m in slack.messages] == ["#drift-alerts"]
    slack.fail_next(Fault(status=500, method="chat.postMessage"))
    router.tick(after=H)  # 2 h: due, but Slack fails: retried on the next tick
    router.tick(after=H)  # and never again in this episode
    router.tick([failing(router)], after=2 * H)  # 5 h: the repeat interval still applies
    alert, escalation, repeat = slack.messages
    assert escalation.channel == "#oncall" and escalation.thread_ts is None
    assert escalation.body["text"].startswith(
        "<!subteam^S0ONCALL> :red_circle: ERROR: orders / null_rate is failing and nobody has"
        " acknowledged it (not acknowledged within 2h)"
    )
    header = escalation.body["attachments"][0]["blocks"][0]["text"]["text"]
    assert header == ":red_circle: Drift alert: ERROR (escalated: not acknowledged)"
    assert repeat.thread_ts == alert.ts
    kinds = [(r.kind, r.status) for r in reversed(router.outbox.rows())]
    assert kinds == [
        (Kind.ALERT, Status.DELIVERED),
        (Kind.ESCALATION, Status.DELIVERED),
        (Kind.REPEAT, Status.DELIVERED),
    ]


def test_without_a_channel_the_escalation_mentions_on_call_in_the_thread(loop, slack):
    config = ONCALL.model_copy(update={"mentions": ("here",)})
    router = loop(config)
    router.tick([failing(router, "web_events")])
    router.tick(after=H)
    alert, escalation = slack.messages
    assert escalation.thread_ts == alert.ts and escalation.channel == alert.channel
    # no on-call group named: the route's own mentions (the owners) are called
    assert escalation.body["text"].startswith("<@U0OWNER> :red_circle: ERROR: web_events")


@pytest.mark.parametrize(
    "case",
    [
        "acknowledged in time",  # someone took it: nobody else is called
        "only a warning",  # escalation is for ERRORs
        "snoozed past the deadline",  # asked for quiet: quiet
        "resolved in time",
    ],
)
def test_no_escalation_when_someone_acted_or_it_is_not_critical(loop, slack, case):
    router = loop()
    router.tick([failing(router, severity="WARN" if case == "only a warning" else "ERROR")])
    if case == "acknowledged in time":
        router.act(Action.ACKNOWLEDGE)
    elif case == "snoozed past the deadline":
        router.act(Action.SNOOZE, snooze_until=router.clock() + 3 * H)
    elif case == "resolved in time":
        router.tick([check_event("orders", "null_rate", passed=True, at=router.clock())], after=H)
    router.tick(after=2 * H + timedelta(minutes=30))
    assert not [m for m in slack.messages if m.channel == "#oncall"]


def test_a_snooze_that_runs_out_on_a_failing_check_brings_one_reminder(loop, slack):
    router = loop()
    router.tick([failing(router, severity="WARN")])
    router.act(Action.SNOOZE, snooze_until=router.clock() + H)
    router.tick([failing(router, severity="WARN")], after=timedelta(minutes=30))  # silent
    router.tick(after=timedelta(minutes=40))  # the snooze ended 10 min ago
    router.tick(after=timedelta(minutes=30))
    router.tick([failing(router, severity="WARN")], after=timedelta(minutes=30))
    alert, reminder = slack.messages  # the later failure is within the repeat interval
    assert reminder.thread_ts == alert.ts
    assert reminder.body["text"].startswith(
        "<@U0OWNER> :large_orange_circle: WARN: orders / null_rate is still failing after its"
        " snooze (snoozed by cli:ana until 2026-03-02 07:00 UTC)"
    )
    # a second snooze that runs out brings a second reminder
    router.act(Action.SNOOZE, snooze_until=router.clock() + H)
    router.tick(after=2 * H)
    assert [m.body["attachments"][0]["blocks"][0]["text"]["text"] for m in slack.messages] == [
        ":large_orange_circle: Drift alert: WARN",
        ":large_orange_circle: Drift alert: WARN (snooze ended, still failing)",
        ":large_orange_circle: Drift alert: WARN (snooze ended, still failing)",
    ]


def test_one_follow_up_per_snooze_and_none_when_it_resolved_during_it(loop, slack):
    router = loop()
    router.tick([failing(router, "orders", severity="WARN")])
    router.tick([failing(router, "customers", severity="WARN")])
    router.act(Action.SNOOZE, "orders", snooze_until=router.clock() + H)
    router.act(Action.SNOOZE, "customers", snooze_until=router.clock() + H)
    router.tick(
        [check_event("orders", "null_rate", passed=True, at=router.clock())],
        after=timedelta(minutes=30),
    )
    # customers fails again after its snooze, past the repeat interval: that repeat
    # is the snooze's reminder (one message, not a repeat and a reminder)
    router.tick([failing(router, "customers", severity="WARN")], after=5 * H)
    router.tick(after=H)
    texts = [m.body["text"].split(" WARN: ")[1] for m in slack.messages]
    assert texts == [
        "orders / null_rate failed",
        "customers / null_rate failed",
        "customers / null_rate is still failing after its snooze (snoozed by cli:ana until"
        " 2026-03-02 07:00 UTC)",
    ]


def test_pacing_holds_across_ticks(loop, slack):
    router = loop(AlertsConfig(tick_budget=timedelta(seconds=5)))
    router.tick([failing(router, "orders")])
    # the next tick starts 0.3 s later (a sensor can tick that fast after a slow one)
    router.tick([failing(router, "customers")], after=timedelta(seconds=0.3))
    assert router.clock.slept == [pytest.approx(0.7)]
    first, second = slack.messages
    delivered = sorted(r.delivered_at for r in router.outbox.rows())
    assert delivered[1] - delivered[0] >= timedelta(seconds=1)


def test_a_digest_names_only_checks_that_still_fail_when_it_is_sent(loop, slack):
    router = loop(AlertsConfig(channel_limit=1, tick_budget=timedelta(seconds=3)))
    # the alert goes out; the digest of the three held back meets a Slack outage
    slack.fail_next(Fault(status=500), times=1)
    slack.fail_next(Fault(status=503), times=4)
    burst = [failing(router, f"asset_{i}") for i in range(4)]
    router.tick(burst[:1])
    router.tick(burst[1:], after=timedelta(seconds=2))
    # two of the held checks pass again before the digest gets through
    passes = [
        check_event(f"asset_{i}", "null_rate", passed=True, at=router.clock()) for i in (1, 2)
    ]
    router.tick(passes, after=H)
    router.tick(after=H)
    (digest,) = [
        m for m in slack.messages if "digest" in m.body["text"] or "more" in m.body["text"]
    ]
    assert digest.body["text"].startswith("1 more failing check in #drift-alerts")
    assert "asset_3" in digest.body["text"] and "asset_1" not in json_of(digest)
    assert "*U0OWNER* (1)" in json_of(digest)  # grouped by owner, read back from the outbox


def test_a_digest_whose_checks_all_pass_again_is_not_sent(loop, slack):
    router = loop(AlertsConfig(channel_limit=1, tick_budget=timedelta(seconds=3)))
    slack.go_down()
    router.tick([failing(router, "a"), failing(router, "b")])
    router.tick([check_event("b", "null_rate", passed=True, at=router.clock())], after=H)
    slack.come_back()
    report = router.tick(after=H)
    assert [m.body["text"].split(":")[2].strip() for m in slack.messages] == ["ERROR"]
    (digest,) = [r for r in router.outbox.rows() if r.kind is Kind.DIGEST]
    assert digest.status is Status.SUPPRESSED
    assert digest.reason == "every check it listed passes again"
    assert report.dropped == ["digest ERROR 1 held -> #drift-alerts"]


def json_of(message) -> str:
    return json.dumps(message.body)
