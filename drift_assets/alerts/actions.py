"""What people do to an alert class (acknowledge, snooze, unsnooze) as pure, idempotent
state transitions over ``AlertState``: no store, no Slack, the clock passed in.

Applying the same transition twice leaves the state as the first application left
it, so a retried request or a second click is harmless and says why nothing changed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from drift_assets.alerts.router import AlertState
from drift_assets.settings.times import parse_duration, when

# The snooze lengths the Slack buttons offer; the CLI takes any duration.
SNOOZE_CHOICES: dict[str, timedelta] = {c: parse_duration(c) for c in ("1h", "24h")}


class Action(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    SNOOZE = "snooze"
    UNSNOOZE = "unsnooze"
    ACCEPT_BASELINE = "accept_baseline"


@dataclass(frozen=True)
class Transition:
    state: AlertState  # after the action
    changed: bool
    summary: str  # what happened, or why nothing did, in words for people


def acknowledge(state: AlertState, actor: str, now: datetime) -> Transition:
    """No more repeats of this class until it resolves (the router clears it then)."""
    if not state.firing:
        return Transition(state, False, f"{_subject(state)} is not failing: nothing to acknowledge")
    if state.acknowledged_at is not None:
        return Transition(
            state,
            False,
            f"{_subject(state)} was already acknowledged by {state.acknowledged_by}"
            f" at {when(state.acknowledged_at)}",
        )
    after = replace(state, acknowledged_at=now, acknowledged_by=actor)
    return Transition(after, True, f"acknowledged by {actor} at {when(now)}")


def snooze(state: AlertState, actor: str, now: datetime, until: datetime) -> Transition:
    """No messages for this class until ``until``. A snooze is only ever lengthened
    here, so two people snoozing for different times get the longer; shortening
    one is an explicit unsnooze."""
    if until <= now:
        return Transition(state, False, "a snooze must end in the future")
    if state.snoozed_until is not None and state.snoozed_until >= until:
        return Transition(
            state,
            False,
            f"{_subject(state)} is already snoozed until {when(state.snoozed_until)}"
            f" by {state.snoozed_by}",
        )
    after = replace(state, snoozed_until=until, snoozed_by=actor)
    return Transition(after, True, f"snoozed until {when(until)} by {actor}")


def unsnooze(state: AlertState, actor: str, now: datetime) -> Transition:
    """Normal routing again from now on."""
    if not state.snoozed(now):
        return Transition(state, False, f"{_subject(state)} is not snoozed")
    after = replace(state, snoozed_until=None, snoozed_by=None)
    return Transition(after, True, f"unsnoozed by {actor} at {when(now)}")


def accept_refusal(state: AlertState | None, alert_key: str, thread_key: str | None) -> str | None:
    """Why the failed batch of alert ``alert_key`` (a reply under ``thread_key``)
    must not become the baseline now, or None. Only while its own failure episode
    still fires: once the check passed again, accepting would pin the drifted
    profile over a healthy one."""
    episode = thread_key or alert_key
    if state is None or not state.firing:
        return (
            "this alert has already resolved (its check passes again): its failed batch"
            " is not accepted; to pin a profile on purpose use `drift-assets baseline pin`"
        )
    if state.root_key != episode:
        return (
            "this alert belongs to an earlier failure that has resolved; accept from the"
            " alert of the failure that is firing now"
        )
    return None


def baseline_refusal(
    actor_id: str,
    dataset: str,
    names: tuple[str, ...],
    approvers: tuple[str, ...],
    allowed: frozenset[str],
) -> str | None:
    """Why ``actor_id`` may not set ``dataset``'s baseline, or None. ``names`` are the
    dataset's owners and the configured approvers as written, ``approvers`` the
    Slack ids (users or groups) they map to, ``allowed`` the user ids those stand
    for. Nobody named: anyone in the channel may."""
    if not names or actor_id in allowed:
        return None
    if not approvers:
        return (
            f"only the owners of {dataset} may accept a new baseline ({', '.join(names)}),"
            " and none of them has a Slack id: map them under alerts.owners"
        )
    who = ", ".join(_slack_mention(a) for a in approvers)
    return f"only {dataset}'s owners or alerts.baseline_approvers may accept a new baseline: {who}"


def _slack_mention(ident: str) -> str:
    return f"<!subteam^{ident}>" if ident.startswith("S") else f"<@{ident}>"


def _subject(state: AlertState) -> str:
    return f"{state.asset_key}/{state.check_name}"
