"""Delivery against a real local Slack-compatible server: the exact messages Slack
receives, threads and updates, Retry-After, outages, hangs, dead letters, crashes
and restarts, all without losing an alert or sleeping past the tick's budget."""

from __future__ import annotations

import logging
import socket
import threading
from datetime import UTC, datetime, timedelta

import pytest

from drift_assets.alerts.events import ColumnLine
from drift_assets.alerts.router import Status, route
from drift_assets.settings.alert_routes import AlertsConfig, resolve_route
from drift_assets.slack.delivery import SlackTarget, retry_after_s
from drift_assets.slack.dispatch import dispatch
from drift_assets.store import DriftStore
from drift_assets.store.outbox import Claim, Outbox
from drift_assets_tests.builders import check_event
from drift_assets_tests.fake_slack import FakeSlack, Fault

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
POST = "chat.postMessage"
WEB = "http://dagster.example:3000"


class Clock:
    """Fake time: sleeping advances it, and every sleep is recorded."""

    def __init__(self, at: datetime = T0):
        self.at = at
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)


class Router:
    """One tick's routing, recording and delivery, the way the sensor chains them."""

    def __init__(self, path, slack: SlackTarget, clock: Clock, config: AlertsConfig):
        self.outbox = Outbox(DriftStore(path))
        self.slack, self.clock, self.config = slack, clock, config

    def event(self, asset="orders", check="null_rate", passed=False, severity="ERROR"):
        return check_event(
            asset,
            check,
            passed=passed,
            severity=severity,
            at=self.clock(),
            run_id="0123456789abcdef",
            description="null rate of email rose by 31.0 pp (> 20 pp)",
            baseline="previous: profile #7",
            columns=(ColumnLine("email", "ERROR", "null rate 0.35 vs 0.04 (+31.0 pp > 20 pp)"),),
        )

    def tick(self, events=()):
        now = self.clock()
        route_of = lambda key: resolve_route(  # noqa: E731
            self.config, asset_key=key, dataset=key, dataset_channel=None, owners=("U0OWNER",)
        )
        routing = route(
            list(events), self.outbox.memory(now, self.config.window), self.config, route_of, now
        )
        self.outbox.record(routing)
        deadline = now + self.config.tick_budget
        sender = self.slack.sender(lambda: (deadline - self.clock()).total_seconds())
        return dispatch(
            self.outbox,
            {"slack": sender},
            webserver=WEB,
            clock=self.clock,
            sleep=self.clock.sleep,
            deadline=deadline,
        )


def check_of(message) -> str:
    return message.body["text"].split(" / ")[1].split()[0]


@pytest.fixture
def slack():
    with FakeSlack(channels={"#drift-alerts", "#other"}) as fake:
        yield fake


@pytest.fixture
def clock():
    return Clock()


def web_api(fake: FakeSlack, **kw) -> SlackTarget:
    return SlackTarget(token=fake.token, api_url=fake.api_url, **kw)


# Small budget: slack_sdk's handlers then never sleep (really) inside a call.
QUICK = AlertsConfig(tick_budget=timedelta(seconds=3), repeat_interval=timedelta(hours=1))


def test_alert_repeat_and_resolved_arrive_as_exact_messages_in_one_thread(
    store_target, slack, clock
):
    router = Router(store_target, web_api(slack), clock, QUICK)
    router.tick([router.event()])
    clock.at += timedelta(hours=1)
    router.tick([router.event()])
    clock.at += timedelta(minutes=5)
    router.tick([router.event(passed=True)])

    alert, repeat, resolved = slack.messages
    assert alert.channel == "#drift-alerts" and alert.thread_ts is None
    assert alert.body["text"] == (
        "<@U0OWNER> :red_circle: ERROR: orders / null_rate failed:"
        " null rate of email rose by 31.0 pp (&gt; 20 pp)"  # Slack shows "&gt;" as ">"
    )
    (attachment,) = alert.body["attachments"]
    assert attachment["color"] == "#d32f2f"
    header, fields, description, columns, next_step, context, actions = attachment["blocks"]
    assert header["text"]["text"] == ":red_circle: Drift alert: ERROR"
    assert [f["text"] for f in fields["fields"]] == [
        "*Asset*\n`orders`",
        "*Check*\nnull_rate",
        "*Severity*\n:red_circle: ERROR",
        f"*Run*\n<{WEB}/runs/0123456789abcdef|01234567>",
    ]
    assert description["text"]["text"] == "null rate of email rose by 31.0 pp (&gt; 20 pp)"
    assert columns["text"]["text"] == (
        "*Worst columns*\n• `email` *ERROR*: null rate 0.35 vs 0.04 (+31.0 pp &gt; 20 pp)"
    )
    assert next_step["text"]["text"] == (
        "*Next step:* if this change is intended: Accept as new baseline (Slack), or"
        " `drift-assets baseline accept orders`"
    )
    assert context["elements"][0]["text"] == (
        "Evaluated 2026-03-02 06:00 UTC · baseline: previous: profile #7"
    )
    assert actions["elements"][0]["url"] == (
        f"{WEB}/assets/orders?view=checks&checkDetail=null_rate"
    )

    assert repeat.thread_ts == alert.ts and repeat.channel == alert.channel
    assert repeat.body["attachments"][0]["blocks"][0]["text"]["text"] == (
        ":red_circle: Drift alert: ERROR (still failing)"
    )
    assert resolved.thread_ts == alert.ts
    assert resolved.body["attachments"][0]["color"] == "#36a64f"
    assert resolved.body["text"].startswith(":large_green_circle: INFO: orders / null_rate passes")
    # the first message shows the current state after each reply
    still, done = alert.updates
    assert still["attachments"][0]["blocks"][1]["text"]["text"].startswith(
        "*Now:* failing since 2026-03-02 06:00 UTC (2 failed evaluations)"
    )
    assert done["attachments"][0]["blocks"][1]["text"]["text"] == "*Now:* resolved"
    assert done["attachments"][0]["color"] == "#36a64f"
    assert [r.status for r in router.outbox.rows()] == [Status.DELIVERED] * 3


def test_pacing_keeps_one_message_per_second_per_channel_within_the_budget(
    store_target, slack, clock
):
    router = Router(store_target, web_api(slack), clock, QUICK)
    report = router.tick([router.event(check=f"c{i}") for i in range(5)])
    # 3 s budget: 3 posts one second apart; the rest wait for the next tick
    assert len(report.sent) == 3 and report.waiting == 2
    assert clock.slept == [1.0, 1.0]
    assert clock() - T0 <= QUICK.tick_budget
    clock.at += timedelta(seconds=30)
    router.tick()
    clock.at += timedelta(seconds=30)
    router.tick()
    assert [check_of(m) for m in slack.messages] == [f"c{i}" for i in range(5)]


@pytest.mark.parametrize(
    "retry_after, wait_s",
    [
        ("120", 120),  # seconds
        ("Mon, 02 Mar 2026 06:05:00 GMT", 300),  # an HTTP date, 5 min after T0
    ],
)
def test_429_honours_retry_after_without_sleeping_in_the_tick(
    store_target, slack, clock, retry_after, wait_s
):
    router = Router(store_target, web_api(slack), clock, QUICK)
    slack.fail_next(Fault(status=429, error="ratelimited", retry_after=retry_after, method=POST))
    report = router.tick([router.event()])
    assert report.sent == [] and clock.slept == []
    (row,) = router.outbox.rows()
    assert row.status is Status.PENDING and row.reason == "HTTP 429: ratelimited"
    assert abs((row.next_attempt_at - T0).total_seconds() - wait_s) < 2
    clock.at += timedelta(seconds=wait_s - 10)
    router.tick()
    assert slack.messages == []
    clock.at += timedelta(seconds=12)
    router.tick()
    assert len(slack.messages) == 1


def test_retry_after_parsing():
    assert retry_after_s("3") == 3.0
    assert retry_after_s("Mon, 02 Mar 2026 06:01:00 GMT", now=T0) == 60.0
    assert retry_after_s("garbage") is None


def test_slack_down_for_an_hour_then_back_delivers_every_alert_once(store_target, slack, clock):
    router = Router(store_target, web_api(slack), clock, QUICK)
    slack.go_down(Fault(status=503))
    for minute in range(0, 60, 15):  # a new failing check every 15 minutes
        router.tick([router.event(check=f"check_{minute}")])
        for _ in range(2):
            clock.at += timedelta(minutes=7)
            router.tick()
    assert slack.messages == [] and len(slack.requests) > 4
    slack.come_back()
    for _ in range(5):  # backoff is capped at 5 min (+ jitter)
        clock.at += timedelta(minutes=2)
        router.tick()
    texts = [check_of(m) for m in slack.messages]
    assert texts == [f"check_{m}" for m in range(0, 60, 15)]
    assert {r.status for r in router.outbox.rows()} == {Status.DELIVERED}


def test_a_crash_between_sent_and_marked_delivered_duplicates_at_most_once(
    store_target, slack, clock, monkeypatch
):
    router = Router(store_target, web_api(slack), clock, AlertsConfig())
    real = Claim.mark_delivered

    def crash_once(self, *args):
        monkeypatch.setattr(Claim, "mark_delivered", real)
        raise SystemExit("the daemon died")

    monkeypatch.setattr(Claim, "mark_delivered", crash_once)
    with pytest.raises(SystemExit):
        router.tick([router.event(check="a"), router.event(check="b")])
    restarted = Router(store_target, web_api(slack), clock, AlertsConfig())
    clock.at += timedelta(seconds=30)
    restarted.tick()
    restarted.tick()
    assert [check_of(m) for m in slack.messages] == ["a", "a", "b"]


def test_a_restart_mid_backlog_loses_nothing(store_target, slack, clock):
    router = Router(store_target, web_api(slack), clock, QUICK)
    router.tick([router.event(check=f"c{i}") for i in range(8)])
    sent_before = len(slack.messages)
    assert 0 < sent_before < 8
    for _ in range(4):  # a new process: nothing in memory, everything in the outbox
        clock.at += timedelta(seconds=30)
        Router(store_target, web_api(slack), clock, QUICK).tick()
    assert [check_of(m) for m in slack.messages] == [f"c{i}" for i in range(8)]


def test_a_failed_call_is_retried_inside_the_tick_when_there_is_time(store_target, slack, clock):
    router = Router(store_target, web_api(slack), clock, AlertsConfig())
    slack.fail_next(Fault(status=500, method=POST))
    report = router.tick([router.event()])
    assert len(report.sent) == 1 and len(slack.posts()) == 2  # slack_sdk's ServerErrorRetryHandler


@pytest.mark.parametrize(
    "channel, fault, error",
    [
        ("#gone", None, "HTTP 200: channel_not_found"),
        # the token passed auth.test, then Slack revoked it mid-tick
        ("#drift-alerts", Fault(error="invalid_auth", method=POST), "HTTP 200: invalid_auth"),
        (
            "#drift-alerts",
            Fault(status=400, error="invalid_blocks", method=POST),
            "HTTP 400: invalid_blocks",
        ),
    ],
)
def test_permanent_errors_go_to_the_dead_letter_state_with_the_reason(
    store_target, slack, clock, channel, fault, error
):
    router = Router(store_target, web_api(slack), clock, AlertsConfig(channel=channel))
    if fault:
        slack.fail_next(fault)
    report = router.tick([router.event()])
    (row,) = router.outbox.rows()
    assert (row.status, row.reason, row.attempts) == (Status.DEAD, error, 1)
    assert report.dead == [f"alert ERROR orders/null_rate -> {channel}: {error}"]


def test_a_rejected_token_holds_every_alert_until_it_is_fixed(store_target, slack, clock):
    wrong = SlackTarget(token="xoxb-wrong-secret", api_url=slack.api_url)
    router = Router(store_target, wrong, clock, QUICK)
    report = router.tick([router.event(check="a"), router.event(check="b")])
    assert report.halted == "slack: HTTP 200: invalid_auth" and report.waiting == 2
    assert slack.posts() == []
    assert {r.status for r in router.outbox.rows()} == {Status.PENDING}
    router.slack = web_api(slack)  # the token is fixed
    clock.at += timedelta(seconds=30)
    router.tick()
    assert [check_of(m) for m in slack.messages] == ["a", "b"]


def test_a_hang_past_the_client_timeout_is_retried_later_and_bounded(store_target, slack, clock):
    router = Router(store_target, web_api(slack, timeout_s=1), clock, QUICK)
    slack.fail_next(Fault(hang_s=5, method=POST))
    started = datetime.now(UTC)
    router.tick([router.event()])
    assert datetime.now(UTC) - started < timedelta(seconds=3)
    (row,) = router.outbox.rows()
    assert row.status is Status.PENDING and "timed out" in row.reason.lower()
    clock.at += timedelta(seconds=20)
    router.tick()
    assert len(slack.messages) == 1


def test_the_incoming_webhook_alternative_and_its_secret_url(store_target, slack, clock):
    hook = SlackTarget(webhook_url=slack.webhook_url)
    router = Router(store_target, hook, clock, QUICK)
    slack.fail_next(Fault(status=404, error="no_service"))
    router.tick([router.event(check="gone")])
    router.tick([router.event(check="fine")])
    dead, delivered = sorted(router.outbox.rows(), key=lambda r: r.outbox_id)
    assert (dead.status, dead.reason) == (Status.DEAD, "HTTP 404: no_service")
    assert delivered.status is Status.DELIVERED
    assert slack.messages[0].body["attachments"][0]["color"] == "#d32f2f"
    assert "fake-webhook-secret" not in repr(router.outbox.rows())


def test_the_cli_lists_the_outbox_and_says_when_delivery_falls_behind(store_target, slack, clock):
    from click.testing import CliRunner

    # the command itself: importing the whole CLI takes seconds (scipy and friends)
    from drift_assets.cli.alerts import command as main

    router = Router(store_target, web_api(slack), clock, QUICK)
    slack.go_down(Fault(status=503))
    router.tick([router.event(check="late")])
    slack.come_back()
    router.tick([router.event(check="fine", severity="WARN")])
    result = CliRunner().invoke(main, ["--db", store_target, "--status", "pending"])
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.split()[:3] == ["ID", "CREATED", "STATUS"]
    fine, late, stale = lines[0], lines[1], lines[-1]
    # then what is failing now, with the ids to act on
    now = lines[
        lines.index("Now (act with `drift-assets alerts ack|snooze|unsnooze ID`):") + 1 : -1
    ]
    assert [line.split()[1] for line in now] == ["orders/fine:", "orders/late:"]
    assert all("failing since" in line for line in now)
    # "fine" waits behind "late": a channel's alerts go out in order
    # each with what failed after its check
    assert fine.split()[3:8] == ["pending", "alert", "WARN", "#drift-alerts", "orders/fine:"]
    assert late.split()[3:8] == ["pending", "alert", "ERROR", "#drift-alerts", "orders/late:"]
    assert late.endswith("attempts=1  (HTTP 503: fatal_error)")
    assert stale.startswith("oldest undelivered alert: ")
    assert stale.endswith("old; over the 15m limit: is Slack reachable?")
    empty = CliRunner().invoke(main, ["--db", store_target, "--status", "dead"])
    assert empty.output.splitlines()[0] == "no alerts with status dead."


def test_the_webhook_url_stays_out_of_errors_and_logs(store_target, clock, caplog):
    caplog.set_level(logging.DEBUG)  # slack_sdk logs request URLs at debug level
    secret = "T0SECRET/B0SECRET/xyzzy-very-secret"
    with socket.socket() as unused:  # a port nothing listens on: connection refused
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    hook = SlackTarget(webhook_url=f"http://127.0.0.1:{port}/services/{secret}")
    router = Router(store_target, hook, clock, QUICK)
    report = router.tick([router.event()])
    (row,) = router.outbox.rows()
    assert row.status is Status.PENDING and "Connection refused" in row.reason
    assert "xyzzy" not in row.reason + " ".join(report.retrying) + caplog.text
    assert "url: ***" in caplog.text  # slack_sdk did log the URL, redacted


def test_a_thread_resolved_and_failing_again_in_one_tick_still_says_resolved(
    store_target, slack, clock
):
    router = Router(store_target, web_api(slack), clock, AlertsConfig())
    router.tick([router.event()])
    clock.at += timedelta(minutes=5)
    router.tick([router.event(passed=True), router.event()])  # a new episode starts at once
    first, resolved, again = slack.messages
    assert resolved.thread_ts == first.ts and again.thread_ts is None
    assert first.updates[-1]["attachments"][0]["blocks"][1]["text"]["text"] == "*Now:* resolved"


def test_two_routers_on_one_postgres_store_never_send_an_alert_twice(postgres, slack):
    target = postgres.create_database("two_routers")
    events = [
        Router(target, web_api(slack), Clock(), QUICK).event(check=f"c{i}") for i in range(12)
    ]
    routers = [Router(target, web_api(slack), Clock(), QUICK) for _ in range(2)]
    routers[0].outbox.record(
        route(events, routers[0].outbox.memory(T0, QUICK.window), QUICK, _route_of, T0)
    )
    start = threading.Barrier(2)
    reports: list[list[str]] = [[], []]

    def drain(i: int) -> None:
        start.wait()
        for _ in range(20):  # each tick sends what it can within its budget
            reports[i].extend(routers[i].tick().sent)
            routers[i].clock.at += timedelta(seconds=30)

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    sent = sorted(check_of(m) for m in slack.messages)
    assert sent == sorted(f"c{i}" for i in range(12))  # each once, none twice
    assert len(reports[0]) + len(reports[1]) == 12
    assert {r.status for r in routers[0].outbox.rows()} == {Status.DELIVERED}


def _route_of(key):
    return resolve_route(QUICK, asset_key=key, dataset=key, dataset_channel=None, owners=())
