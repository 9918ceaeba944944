"""The sinks of one tick, by name: Slack, each ``alerts.sinks`` webhook whose secret
is set, and each custom class built with its options. A sink that cannot be built
is left out with one line saying why; its alerts are recorded, not sent."""

from __future__ import annotations

from collections.abc import Mapping

from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.sinks import SLACK_SINK, load_sink_class
from drift_assets.slack.sinks import Remaining, Sink
from drift_assets.slack.webhook import WebhookSink


def build_sinks(
    alerts: AlertsConfig,
    *,
    slack: Sink | None,
    secrets: Mapping[str, str],
    remaining: Remaining,
) -> tuple[dict[str, Sink], list[str]]:
    """(sinks by name, one line per sink left out). ``slack``: None in dry-run;
    ``secrets``: each webhook sink's secret by sink name, as resolved by Dagster."""
    sinks: dict[str, Sink] = {SLACK_SINK: slack} if slack is not None else {}
    missing: list[str] = []
    for name, config in sorted(alerts.sinks.items()):
        if config.webhook is not None:
            secret = secrets.get(name)
            if not secret:
                missing.append(
                    f"sink {name}: {config.webhook.secret_env} is not set; its alerts are"
                    " recorded (dry_run), not sent unsigned"
                )
                continue
            sinks[name] = WebhookSink(
                config.webhook.url, secret, remaining, timeout_s=config.webhook.timeout_s
            )
        else:
            assert config.class_path is not None
            try:
                sinks[name] = load_sink_class(config.class_path)(**config.options)
            except Exception as exc:  # the user's constructor: any error is theirs to see
                missing.append(f"sink {name}: {config.class_path}(**options) failed: {exc}")
    return sinks, missing


def idle_sinks(alerts: AlertsConfig, sinks: Mapping[str, Sink]) -> set[str]:
    """The named sinks with nothing to send through: their alerts are ``dry_run``."""
    return {SLACK_SINK, *alerts.sinks} - set(sinks)
