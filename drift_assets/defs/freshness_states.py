"""Freshness state changes of any asset in the instance as alert events.

Dagster 1.13's freshness daemon evaluates every asset with a ``FreshnessPolicy``
(in any code location) and records each change of its state as a
``FRESHNESS_STATE_CHANGE`` event; ``instance.get_freshness_state_records`` reads
the latest per asset from the index on every storage. The cursor keeps the last
state seen per asset and when it changed, so a state is announced once: WARN as a
WARN, FAIL as an ERROR, PASS again as the pass that resolves it. UNKNOWN (never
materialized) and NOT_APPLICABLE (no policy) say nothing. Assets the project does
not own alert the same way: any asset the instance knows is read.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from dagster import AssetKey, DagsterInstance
from dagster._core.definitions.freshness import (
    CronFreshnessPolicy,
    FreshnessPolicy,
    TimeWindowFreshnessPolicy,
)

from drift_assets.alerts.events import FRESHNESS, CheckEvent
from drift_assets.settings.times import show_duration

_ALERTING = {"WARN": "WARN", "FAIL": "ERROR"}


@dataclass(frozen=True)
class FreshnessMark:
    state: str  # PASS | WARN | FAIL | UNKNOWN | NOT_APPLICABLE
    at: float  # when Dagster recorded that state (timestamp)


def pick_up_freshness(
    instance: DagsterInstance,
    marks: Mapping[str, FreshnessMark] | None,
    policies: Mapping[AssetKey, FreshnessPolicy | None],
    *,
    now: datetime,
    lookback: timedelta,
) -> tuple[list[CheckEvent], dict[str, FreshnessMark]]:
    """State changes since ``marks`` (None before the first read, which looks back
    only ``lookback``), oldest first, and the new marks. ``policies`` are the code
    location's own, used to say what the policy asks."""
    since = (now - lookback).timestamp() if marks is None else None
    marks = dict(marks or {})
    keys = {*instance.get_asset_keys(), *policies}
    records = instance.get_freshness_state_records(sorted(keys, key=lambda k: k.to_string()))
    events = []
    for key, record in records.items():
        name = key.to_user_string()
        state, at = record.freshness_state.value, record.updated_at.timestamp()
        mark = marks.get(name)
        if mark is not None and at <= mark.at:
            continue
        marks[name] = FreshnessMark(state, at)
        if since is not None and at < since:
            continue  # changed before the router's first look
        if state in _ALERTING or state == "PASS":  # a pass resolves only what fires
            events.append(_event(instance, key, state, record.updated_at, policies.get(key), now))
    events.sort(key=lambda e: (e.evaluated_at, e.asset_key))
    return events, marks


def _event(
    instance: DagsterInstance,
    key: AssetKey,
    state: str,
    changed_at: datetime,
    policy: FreshnessPolicy | None,
    now: datetime,
) -> CheckEvent:
    latest = instance.get_latest_materialization_event(key)
    if latest is None:
        last = "never materialized"
    else:
        last = f"last materialized {_age(now.timestamp() - latest.timestamp)} ago"
    verdict = {"PASS": "fresh again", "WARN": "getting stale", "FAIL": "stale"}[state]
    expects = _expects(policy)
    return CheckEvent(
        evaluation_id=int(changed_at.timestamp() * 1000),
        run_id=latest.run_id if latest is not None else "",
        asset_key=key.to_user_string(),
        check_name=FRESHNESS,
        passed=state == "PASS",
        dagster_severity=_ALERTING.get(state, "WARN"),
        evaluated_at=changed_at,
        description=f"{verdict}: {last}" + (f" ({expects})" if expects else ""),
        metrics={"freshness_state": state},
    )


def _age(seconds: float) -> str:
    if seconds < 3600:
        return f"{max(seconds, 0) / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _expects(policy: FreshnessPolicy | None) -> str | None:
    if isinstance(policy, TimeWindowFreshnessPolicy):
        fail = show_duration(policy.fail_window.to_timedelta())
        if policy.warn_window is None:
            return f"fails after {fail}"
        return f"warns after {show_duration(policy.warn_window.to_timedelta())}, fails after {fail}"
    if isinstance(policy, CronFreshnessPolicy):
        window = show_duration(policy.lower_bound_delta)
        return f"due by {policy.deadline_cron} ({policy.timezone}), within {window} before"
    return None


def location_policies(asset_graph, keys: Iterable[AssetKey]) -> dict[AssetKey, FreshnessPolicy]:
    """The freshness policies the code location declares (1.11+ attribute or the
    older metadata form)."""
    found = {}
    for key in keys:
        policy = asset_graph.get(key).freshness_policy_or_from_metadata
        if policy is not None:
            found[key] = policy
    return found
