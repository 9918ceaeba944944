"""The alert's action buttons and the clicks Slack sends back for them: both sides of
one wire format (action ids and button values), pure."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from drift_assets.alerts.actions import SNOOZE_CHOICES, Action
from drift_assets.alerts.events import CheckEvent
from drift_assets.alerts.router import AlertState

_PREFIX = "drift_"  # our action ids; Slack also reports clicks on the link button


@dataclass(frozen=True)
class Click:
    """One press of one of our buttons, as Slack reported it."""

    action: Action
    alert_key: str  # the outbox key of the message's evaluation
    snooze_for: timedelta | None
    user_id: str
    user_name: str
    response_url: str | None  # replaces the clicked message, valid 30 minutes

    @property
    def actor(self) -> str:
        return f"slack:{self.user_name}"


def action_buttons(event: CheckEvent, state: AlertState | None) -> list[dict[str, Any]]:
    """The buttons that make sense now: none once the class passes again;
    Acknowledge until someone has; Snooze, or Unsnooze while snoozed; Accept as
    new baseline for drift_assets' own checks (the only ones with a stored profile)."""
    if event.passed or (state is not None and not state.firing):
        return [_button(Action.UNSNOOZE, "Unsnooze", event.key)] if _snoozed(state) else []
    buttons = []
    if state is None or state.acknowledged_at is None:
        buttons.append(_button(Action.ACKNOWLEDGE, "Acknowledge", event.key, style="primary"))
    if _snoozed(state):
        buttons.append(_button(Action.UNSNOOZE, "Unsnooze", event.key))
    else:
        buttons += [
            _button(Action.SNOOZE, f"Snooze {label}", event.key, snooze=label)
            for label in SNOOZE_CHOICES
        ]
    if event.baseline is not None:
        buttons.append(
            {
                **_button(Action.ACCEPT_BASELINE, "Accept as new baseline", event.key),
                "confirm": {
                    "title": {"type": "plain_text", "text": "Accept as new baseline?"},
                    "text": {
                        "type": "mrkdwn",
                        "text": f"The next evaluation of `{_esc(event.asset_key)}` will be"
                        " compared with the profile of the batch that failed here.",
                    },
                    "confirm": {"type": "plain_text", "text": "Accept"},
                    "deny": {"type": "plain_text", "text": "Cancel"},
                },
            }
        )
    return buttons


def parse_click(payload: Any) -> Click | None:
    """Our button press in a ``block_actions`` payload; None for anything else
    (the View in Dagster link, other interaction types). Raises ValueError when
    the payload claims to be ours but is malformed."""
    if not isinstance(payload, dict):
        raise ValueError(f"the payload is a JSON {type(payload).__name__}, not an object")
    if payload.get("type") != "block_actions":
        return None
    actions = payload.get("actions") or ()
    if not isinstance(actions, list) or not all(isinstance(a, dict) for a in actions):
        raise ValueError("actions is not a list of objects")
    ours = [a for a in actions if str(a.get("action_id", "")).startswith(_PREFIX)]
    if not ours:
        return None
    pressed = ours[0]
    try:
        value = json.loads(pressed["value"])
        action = Action(value["do"])
        alert_key = str(value["alert"])
        snooze_for = SNOOZE_CHOICES[value["for"]] if action is Action.SNOOZE else None
        user = payload["user"]
        user_id = str(user["id"])
        response_url = payload.get("response_url")
        if response_url is not None and not isinstance(response_url, str):
            raise TypeError("response_url is not text")
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"not a drift_assets button press: {type(exc).__name__}") from exc
    return Click(
        action=action,
        alert_key=alert_key,
        snooze_for=snooze_for,
        user_id=user_id,
        user_name=str(user.get("username") or user.get("name") or user_id),
        response_url=response_url,
    )


def _button(
    action: Action,
    text: str,
    alert_key: str,
    *,
    snooze: str | None = None,
    style: str | None = None,
) -> dict[str, Any]:
    value = {"do": action.value, "alert": alert_key} | ({"for": snooze} if snooze else {})
    # Action ids must be unique within the block: the snooze length is part of it.
    button = {
        "type": "button",
        "action_id": f"{_PREFIX}{action}" + (f"_{snooze}" if snooze else ""),
        "text": {"type": "plain_text", "text": text},
        "value": json.dumps(value, separators=(",", ":")),
    }
    return button | ({"style": style} if style else {})


def _snoozed(state: AlertState | None) -> bool:
    # Without a clock here an ended snooze still shows Unsnooze; pressing it says so.
    return state is not None and state.snoozed_until is not None


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
