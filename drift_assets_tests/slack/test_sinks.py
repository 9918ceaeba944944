"""Other sinks: a route can send through a generic webhook, each request signed so a
real local receiver verifies it (and refuses a forged or replayed one), or through a
custom class named in the dataset file; the outbox's guarantees (written before
sending, marked after ok, retries, dead letters) hold for each."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from dagster import DagsterInstance, Definitions, build_sensor_context

from drift_assets.alerts.router import Status
from drift_assets.defs.alert_sensor import alert_resources, build_alert_sensor
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.alert_routes import AlertsConfig, Route
from drift_assets.settings.dataset_file import ConfigError, ProjectConfig, parse_config
from drift_assets.slack.sinks import BaseSink, Outgoing, SendResult
from drift_assets.slack.webhook import WebhookSink, sign, verify_signature
from drift_assets_tests.builders import check_event
from drift_assets_tests.slack.router_loop import WEB, Clock, RouterLoop
from drift_assets_tests.webhook_receiver import WebhookReceiver

SECRET = "whsec-test-0123456789"
HOOKED = AlertsConfig(
    tick_budget=timedelta(seconds=3),
    sinks={"ops": {"webhook": {"url": "http://127.0.0.1:9/unused", "secret_env": "OPS_SECRET"}}},
    routes=(Route(channel="#ops", datasets=("orders",), sink="ops"),),
)


class RecordingSink(BaseSink):
    """A custom sink as a user would write one: only ``post``."""

    sent: list[tuple[str, Outgoing]] = []

    def __init__(self, prefix: str = ""):
        self.prefix = prefix

    def post(self, channel: str, message: Outgoing, thread_ts: str | None) -> SendResult:
        RecordingSink.sent.append((self.prefix + channel, message))
        return SendResult(ok=True)


class NotASink:
    pass


@pytest.fixture
def receiver():
    with WebhookReceiver(SECRET) as hook:
        yield hook


def webhook_loop(tmp_path, receiver, secret=SECRET) -> RouterLoop:
    clock = Clock()
    sink = WebhookSink(receiver.url, secret, lambda: 3.0)
    return RouterLoop(tmp_path / "s.duckdb", clock, HOOKED, sinks={"ops": sink})


def test_the_webhook_receives_signed_json_that_the_receiver_verifies(tmp_path, receiver):
    router = webhook_loop(tmp_path, receiver)
    failure = check_event(
        "orders",
        "null_rate",
        severity="ERROR",
        at=router.clock(),
        description="null rate of email rose by 31.0 pp",
    )
    router.tick([failure])
    router.tick(
        [check_event("orders", "null_rate", passed=True, at=router.clock())],
        after=timedelta(hours=1),
    )

    alert, resolved = receiver.accepted()
    assert all(r.verified for r in receiver.received)
    assert {k: alert[k] for k in ("version", "key", "kind", "severity", "channel")} == {
        "version": 1,
        "key": failure.key,
        "kind": "alert",
        "severity": "ERROR",
        "channel": "#ops",
    }
    assert alert["text"] == (
        "<@U0OWNER> :red_circle: ERROR: orders / null_rate failed: null rate of email rose by 31.0 pp"
    )
    assert alert["facts"]["event"]["description"] == "null rate of email rose by 31.0 pp"
    assert alert["facts"]["owners"] == ["U0OWNER"]
    assert alert["links"] == {
        "check": f"{WEB}/assets/orders?view=checks&checkDetail=null_rate",
        "run": f"{WEB}/runs/{failure.run_id}",
    }
    assert "slack" not in alert  # no Block Kit in the generic JSON
    assert resolved["kind"] == "resolved" and resolved["severity"] == "INFO"
    assert [r.status for r in router.outbox.rows()] == [Status.DELIVERED] * 2
    assert {r.sink for r in router.outbox.rows()} == {"ops"}


def test_a_receiver_with_another_secret_refuses_and_the_alert_is_a_dead_letter(tmp_path, receiver):
    router = webhook_loop(tmp_path, receiver, secret="not-the-shared-secret")
    router.tick([check_event("orders", "null_rate", at=router.clock())])
    (row,) = router.outbox.rows()
    assert receiver.accepted() == [] and row.status is Status.DEAD and row.reason == "HTTP 401"


def test_retries_after_5xx_then_delivered_once(tmp_path, receiver):
    router = webhook_loop(tmp_path, receiver)
    receiver.statuses.extend([500, 503])
    router.tick([check_event("orders", "null_rate", at=router.clock())])
    (row,) = router.outbox.rows()
    assert row.status is Status.PENDING and row.attempts == 1 and row.reason == "HTTP 500"
    router.tick(after=timedelta(minutes=10))
    router.tick(after=timedelta(minutes=20))
    (row,) = router.outbox.rows()
    assert row.status is Status.DELIVERED and row.attempts == 3
    assert len(receiver.accepted()) == 1 and len(receiver.received) == 3
    # the same key every time: a receiver can drop a duplicate by it
    assert len({r.body["key"] for r in receiver.received}) == 1


def test_a_refused_connection_waits_in_the_outbox(tmp_path):
    # written before sending: nothing listens, the alert is kept and retried later
    sink = WebhookSink("http://127.0.0.1:9/nothing-here", SECRET, lambda: 3.0)
    router = RouterLoop(tmp_path / "s.duckdb", Clock(), HOOKED, sinks={"ops": sink})
    report = router.tick([check_event("orders", "null_rate", at=router.clock())])
    (row,) = router.outbox.rows()
    assert row.status is Status.PENDING and row.next_attempt_at is not None
    assert report.retrying[0].startswith("alert WARN orders/null_rate -> #ops (ops): URLError")


@pytest.mark.parametrize(
    "signed_at, body, ok",
    [
        (1_000_000, b'{"a":1}', True),
        (1_000_000, b'{"a":2}', False),  # the body changed after signing
        (1_000_000 - 301, b'{"a":1}', False),  # a replay from more than 5 min ago
    ],
)
def test_verify_signature_refuses_forged_and_stale_requests(signed_at, body, ok):
    signature = sign(SECRET, signed_at, b'{"a":1}')
    assert verify_signature(SECRET, body, str(signed_at), signature, now=1_000_000) is ok


def test_a_custom_sink_named_in_the_dataset_file_gets_the_messages(tmp_path):
    config = parse_config(
        {
            "datasets": [],
            "alerts": {
                "sinks": {
                    "pager": {
                        "class": "drift_assets_tests.slack.test_sinks:RecordingSink",
                        "options": {"prefix": "pager:"},
                    }
                },
                "routes": [{"channel": "#p1", "assets": ["*"], "sink": "pager"}],
            },
        },
        tmp_path / "datasets.yaml",
    )
    RecordingSink.sent.clear()
    router = RouterLoop(
        tmp_path / "s.duckdb", Clock(), config.alerts, sinks={"pager": RecordingSink("pager:")}
    )
    router.tick([check_event("orders", "null_rate", at=router.clock())])
    ((channel, message),) = RecordingSink.sent
    assert channel == "pager:#p1" and message.kind == "alert"


@pytest.mark.parametrize(
    "sink, error",
    [
        (
            {"class": "no_such_module:Sink"},
            "alerts: field sinks.pager: cannot import no_such_module:Sink: ModuleNotFoundError:"
            " No module named 'no_such_module'",
        ),
        (
            {"class": "drift_assets_tests.slack.test_sinks:NotASink"},
            "alerts: field sinks.pager: drift_assets_tests.slack.test_sinks:NotASink is not a sink:"
            " it needs a method post(channel, message, thread_ts)",
        ),
        ({"class": "just_a_name"}, "alerts: field sinks.pager: 'just_a_name' is not module:Class"),
        (
            {"webhook": {"url": "ftp://x", "secret_env": "S"}},
            "alerts: field sinks.pager.webhook.url: String should match pattern '^https?://'",
        ),
    ],
)
def test_a_sink_that_cannot_be_used_is_a_one_line_config_error(tmp_path, sink, error):
    raw = {"datasets": [], "alerts": {"sinks": {"pager": sink}}}
    with pytest.raises(ConfigError) as caught:
        parse_config(raw, tmp_path / "datasets.yaml")
    assert str(caught.value) == f"{tmp_path / 'datasets.yaml'}: {error}"


def test_a_route_naming_an_unknown_sink_is_a_config_error(tmp_path):
    raw = {
        "datasets": [],
        "alerts": {"routes": [{"channel": "#x", "assets": ["*"], "sink": "pgr"}]},
    }
    with pytest.raises(ConfigError, match=r"no sink named 'pgr' \(known: slack\)"):
        parse_config(raw, tmp_path / "datasets.yaml")


def test_the_sensor_signs_with_the_secret_from_the_environment(
    tmp_path, receiver, monkeypatch, capfd
):
    alerts = AlertsConfig.model_validate(
        {
            "tick_budget": "3s",
            "sinks": {"ops": {"webhook": {"url": receiver.url, "secret_env": "OPS_SECRET"}}},
            "routes": [{"channel": "#ops", "assets": ["*"], "sink": "ops"}],
        }
    )
    config = ProjectConfig(datasets=(), alerts=alerts, base_dir=tmp_path)
    store = DriftStoreResource(database=str(tmp_path / "s.duckdb"))
    sensor = build_alert_sensor(config)
    monkeypatch.setenv("OPS_SECRET", SECRET)
    resources = {"drift_store": store, **alert_resources(alerts)}
    monkeypatch.delenv("OPS_SECRET")  # resolved when the tick runs, not when built
    # a failure already routed by an earlier tick, waiting in the outbox
    router = RouterLoop(Path(store.database), Clock(), alerts, sinks={})
    router.tick([check_event("orders", "null_rate", at=router.clock())])
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance,
            resources=resources,
            definitions=Definitions(sensors=[sensor], resources=resources),
        )
        monkeypatch.setenv("OPS_SECRET", SECRET)
        sensor.evaluate_tick(context)
    (body,) = receiver.accepted()
    assert body["channel"] == "#ops"
    assert SECRET not in capfd.readouterr().err
