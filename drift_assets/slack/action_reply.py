"""Showing an action on the alert's Slack message: who did what and when, with the
buttons that fit the new state. Through the click's ``response_url`` (no token
needed), or ``chat.update`` with the bot token for actions taken in the CLI."""

from __future__ import annotations

import contextlib
import logging
from typing import Any

from slack_sdk import WebClient, WebhookClient

from drift_assets.alerts.actions import Action
from drift_assets.alerts.message import alert_message
from drift_assets.alerts.router import Kind
from drift_assets.slack.delivery import SlackTarget
from drift_assets.store.action_log import Applied
from drift_assets.store.outbox import OutboxRow

_EMOJI = {
    Action.ACKNOWLEDGE: ":white_check_mark:",
    Action.SNOOZE: ":zzz:",
    Action.UNSNOOZE: ":bell:",
    Action.ACCEPT_BASELINE: ":pushpin:",
}
_TIMEOUT_S = 5


def updated_message(
    alert: OutboxRow, applied: Applied, action: Action, *, webserver: str
) -> dict[str, Any]:
    """The alert's message as it reads after ``applied``: its current state and a
    line saying who did what and when."""
    assert alert.event is not None
    kind = Kind.REPEAT if alert.kind is Kind.REPEAT else Kind.ALERT
    message = alert_message(
        alert.event,
        kind,
        alert.severity,
        webserver=webserver,
        mentions=alert.mentions,
        state=applied.state,
        actions=True,
    )
    payload = message.payload()
    note = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": f"{_EMOJI[action]} {_esc(applied.summary)}"}],
    }
    blocks = payload["attachments"][0]["blocks"]
    blocks.insert(len(blocks) - 1, note)  # above the buttons
    return payload


def reply(
    alert: OutboxRow,
    applied: Applied,
    action: Action,
    *,
    webserver: str,
    response_url: str | None,
    slack: SlackTarget,
    root: OutboxRow | None = None,
) -> str:
    """Update the message; return what happened, in words, for the log. Without a
    ``response_url`` the update goes through ``slack``'s Web API token.

    Nothing changed (already acknowledged, not snoozed ...): only the person who
    pressed is told why, and the channel's message stays as it is.
    """
    if applied.duplicate:
        return "a request already handled: message left as it is"
    if response_url:
        client = WebhookClient(response_url, timeout=_TIMEOUT_S, logger=_quiet)
        if applied.changed:
            body = updated_message(alert, applied, action, webserver=webserver)
            body["replace_original"] = True
        else:
            body = {
                "response_type": "ephemeral",
                "replace_original": False,
                "text": applied.summary,
            }
        try:
            response = client.send_dict(body)
        except Exception as exc:  # the url is a credential: never in the log
            return f"could not update the message: {type(exc).__name__}"
        return (
            "message updated"
            if response.status_code == 200
            else (f"could not update the message: HTTP {response.status_code}")
        )
    shown = alert if alert.slack_ts else root
    if not applied.changed or not slack.token or shown is None or not shown.slack_ts:
        return "no Slack message to update"
    client = WebClient(token=slack.token, base_url=slack.api_url, timeout=_TIMEOUT_S)
    payload = updated_message(shown, applied, action, webserver=webserver)
    try:
        client.chat_update(channel=shown.slack_channel, ts=shown.slack_ts, **payload)
    except Exception as exc:
        return f"could not update the message: {type(exc).__name__}"
    return "message updated"


def tell(response_url: str | None, text: str) -> None:
    """Say something to the person who pressed, and to no one else (best effort)."""
    if not response_url:
        return
    client = WebhookClient(response_url, timeout=_TIMEOUT_S, logger=_quiet)
    # The url is a credential: a failure is dropped rather than logged with it.
    with contextlib.suppress(Exception):
        client.send_dict({"response_type": "ephemeral", "replace_original": False, "text": text})


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


# slack_sdk logs failed webhook calls with their URL; a response_url lets anyone
# post into the channel for 30 minutes. (A filter, not `disabled`: logging
# configuration such as uvicorn's re-enables existing loggers.)
_quiet = logging.getLogger("drift_assets.slack.action_reply.slack_sdk")
_quiet.addFilter(lambda record: False)
