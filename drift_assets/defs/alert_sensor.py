"""The alert router as a Dagster sensor: pick up evaluations, route, write the outbox, deliver."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from dagster import (
    AssetCheckEvaluation,
    DefaultSensorStatus,
    EnvVar,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from drift_assets.alerts.events import FRESHNESS, MATERIALIZATION, CheckEvent
from drift_assets.alerts.router import Routing, Status, route
from drift_assets.defs.dataset_assets import ROUTE_METADATA_KEY
from drift_assets.defs.freshness_states import location_policies, pick_up_freshness
from drift_assets.defs.pickup import PickupCursor, pick_up
from drift_assets.defs.resources import DriftStoreResource, SinkSecret, SlackAlertsResource
from drift_assets.defs.router_health import DELIVERY_CHECK_KEY, delivery_health, recorded_health
from drift_assets.defs.run_failures import pick_up_runs
from drift_assets.settings.alert_routes import AlertsConfig, ResolvedRoute, resolve_route
from drift_assets.settings.dataset_file import ProjectConfig
from drift_assets.settings.sinks import SLACK_SINK
from drift_assets.slack.dispatch import DispatchReport, dispatch
from drift_assets.slack.sink_set import build_sinks, idle_sinks
from drift_assets.store.backends import StoreUnavailableError
from drift_assets.store.connection import StoreLockedError
from drift_assets.store.outbox import Outbox

SENSOR_NAME = "drift_alert_router"
SLACK_RESOURCE_KEY = "slack_alerts"
# The public URL of `drift-assets serve-actions`: set, alerts carry action buttons.
ACTIONS_URL_ENV_VAR = "SLACK_ACTIONS_URL"


def alert_resources(alerts: AlertsConfig | None = None) -> dict[str, SlackAlertsResource]:
    """The Slack resource from the environment: SLACK_BOT_TOKEN (Web API, base URL
    SLACK_API_URL), else SLACK_WEBHOOK_URL, else dry-run; and the secret of each
    webhook sink in ``alerts`` (its ``secret_env``). Only the variables' presence
    is read here; their values are resolved by Dagster at tick time."""
    settings: dict = {
        field: EnvVar(var)
        for field, var in (
            ("token", "SLACK_BOT_TOKEN"),
            ("api_url", "SLACK_API_URL"),
            ("webhook_url", "SLACK_WEBHOOK_URL"),
        )
        if os.environ.get(var)
    }
    hooks = {n: s.webhook for n, s in (alerts.sinks if alerts else {}).items() if s.webhook}
    secrets = {
        name: SinkSecret(secret=EnvVar(hook.secret_env))
        for name, hook in hooks.items()
        if os.environ.get(hook.secret_env)
    }
    if secrets:
        settings["sink_secrets"] = secrets
    return {SLACK_RESOURCE_KEY: SlackAlertsResource(**settings)}


def build_alert_sensor(
    config: ProjectConfig,
    *,
    minimum_interval_seconds: int = 30,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    sleep: Callable[[float], None] = time.sleep,
) -> SensorDefinition:
    """A sensor (running by default) that alerts on every asset check in the code location."""
    alerts = config.alerts

    def tick(
        context: SensorEvaluationContext,
        drift_store: DriftStoreResource,
        slack_alerts: SlackAlertsResource,
    ) -> SensorResult:
        started = clock()
        deadline = started + alerts.tick_budget
        log = context.log
        outbox = Outbox(drift_store.get_store(lambda: (deadline - clock()).total_seconds()))
        check_keys = context.repository_def.asset_graph.asset_check_keys
        events, cursor = _pick_up(context, PickupCursor.parse(context.cursor), started, alerts)
        # After a crash between writing the outbox and saving the cursor, the same
        # evaluations come again; their keys are already in the outbox.
        known = outbox.known([e.key for e in events])
        fresh = [e for e in events if e.key not in known]
        log.info(_picked_up(fresh, len(check_keys)))
        route_of = _router_targets(config, context.repository_def.asset_graph)
        routing = route(fresh, outbox.memory(started, alerts.window), alerts, route_of, started)
        remaining = lambda: (deadline - clock()).total_seconds()  # noqa: E731
        sinks, missing = build_sinks(
            alerts,
            slack=slack_alerts.sender(remaining),
            secrets={name: s.secret for name, s in slack_alerts.sink_secrets.items()},
            remaining=remaining,
        )
        idle = idle_sinks(alerts, sinks)
        outbox.record(routing, dry_run=idle)
        _log_routing(log, routing, idle)
        for line in missing:
            log.warning(line)
        if SLACK_SINK in idle:
            log.warning(
                "DRY-RUN: no SLACK_BOT_TOKEN or SLACK_WEBHOOK_URL is set; alerts are routed and"
                " recorded in the outbox (status dry_run) but not sent"
            )
        if sinks:
            report = dispatch(
                outbox,
                sinks,
                webserver=alerts.webserver(),
                clock=clock,
                sleep=sleep,
                deadline=deadline,
                actions=bool(os.environ.get(ACTIONS_URL_ENV_VAR)),
            )
            _log_delivery(log, report)
        health = delivery_health(outbox.oldest_pending(), clock(), alerts.stale_after)
        if not health.passed:
            log.warning(health.description)
        return SensorResult(
            cursor=cursor.serialize(),
            asset_events=_if_changed(context.instance, health, check_keys),
        )

    @sensor(
        name=SENSOR_NAME,
        minimum_interval_seconds=minimum_interval_seconds,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            "Routes failed asset checks (and the first pass after a failure) to Slack through"
            " the drift store's outbox. `drift-assets alerts` lists what it decided."
        ),
    )
    def drift_alert_router(
        context: SensorEvaluationContext,
        drift_store: DriftStoreResource,
        slack_alerts: SlackAlertsResource,
    ):
        try:
            return tick(context, drift_store, slack_alerts)
        except (StoreLockedError, StoreUnavailableError) as exc:
            # Another process (a run's step, the CLI) holds DuckDB's file lock, or
            # the Postgres store cannot be reached.
            # Nothing is lost: the cursor stays, so the next tick reads the same
            # evaluations again, and the outbox's keys make that a no-op.
            context.log.warning(f"{exc}; this tick ends and the next one tries again")
            return SkipReason(str(exc))

    return drift_alert_router


def _pick_up(
    context: SensorEvaluationContext, cursor: PickupCursor, now: datetime, alerts: AlertsConfig
) -> tuple[list[CheckEvent], PickupCursor]:
    """Everything new since the cursor: check evaluations (and checks a failed run
    left without one), failed materializations and freshness state changes."""
    graph = context.repository_def.asset_graph
    webserver = alerts.webserver()
    lookback = alerts.initial_lookback
    checks, cursor = pick_up(
        context.instance,
        graph.asset_check_keys,
        cursor,
        now=now,
        initial_lookback=lookback,
        webserver=webserver,
    )
    assets = graph.get_all_asset_keys()
    runs, run_cursor = pick_up_runs(
        context.instance,
        {k.to_user_string() for k in assets},
        cursor.runs,
        now=now,
        lookback=lookback,
        webserver=webserver,
    )
    fresh, marks = pick_up_freshness(
        context.instance,
        cursor.freshness,
        location_policies(graph, assets),
        now=now,
        lookback=lookback,
    )
    events = sorted([*checks, *runs, *fresh], key=lambda e: (e.evaluated_at, e.evaluation_id))
    return events, replace(cursor, runs=run_cursor, freshness=marks)


def _picked_up(events: list[CheckEvent], checks: int) -> str:
    by_source: dict[str, list[CheckEvent]] = {MATERIALIZATION: [], FRESHNESS: [], "": []}
    for event in events:
        by_source.get(event.check_name, by_source[""]).append(event)
    evaluations = by_source[""]
    failed = sum(not e.passed for e in evaluations)
    runs = by_source[MATERIALIZATION]
    return (
        f"picked up {len(evaluations)} new evaluations ({failed} failed) of {checks} checks,"
        f" {len(runs)} materialization outcomes ({sum(not e.passed for e in runs)} failed)"
        f" and {len(by_source[FRESHNESS])} freshness changes"
    )


def _log_routing(log, routing: Routing, idle: set[str]) -> None:
    for entry in routing.entries:
        subject = f"{entry.kind} {entry.severity} " + (
            f"{entry.event.asset_key}/{entry.event.check_name}"
            if entry.event
            else f"{len(entry.covers)} held back"
        )
        if entry.status is Status.SUPPRESSED:
            log.info(f"held back {subject}: {entry.reason}")
        elif entry.sink in idle:
            log.info(f"DRY-RUN would send {subject} to {entry.channel}")


def _log_delivery(log, report: DispatchReport) -> None:
    if report.halted:
        log.error(
            f"a sink rejects the credentials ({report.halted}): nothing sent through it;"
            f" {report.waiting} alerts wait. Check SLACK_BOT_TOKEN or the sink's secret."
        )
    for line in report.sent:
        log.info(f"sent {line}")
    for line in report.retrying:
        log.warning(f"will retry {line}")
    for line in report.dead:
        log.error(f"dead letter {line}")
    for line in report.dropped:
        log.info(f"not sent {line}: every check it listed passes again")
    if report.waiting:
        log.info(f"{report.waiting} alerts wait for a later tick (pacing, backoff, budget)")


def _if_changed(instance, health, check_keys) -> list[AssetCheckEvaluation]:
    """The health check's evaluation when its result changed (not every 30 s), and
    only when the code location declares the check."""
    if DELIVERY_CHECK_KEY not in check_keys:
        return []
    evaluation = recorded_health(instance)
    return [] if evaluation and evaluation.passed == health.passed else [health]


def _router_targets(config: ProjectConfig, asset_graph) -> Callable[[str], ResolvedRoute]:
    """Each asset's dataset, channel and owners, from its route metadata: datasets
    of any DriftDatasets component (and the dataset file's own status) carry it."""
    targets = {
        key.to_user_string(): node.metadata[ROUTE_METADATA_KEY].value
        for key in asset_graph.get_all_asset_keys()
        if ROUTE_METADATA_KEY in (node := asset_graph.get(key)).metadata
    }

    def route_of(asset_key: str) -> ResolvedRoute:
        target = targets.get(asset_key, {})
        return resolve_route(
            config.alerts,
            asset_key=asset_key,
            dataset=target.get("dataset"),
            dataset_channel=target.get("channel"),
            owners=tuple(target.get("owners", ())),
        )

    return route_of
