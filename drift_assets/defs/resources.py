"""The Dagster resources: the drift store for runs and sensors, and where the alert
router sends."""

from __future__ import annotations

import os
from collections.abc import Callable

from dagster import Config, ConfigurableResource
from dagster_slack import SlackResource
from pydantic import Field

from drift_assets.slack.delivery import DEFAULT_API_URL, SlackTarget
from drift_assets.slack.sinks import Remaining, Sink
from drift_assets.store import DriftStore, default_store_path
from drift_assets.store.connection import DEFAULT_LOCK_TIMEOUT_S

LOCK_TIMEOUT_ENV_VAR = "DRIFT_ASSETS_LOCK_TIMEOUT"


class DriftStoreResource(ConfigurableResource):
    """The drift store holding profiles, baselines, check results and alerts: a
    DuckDB file, or a Postgres database when steps run on several hosts."""

    database: str | None = Field(
        default=None,
        description=(
            "A DuckDB file path or a postgresql:// URL (with a password, set it through"
            " EnvVar('DRIFT_ASSETS_DB'): it is never logged). Default: DRIFT_ASSETS_DB,"
            " else drift_assets.duckdb in DAGSTER_HOME."
        ),
    )
    lock_timeout_s: float = Field(
        default_factory=lambda: float(
            os.environ.get(LOCK_TIMEOUT_ENV_VAR) or DEFAULT_LOCK_TIMEOUT_S
        ),
        description=(
            "How long to wait for another process to release the DuckDB file lock, or"
            " for a Postgres connection, before a write is journaled. Default:"
            f" {LOCK_TIMEOUT_ENV_VAR}, else {DEFAULT_LOCK_TIMEOUT_S:.0f} s."
        ),
    )

    def get_store(self, budget: Callable[[], float] | None = None) -> DriftStore:
        """The store; with ``budget`` (seconds left, asked at each connection) a
        locked file is waited for no longer than that either."""
        path = self.database or default_store_path()
        if budget is None:
            return DriftStore(path, lock_timeout=self.lock_timeout_s)
        return DriftStore(path, lock_timeout=lambda: max(0.0, min(self.lock_timeout_s, budget())))


class SinkSecret(Config):
    secret: str = Field(description="Set through EnvVar(<the sink's secret_env>).")


class SlackAlertsResource(ConfigurableResource):
    """Where the alert router sends: the Slack Web API, an incoming webhook, or
    nowhere (dry-run: alerts are routed and recorded, not sent); and the secrets
    of the webhook sinks named in the dataset file."""

    token: str | None = Field(
        default=None, description="Bot token (chat:write). Set through EnvVar('SLACK_BOT_TOKEN')."
    )
    api_url: str = Field(
        default=DEFAULT_API_URL,
        description="Slack Web API base URL; point it at a Slack-compatible server for tests.",
    )
    webhook_url: str | None = Field(
        default=None,
        description="Incoming webhook URL, used when no token is set (no threads, no updates).",
    )
    timeout_s: float = Field(default=10.0, description="Longest wait for one Slack answer.")
    sink_secrets: dict[str, SinkSecret] = Field(
        default_factory=dict,
        description="Signing secrets of the webhook sinks in alerts.sinks, by sink name.",
    )

    @property
    def target(self) -> SlackTarget:
        return SlackTarget(self.token, self.api_url, self.webhook_url, self.timeout_s)

    @property
    def mode(self) -> str:
        return self.target.mode

    def sender(self, remaining: Remaining) -> Sink | None:
        """A sender bound to the tick's remaining time; None in dry-run. The Web API
        client comes from dagster-slack's ``SlackResource``."""
        client = SlackResource(token=self.token).get_client() if self.token else None
        return self.target.sender(remaining, client)
