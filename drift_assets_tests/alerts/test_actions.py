"""Acknowledge, snooze and unsnooze are idempotent transitions of an alert class's
state that say why when nothing changes; the buttons follow the state."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from drift_assets.alerts.action_buttons import action_buttons, parse_click
from drift_assets.alerts.actions import acknowledge, snooze, unsnooze
from drift_assets.alerts.router import AlertState
from drift_assets_tests.builders import T0, check_event

FIRING = AlertState("orders", "null_rate", firing=True, since=T0, failures=1)
H = timedelta(hours=1)


@pytest.mark.parametrize(
    "before, act, changed, summary",
    [
        # a firing class is acknowledged once ...
        (FIRING, lambda s: acknowledge(s, "slack:ana", T0), True, "acknowledged by slack:ana"),
        # ... and a second acknowledgement keeps the first one's who and when
        (
            replace(FIRING, acknowledged_at=T0, acknowledged_by="slack:ana"),
            lambda s: acknowledge(s, "cli:bo", T0 + H),
            False,
            "already acknowledged by slack:ana at 2026-03-02 06:00 UTC",
        ),
        # a resolved class has nothing to acknowledge
        (
            replace(FIRING, firing=False),
            lambda s: acknowledge(s, "slack:ana", T0),
            False,
            "not failing",
        ),
        # a snooze is set ...
        (
            FIRING,
            lambda s: snooze(s, "slack:ana", T0, T0 + H),
            True,
            "snoozed until 2026-03-02 07:00 UTC by slack:ana",
        ),
        # ... only ever lengthened by another snooze
        (
            replace(FIRING, snoozed_until=T0 + 24 * H, snoozed_by="slack:ana"),
            lambda s: snooze(s, "cli:bo", T0, T0 + H),
            False,
            "already snoozed until 2026-03-03 06:00 UTC by slack:ana",
        ),
        # unsnooze ends a running snooze
        (
            replace(FIRING, snoozed_until=T0 + H, snoozed_by="slack:ana"),
            lambda s: unsnooze(s, "cli:bo", T0),
            True,
            "unsnoozed by cli:bo",
        ),
        # and says so when the snooze has already run out
        (
            replace(FIRING, snoozed_until=T0 + H, snoozed_by="slack:ana"),
            lambda s: unsnooze(s, "cli:bo", T0 + 2 * H),
            False,
            "is not snoozed",
        ),
    ],
)
def test_transitions(before, act, changed, summary):
    first = act(before)
    assert first.changed is changed and summary in first.summary
    again = act(first.state)  # the same action twice: idempotent
    assert again.state == first.state and not again.changed


def event(*, baseline: str | None = "profile #3 (previous)", passed=False):
    return check_event(evaluation_id=7, baseline=baseline, passed=passed)


def labels(buttons) -> list[str]:
    return [b["text"]["text"] for b in buttons]


@pytest.mark.parametrize(
    "state, ev, shown",
    [
        # a new alert of a drift check: everything
        (
            None,
            event(),
            ["Acknowledge", "Snooze 1h", "Snooze 24h", "Accept as new baseline"],
        ),
        # a hand-written check has no stored profile to accept
        (None, event(baseline=None), ["Acknowledge", "Snooze 1h", "Snooze 24h"]),
        # acknowledged and snoozed: only what can still be done
        (
            replace(FIRING, acknowledged_at=T0, snoozed_until=T0 + H),
            event(),
            ["Unsnooze", "Accept as new baseline"],
        ),
        # resolved: nothing left to do
        (replace(FIRING, firing=False), event(), []),
    ],
)
def test_buttons_follow_the_state(state, ev, shown):
    assert labels(action_buttons(ev, state)) == shown


def test_every_button_press_reads_back_as_what_it_says():
    for button in action_buttons(event(), None):
        click = parse_click(
            {
                "type": "block_actions",
                "user": {"id": "U1", "name": "ana"},
                "actions": [{"action_id": button["action_id"], "value": button["value"]}],
            }
        )
        assert click.alert_key == event().key and click.actor == "slack:ana"
        expected = {"Snooze 1h": H, "Snooze 24h": 24 * H}.get(button["text"]["text"])
        assert click.snooze_for == expected


def test_clicks_on_other_buttons_are_not_ours():
    view = {"type": "block_actions", "actions": [{"action_id": "view_in_dagster"}]}
    assert parse_click(view) is None
    with pytest.raises(ValueError):
        parse_click({"type": "block_actions", "actions": [{"action_id": "drift_x", "value": "{"}]})
