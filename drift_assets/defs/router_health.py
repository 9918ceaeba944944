"""The router's own health, visible in Dagster: an asset with one check that fails
while the oldest undelivered alert is older than the configured limit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetCheckSeverity,
    AssetKey,
    AssetSpec,
    MetadataValue,
    asset_check,
)

from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.store.outbox import Outbox

ROUTER_ASSET = AssetKey("drift_alert_router")
DELIVERY_CHECK = "alerts_delivered"
DELIVERY_CHECK_KEY = AssetCheckKey(ROUTER_ASSET, DELIVERY_CHECK)


def router_health_asset() -> AssetSpec:
    """Add this to the code location's assets so the sensor's reports have a home."""
    return AssetSpec(
        ROUTER_ASSET,
        description=(
            "The alert router (sensor drift_alert_router). Its check fails while alerts wait"
            " in the outbox longer than alerts.stale_after."
        ),
        group_name="drift_alerts",
        kinds={"slack", "duckdb"},
    )


def router_health_check(
    config: AlertsConfig, *, halted: str | None = None
) -> AssetChecksDefinition:
    """The check, runnable on demand; the sensor also reports it whenever it changes.
    ``halted``: why the router sends nothing (its configuration does not load),
    which is then the check's failure whatever the outbox holds."""

    @asset_check(
        asset=ROUTER_ASSET,
        name=DELIVERY_CHECK,
        description="No alert waits in the outbox longer than alerts.stale_after.",
    )
    def alerts_delivered(drift_store: DriftStoreResource) -> AssetCheckResult:
        if halted is not None:
            return AssetCheckResult(
                passed=False,
                severity=AssetCheckSeverity.ERROR,
                description=halted_description(halted),
            )
        oldest = Outbox(drift_store.get_store()).oldest_pending()
        health = delivery_health(oldest, datetime.now(UTC), config.stale_after)
        return AssetCheckResult(
            passed=health.passed,
            severity=health.severity,
            description=health.description,
            metadata=health.metadata,
        )

    return alerts_delivered


def recorded_health(instance) -> AssetCheckEvaluation | None:
    """The health check's last recorded evaluation: what the router reports only
    when it changed (not every 30 s)."""
    latest = instance.event_log_storage.get_latest_asset_check_execution_by_key(
        [DELIVERY_CHECK_KEY]
    ).get(DELIVERY_CHECK_KEY)
    return latest.evaluation if latest else None


def halted_description(problem: str) -> str:
    return f"no alert is sent until the alerts configuration is fixed: {problem}"


def delivery_health(
    oldest_pending: datetime | None, now: datetime, stale_after: timedelta
) -> AssetCheckEvaluation:
    waited = (now - oldest_pending).total_seconds() if oldest_pending else 0
    age = timedelta(seconds=round(waited))
    passed = age <= stale_after
    description = (
        "every alert is delivered or on time"
        if passed
        else f"an alert has waited {age} for delivery (limit {stale_after}): is Slack reachable?"
    )
    return AssetCheckEvaluation(
        asset_key=ROUTER_ASSET,
        check_name=DELIVERY_CHECK,
        passed=passed,
        severity=AssetCheckSeverity.WARN,
        description=description,
        metadata={
            "oldest_undelivered_age_s": MetadataValue.float(round(age.total_seconds(), 1)),
            "stale_after_s": MetadataValue.float(stale_after.total_seconds()),
        },
    )
