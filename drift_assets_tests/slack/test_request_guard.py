"""The actions endpoint lets in only what Slack signed, within five minutes, once:
Slack's published example verifies; a changed byte, a wrong secret, a stale or
missing timestamp and a replay each get 401 and reach no handler; the secret is
never logged. A signed body of the wrong shape gets 400, one over the limit 413.
Several endpoints on one Postgres store refuse a replay sent to another instance
than the original."""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from slack_sdk.signature import SignatureVerifier
from starlette.testclient import TestClient

from drift_assets.cli.serve_actions import request_guard
from drift_assets.slack.actions_app import ACTIONS_PATH, MAX_BODY_BYTES, build_app
from drift_assets.slack.request_guard import RequestGuard
from drift_assets.store import DriftStore

# https://docs.slack.dev/authentication/verifying-requests-from-slack/ (the slash command)
SLACK_SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
SLACK_TIMESTAMP = "1531420618"
SLACK_BODY = (
    b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow"
    b"&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner"
    b"&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands"
    b"%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
    b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)
SLACK_SIGNATURE = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
NOW = int(SLACK_TIMESTAMP) + 30

CLICK = urlencode(
    {
        "payload": json.dumps(
            {
                "type": "block_actions",
                "user": {"id": "U2CERLKJA", "username": "roadrunner"},
                "actions": [
                    {
                        "action_id": "drift_acknowledge",
                        "value": '{"do":"acknowledge","alert":"run:orders:null_rate:7"}',
                    }
                ],
                "response_url": "https://hooks.slack.com/actions/T1/1/secret-path",
            }
        )
    }
).encode()


def headers(body: bytes, *, timestamp: str = SLACK_TIMESTAMP, secret: str = SLACK_SECRET):
    signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
    return {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature}


@pytest.fixture
def endpoint():
    handled = []
    guard = RequestGuard(SLACK_SECRET, clock=lambda: NOW)
    app = build_app(guard, lambda click, request_id: handled.append((click, request_id)))
    with TestClient(app) as client:
        yield client, handled


def test_slacks_published_example_verifies():
    guard = RequestGuard(SLACK_SECRET, clock=lambda: NOW)
    verdict = guard.check(
        SLACK_BODY,
        {"X-Slack-Request-Timestamp": SLACK_TIMESTAMP, "X-Slack-Signature": SLACK_SIGNATURE},
    )
    assert verdict.ok and verdict.request_id == f"slack:{SLACK_TIMESTAMP}:{SLACK_SIGNATURE}"


def test_a_signed_click_is_answered_and_handed_on(endpoint):
    client, handled = endpoint
    response = client.post(ACTIONS_PATH, content=CLICK, headers=headers(CLICK))
    assert response.status_code == 200
    ((click, request_id),) = handled
    assert (click.action, click.alert_key, click.actor) == (
        "acknowledge",
        "run:orders:null_rate:7",
        "slack:roadrunner",
    )
    assert request_id.startswith(f"slack:{SLACK_TIMESTAMP}:v0=")


@pytest.mark.parametrize(
    "body, sent_headers, reason",
    [
        # one byte of the body changed after signing
        (CLICK.replace(b"acknowledge", b"acknowledgf", 1), headers(CLICK), "does not match"),
        # signed with another app's secret
        (CLICK, headers(CLICK, secret="not-our-secret"), "does not match"),
        # signed six minutes before the injected now
        (CLICK, headers(CLICK, timestamp=str(NOW - 360)), "more than five minutes"),
        # from the future, just as far
        (CLICK, headers(CLICK, timestamp=str(NOW + 360)), "more than five minutes"),
        # no signature at all
        (CLICK, {"X-Slack-Request-Timestamp": SLACK_TIMESTAMP}, "missing"),
        # a timestamp that is not a number
        (CLICK, {**headers(CLICK), "X-Slack-Request-Timestamp": "soon"}, "not a number"),
    ],
)
def test_rejected_requests_get_401_and_change_nothing(endpoint, caplog, body, sent_headers, reason):
    client, handled = endpoint
    response = client.post(ACTIONS_PATH, content=body, headers=sent_headers)
    assert response.status_code == 401 and handled == []
    assert reason in caplog.text and SLACK_SECRET not in caplog.text


def test_a_replay_within_the_window_gets_401(endpoint, caplog):
    client, handled = endpoint
    signed = headers(CLICK)
    assert client.post(ACTIONS_PATH, content=CLICK, headers=signed).status_code == 200
    assert client.post(ACTIONS_PATH, content=CLICK, headers=signed).status_code == 401
    assert len(handled) == 1 and "a replay" in caplog.text


def test_requests_applied_before_a_restart_are_still_refused():
    # The server seeds its guard from the audit trail's Slack request ids on start.
    signed = headers(CLICK)
    seen = [f"slack:{SLACK_TIMESTAMP}:{signed['X-Slack-Signature']}"]
    guard = RequestGuard(SLACK_SECRET, clock=lambda: NOW, seen=seen)
    assert guard.check(CLICK, signed).reason == "a replay of a request already received"


def test_a_signed_slash_command_is_not_a_button_press(endpoint):
    client, handled = endpoint
    response = client.post(ACTIONS_PATH, content=SLACK_BODY, headers=headers(SLACK_BODY))
    assert response.status_code == 400 and handled == []


@pytest.mark.parametrize(
    "payload",
    [
        "[1, 2, 3]",  # a JSON list, not an object
        '"block_actions"',  # a JSON string
        '{"type": "block_actions", "actions": "drift_acknowledge"}',  # actions not a list
        '{"type": "block_actions", "actions": [["drift_acknowledge"]]}',  # not objects
        '{"type": "block_actions", "user": ["U1"], "actions": [{"action_id": "drift_x",'
        ' "value": "[]"}]}',
        "{not json",
    ],
)
def test_a_signed_payload_of_the_wrong_shape_gets_400(endpoint, payload):
    # TestClient re-raises any exception inside the app: a 500 would fail here
    client, handled = endpoint
    body = urlencode({"payload": payload}).encode()
    response = client.post(ACTIONS_PATH, content=body, headers=headers(body))
    assert (response.status_code, response.text) == (400, "unreadable payload")
    assert handled == []


def test_a_body_over_the_limit_gets_413_before_it_is_checked(endpoint, caplog):
    client, handled = endpoint
    body = urlencode({"payload": "x" * MAX_BODY_BYTES}).encode()
    response = client.post(ACTIONS_PATH, content=body, headers=headers(body))
    assert response.status_code == 413 and handled == []
    assert f"over {MAX_BODY_BYTES} bytes" in caplog.text


def test_endpoints_sharing_a_postgres_store_refuse_a_replay_sent_to_another(postgres, caplog):
    url = postgres.create_database("two_endpoints")
    handled = []
    # Two serve-actions instances: each its own guard, process memory and store handle.
    apps = [
        build_app(
            request_guard(SLACK_SECRET, DriftStore(url), clock=lambda: NOW),
            lambda click, request_id: handled.append(request_id),
        )
        for _ in range(2)
    ]
    signed = headers(CLICK)
    with TestClient(apps[0]) as first, TestClient(apps[1]) as second:
        assert first.post(ACTIONS_PATH, content=CLICK, headers=signed).status_code == 200
        assert second.post(ACTIONS_PATH, content=CLICK, headers=signed).status_code == 401
        assert first.post(ACTIONS_PATH, content=CLICK, headers=signed).status_code == 401
        other = headers(CLICK, timestamp=str(NOW - 1))  # a new press is let in by either
        assert second.post(ACTIONS_PATH, content=CLICK, headers=other).status_code == 200
    assert len(handled) == 2
    assert "a replay of a request another instance received" in caplog.text
