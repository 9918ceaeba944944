"""Slack actions end to end on loopback: real in-process Dagster runs of a drift
dataset, the router sensor posting to the local Slack stand-in, and signed button
presses sent to the actions endpoint on a real uvicorn server. Acknowledge stops
the repeats but not "resolved"; a snooze silences the class until it runs out;
accepting the failed batch as the baseline makes the next evaluation pass. Each
press is answered within Slack's 3 seconds and shows on the message. Each runs on
both store backends (a DuckDB file, a Postgres database)."""

from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

import httpx
import numpy as np
import pytest
import uvicorn
from click.testing import CliRunner
from dagster import DagsterInstance, Definitions, build_sensor_context, materialize
from slack_sdk.signature import SignatureVerifier

from drift_assets.alerts.router import Kind, Status
from drift_assets.cli import main
from drift_assets.defs.alert_sensor import ACTIONS_URL_ENV_VAR, build_alert_sensor
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.resources import DriftStoreResource, SlackAlertsResource
from drift_assets.settings.alert_routes import AlertsConfig, baseline_approvers
from drift_assets.settings.dataset_file import DatasetConfig, ProjectConfig, SourceConfig
from drift_assets.settings.policy import DriftPolicy
from drift_assets.slack.actions_app import ACTIONS_PATH, MAX_BODY_BYTES, ActionHandler, build_app
from drift_assets.slack.delivery import SlackTarget
from drift_assets.slack.request_guard import RequestGuard
from drift_assets.store.action_log import ActionLog
from drift_assets.store.outbox import Outbox
from drift_assets_tests.fake_slack import FakeSlack, Message

SECRET = "e2e-signing-secret"
CHECK = "distribution_shift"
DEFAULT_ALERTS = AlertsConfig()
# Two batches a whole standard deviation apart: each fails against the other.
BATCHES = {
    "usual": np.random.default_rng(1).normal(0.0, 1.0, 2000),
    "shifted": np.random.default_rng(2).normal(1.0, 1.0, 2000),
}


class Loop:
    """One dataset, its runs, the router's ticks on a movable clock, and the endpoint."""

    def __init__(
        self,
        folder: Path,
        store: str,
        slack: FakeSlack,
        baseline: str,
        alerts: AlertsConfig,
        owners: tuple[str, ...] = (),
    ):
        self.folder, self.slack = folder, slack
        self.endpoint = ""  # set once the server listens
        self.start = self.now = datetime.now(UTC)
        self.dataset = DatasetConfig(
            name="orders",
            source=SourceConfig(csv="batch.csv"),
            schedule=None,
            policy=DriftPolicy(baseline=baseline),
            owners=owners,
        )
        self.asset = build_dataset_asset(self.dataset, folder)
        self.config = ProjectConfig(datasets=(self.dataset,), alerts=alerts, base_dir=folder)
        self.store = DriftStoreResource(database=store)
        self.sensor = build_alert_sensor(self.config, clock=lambda: self.now)
        self.defs = Definitions(
            assets=[self.asset], sensors=[self.sensor], resources={"drift_store": self.store}
        )
        self.instance = DagsterInstance.ephemeral()
        self.cursor: str | None = None
        self.handler = ActionHandler(
            self.store.get_store(),
            webserver="http://dagster.test",
            slack=SlackTarget(token=slack.token, api_url=slack.api_url),
            clock=lambda: self.now,
            approvers=lambda key: baseline_approvers(alerts, owners if key == "orders" else ()),
        )

    def run(self, batch: str) -> bool:
        """Materialize one batch; whether the drift check passed."""
        lines = "\n".join(f"{x:.6f}" for x in BATCHES[batch])
        (self.folder / "batch.csv").write_text(f"amount\n{lines}\n")
        result = materialize(
            [self.asset], instance=self.instance, resources={"drift_store": self.store}
        )
        (evaluation,) = [e for e in result.get_asset_check_evaluations() if e.check_name == CHECK]
        return evaluation.passed

    def tick(self, after: timedelta = timedelta(0)) -> list[Message]:
        """One router tick at start + ``after``; the messages it posted."""
        self.now = self.start + after
        before = len(self.slack.messages)
        context = build_sensor_context(
            instance=self.instance,
            cursor=self.cursor,
            resources={
                "drift_store": self.store,
                "slack_alerts": SlackAlertsResource(
                    token=self.slack.token, api_url=self.slack.api_url
                ),
            },
            definitions=self.defs,
        )
        self.cursor = self.sensor.evaluate_tick(context).cursor
        return self.slack.messages[before:]

    def press(self, message: Message, label: str, *, as_first_posted=False) -> float:
        """Press a button as Slack would (on the message as it was first posted: as a
        client that has not seen the update yet); return how long the answer took."""
        shown = message.body if as_first_posted else message.current
        (button,) = [b for b in buttons(shown) if b["text"]["text"] == label]
        payload = {
            "type": "block_actions",
            "user": {"id": "U0ANA", "username": "ana", "name": "ana"},
            # action_ts makes every genuine press a different request, as in Slack's
            "actions": [
                {
                    "action_id": button["action_id"],
                    "value": button["value"],
                    "action_ts": f"{time.time():.6f}",
                }
            ],
            "response_url": self.slack.response_url(message),
        }
        body = urlencode({"payload": json.dumps(payload)}).encode()
        timestamp = str(int(time.time()))
        signature = SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)
        seen = len(message.updates) + len(message.ephemeral)
        started = time.monotonic()
        response = httpx.post(
            self.endpoint,
            content=body,
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "X-Slack-Request-Timestamp": timestamp,
                "X-Slack-Signature": signature,
            },
            timeout=3,
        )
        answered = time.monotonic() - started
        assert response.status_code == 200
        deadline = time.monotonic() + 10
        while len(message.updates) + len(message.ephemeral) == seen:  # the work comes after
            assert time.monotonic() < deadline, "the message was never updated"
            time.sleep(0.02)
        return answered

    def outbox(self):
        return Outbox(self.store.get_store()).rows()


def buttons(body: dict) -> list[dict]:
    (actions,) = [b for b in body["attachments"][0]["blocks"] if b["type"] == "actions"]
    return actions["elements"]


def labels(message: Message) -> list[str]:
    return [b["text"]["text"] for b in buttons(message.current)]


def text_of(message: Message) -> str:
    return json.dumps(message.current["attachments"][0]["blocks"])


@contextmanager
def serving(handler: ActionHandler):
    """The actions endpoint on real uvicorn, on a free loopback port."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    app = build_app(RequestGuard(SECRET, clock=time.time), handler)
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}{ACTIONS_PATH}"
    finally:
        server.should_exit = True
        thread.join(5)
        sock.close()


@pytest.fixture
def loop(tmp_path, store_target, monkeypatch):
    """Makes a Loop (baseline strategy, alerts config) wired to a live endpoint."""
    monkeypatch.setenv(ACTIONS_URL_ENV_VAR, "https://drift.example/slack/actions")
    with FakeSlack() as slack:

        @contextmanager
        def make(
            baseline: str = "previous",
            alerts: AlertsConfig = DEFAULT_ALERTS,
            owners: tuple[str, ...] = (),
        ):
            drift = Loop(tmp_path, store_target, slack, baseline, alerts, owners)
            with serving(drift.handler) as drift.endpoint:
                yield drift

        yield make


def test_acknowledge_stops_repeats_but_not_resolved(loop):
    with loop() as drift:
        assert drift.run("usual") and drift.tick() == []
        assert not drift.run("shifted")
        (alert,) = drift.tick()
        assert labels(alert) == [
            "Acknowledge",
            "Snooze 1h",
            "Snooze 24h",
            "Accept as new baseline",
            "View in Dagster",
        ]

        assert drift.press(alert, "Acknowledge") < 3
        assert "acknowledged by slack:ana" in text_of(alert)
        assert "Acknowledge" not in labels(alert)
        # A second press from a client still showing the button: the presser is told.
        drift.press(alert, "Acknowledge", as_first_posted=True)
        (told,) = alert.ephemeral
        assert "already acknowledged by slack:ana" in told["text"]

        # Five hours on (past the 4 h repeat interval) it still fails: no repeat.
        assert not drift.run("shifted")
        assert drift.tick(timedelta(hours=5)) == []
        # It passes: the thread still hears about it.
        assert drift.run("usual")
        (resolved,) = drift.tick(timedelta(hours=5, minutes=1))
        assert resolved.thread_ts == alert.ts and "passes again" in resolved.body["text"]
        assert labels(alert) == ["View in Dagster"]  # the router updated it: resolved
    rows = [(r.kind, r.status, r.reason or "") for r in drift.outbox()]
    assert (Kind.REPEAT, Status.SUPPRESSED) in [r[:2] for r in rows]
    assert any("acknowledged by slack:ana" in r[2] for r in rows)
    trail = ActionLog(drift.store.get_store()).trail()
    assert [(t.action, t.actor, t.changed) for t in trail[::-1]] == [
        ("acknowledge", "slack:ana", True),
        ("acknowledge", "slack:ana", False),
    ]


def test_a_snooze_silences_the_class_until_it_runs_out(loop):
    with loop(alerts=AlertsConfig(repeat_interval=timedelta(minutes=30))) as drift:
        drift.run("usual")
        drift.tick()
        drift.run("shifted")
        (alert,) = drift.tick()

        drift.press(alert, "Snooze 1h")
        assert "snoozed until" in text_of(alert) and "Unsnooze" in labels(alert)

        # 40 minutes on: past the 30 min repeat interval, inside the snooze.
        assert not drift.run("shifted")
        assert drift.tick(timedelta(minutes=40)) == []
        # Two hours on the snooze is over: routing as usual, a repeat in the thread.
        assert not drift.run("shifted")
        (reminder,) = drift.tick(timedelta(hours=2))
        assert reminder.thread_ts == alert.ts
        assert "is still failing after its snooze (snoozed by slack:ana" in reminder.body["text"]
    assert any("snoozed until" in (r.reason or "") for r in drift.outbox())


def test_an_error_nobody_acknowledges_is_escalated_once_and_acknowledged_from_there(loop):
    oncall = AlertsConfig(escalate_after=timedelta(hours=1), escalate_to="#oncall")
    with loop(alerts=oncall) as drift:
        drift.run("usual")
        drift.tick()
        assert not drift.run("shifted")
        (alert,) = drift.tick()
        assert drift.tick(timedelta(minutes=30)) == []
        (escalation,) = drift.tick(timedelta(hours=1, minutes=1))
        assert escalation.channel == "#oncall" and escalation.thread_ts is None
        assert "nobody has acknowledged it" in escalation.body["text"]
        # on-call takes it from the escalation's own buttons
        drift.press(escalation, "Acknowledge")
        assert drift.tick(timedelta(hours=3)) == []
    rows = [r for r in drift.outbox() if r.kind is Kind.ESCALATION]
    assert [r.status for r in rows] == [Status.DELIVERED]
    trail = ActionLog(drift.store.get_store()).trail()
    assert [(t.action, t.alert_key) for t in trail] == [("acknowledge", alert_key(alert))]


def alert_key(message: Message) -> str:
    (button,) = [b for b in buttons(message.current) if b["text"]["text"] == "Acknowledge"]
    return json.loads(button["value"])["alert"]


def test_accepting_the_failed_batch_makes_the_next_evaluation_pass(loop):
    # rolling:3 would otherwise compare the next shifted batch with a pool that
    # still holds two usual batches, and fail again.
    with loop(baseline="rolling:3") as drift:
        drift.run("usual")
        drift.run("usual")
        drift.tick()
        assert not drift.run("shifted")
        (alert,) = drift.tick()

        drift.press(alert, "Accept as new baseline")
        assert "accepted as the new baseline of orders by slack:ana" in text_of(alert)

        assert drift.run("shifted")
        (resolved,) = drift.tick(timedelta(minutes=1))
        assert resolved.thread_ts == alert.ts and "passes again" in resolved.body["text"]
    store = drift.store.get_store()
    assert store.accepted("orders") == store.pinned("orders").profile_id == 3


def test_accepting_an_alert_that_has_resolved_is_refused_and_says_so(loop):
    with loop() as drift:
        drift.run("usual")
        drift.tick()
        assert not drift.run("shifted")
        (alert,) = drift.tick()
        assert drift.run("usual")  # fixed at the source: passes against the usual batch
        (resolved,) = drift.tick(timedelta(minutes=1))
        # a client still showing the button presses it
        drift.press(alert, "Accept as new baseline", as_first_posted=True)
        (told,) = alert.ephemeral
        assert told["text"].startswith("Nothing done: this alert has already resolved")
        assert drift.store.get_store().pinned("orders") is None  # the drift was not pinned


@pytest.mark.parametrize(
    "owners, alerts, members, accepted",
    [
        # the owner is someone else: ana is told who may
        (("U0BOSS",), DEFAULT_ALERTS, {}, False),
        # ana is in the owning team's Slack user group
        (("team:data",), AlertsConfig(owners={"team:data": "S0DATA"}), {"S0DATA": ["U0ANA"]}, True),
        # not in the owners, but named an approver
        (("U0BOSS",), AlertsConfig(baseline_approvers=("U0ANA",)), {}, True),
    ],
)
def test_only_owners_or_approvers_may_accept_a_new_baseline(
    loop, owners, alerts, members, accepted
):
    with loop(alerts=alerts, owners=owners) as drift:
        drift.slack.groups = members
        drift.run("usual")
        drift.tick()
        assert not drift.run("shifted")
        (alert,) = [m for m in drift.tick() if m.thread_ts is None]
        drift.press(alert, "Accept as new baseline")
        pinned = drift.store.get_store().pinned("orders")
        if accepted:
            assert pinned is not None and "accepted as the new baseline" in text_of(alert)
        else:
            assert pinned is None
            (told,) = alert.ephemeral
            assert told["text"] == (
                "Nothing done: only orders's owners or alerts.baseline_approvers may accept"
                " a new baseline: <@U0BOSS>"
            )


def raw_post(endpoint: str, head: bytes, body: bytes) -> bytes:
    """Send a request's head and part of a body, never finishing it; the answer."""
    host, port = endpoint.split("//")[1].split("/")[0].split(":")
    with socket.create_connection((host, int(port)), timeout=5) as sock:
        sock.sendall(head + body)
        return sock.recv(200)


def test_a_body_over_the_limit_is_refused_before_it_is_read_whole():
    handled = []
    with serving(lambda click, request_id: handled.append(click)) as endpoint:
        path = ACTIONS_PATH.encode()
        # declared too long: refused on the header alone, no body sent
        declared = raw_post(
            endpoint,
            b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 10485760\r\n\r\n",
            b"",
        )
        # chunked (no length): refused once the limit is passed, the body never ends
        chunk = b"x" * 8192
        streamed = raw_post(
            endpoint,
            b"POST " + path + b" HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n",
            (b"%x\r\n" % len(chunk) + chunk + b"\r\n") * (MAX_BODY_BYTES // len(chunk) + 2),
        )
    assert declared.startswith(b"HTTP/1.1 413") and streamed.startswith(b"HTTP/1.1 413")
    assert handled == []


def test_the_same_actions_from_the_command_line(loop, monkeypatch):
    with loop(baseline="rolling:3") as drift:
        drift.run("usual")
        drift.tick()
        drift.run("shifted")
        (alert,) = drift.tick()
    monkeypatch.setenv("SLACK_BOT_TOKEN", drift.slack.token)
    monkeypatch.setenv("SLACK_API_URL", drift.slack.api_url)
    monkeypatch.setenv("LOGNAME", "bo")  # getpass reads LOGNAME first, then USER
    monkeypatch.setenv("USER", "bo")
    db = ["--db", drift.store.database]
    (row,) = [r for r in drift.outbox() if r.kind is Kind.ALERT]

    def cli(*args: str) -> str:
        result = CliRunner().invoke(main, [*args, *db], catch_exceptions=False)
        assert result.exit_code == 0, result.output
        return result.output

    assert "acknowledged by cli:bo" in cli("alerts", "ack", str(row.outbox_id))
    assert "Slack: message updated" in cli("alerts", "snooze", str(row.outbox_id), "--for", "2h")
    assert "snoozed until" in text_of(alert)  # chat.update with the bot token
    listing = cli("alerts")
    assert f"#{row.outbox_id:<5}  orders/{CHECK}: failing since" in listing
    assert "acknowledged by cli:bo" in listing and "snoozed until" in listing
    assert "unsnoozed by cli:bo" in cli("alerts", "unsnooze", str(row.outbox_id))
    assert "profile #2 accepted as the new baseline of orders by cli:bo" in cli(
        "baseline", "accept", "orders"
    )
    trail = cli("alerts", "actions")
    assert [line.split()[2] for line in trail.splitlines()] == [
        "accept_baseline",
        "unsnooze",
        "snooze",
        "acknowledge",
    ]


def test_serve_actions_refuses_to_start_without_the_signing_secret(monkeypatch):
    monkeypatch.delenv("SLACK_SIGNING_SECRET", raising=False)
    result = CliRunner().invoke(main, ["serve-actions"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: SLACK_SIGNING_SECRET is not set: without it Slack's requests cannot be verified\n"
    )
