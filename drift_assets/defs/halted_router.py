"""The alert router of an alerts configuration that does not load (a DriftAlerts
component whose fields do not validate): the code location still loads, and the
router says what is wrong instead of taking every dataset down with it."""

from __future__ import annotations

from dagster import (
    AssetCheckEvaluation,
    AssetCheckSeverity,
    DefaultSensorStatus,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from drift_assets.defs.alert_sensor import SENSOR_NAME
from drift_assets.defs.router_health import (
    DELIVERY_CHECK,
    ROUTER_ASSET,
    halted_description,
    recorded_health,
)


def build_halted_alert_sensor(problem: str) -> SensorDefinition:
    """Skips every tick saying why, and fails the router's health check with the
    problem (recorded once, not every 30 s). It never sets the cursor: once the
    configuration is fixed, the router goes on from where it stopped and routes
    every evaluation made in between."""
    failed = AssetCheckEvaluation(
        asset_key=ROUTER_ASSET,
        check_name=DELIVERY_CHECK,
        passed=False,
        severity=AssetCheckSeverity.ERROR,
        description=halted_description(problem),
    )

    @sensor(
        name=SENSOR_NAME,
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description=f"Halted: {problem}",
    )
    def drift_alert_router(context: SensorEvaluationContext):
        context.log.warning(failed.description)
        recorded = recorded_health(context.instance)
        if recorded is not None and recorded.description == failed.description:
            return SkipReason(failed.description)
        return SensorResult(asset_events=[failed])

    return drift_alert_router
