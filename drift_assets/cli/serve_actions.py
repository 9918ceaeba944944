"""``drift-assets serve-actions``: the Slack actions endpoint on uvicorn."""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import click

from drift_assets.settings.alert_routes import baseline_approvers
from drift_assets.settings.dataset_file import load_config
from drift_assets.slack.actions_app import ACTIONS_PATH, ActionHandler, build_app
from drift_assets.slack.delivery import DEFAULT_API_URL, SlackTarget
from drift_assets.slack.request_guard import WINDOW_S, RequestGuard
from drift_assets.store import DriftStore, default_store_path
from drift_assets.store.action_log import ActionLog
from drift_assets.store.seen_requests import SeenRequests

SECRET_ENV_VAR = "SLACK_SIGNING_SECRET"


@click.command("serve-actions")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=int, default=3001, show_default=True)
@click.option("--db", metavar="FILE|URL", help="The store: a DuckDB file or a postgresql:// URL.")
def command(host, port, db) -> None:
    """Serve the Slack actions endpoint (POST /slack/actions) for the alert buttons:
    Acknowledge, Snooze 1h / 24h, Unsnooze and Accept as new baseline.

    Needs SLACK_SIGNING_SECRET (the Slack app's Basic Information page). SLACK_BOT_TOKEN
    is optional. Put it behind HTTPS and give its public URL to the Slack app's
    Interactivity Request URL; set SLACK_ACTIONS_URL to that URL where the alert router
    runs, so the alerts carry the buttons. Only a dataset's owners (and
    alerts.baseline_approvers) may accept a new baseline, when any are named.

    \b
    Example:
      SLACK_SIGNING_SECRET=... drift-assets serve-actions --port 3001
    """
    import uvicorn

    secret = os.environ.get(SECRET_ENV_VAR, "").strip()
    if not secret:
        raise click.ClickException(
            f"{SECRET_ENV_VAR} is not set: without it Slack's requests cannot be verified"
        )
    store = DriftStore(db or default_store_path())
    config = load_config(strict=False)
    alerts = config.alerts
    owners = {d.name: d.owners for d in config.datasets}  # dataset assets keyed by name
    handler = ActionHandler(
        store,
        webserver=alerts.webserver(),
        slack=SlackTarget(
            token=os.environ.get("SLACK_BOT_TOKEN"),
            api_url=os.environ.get("SLACK_API_URL") or DEFAULT_API_URL,
        ),
        approvers=lambda asset_key: baseline_approvers(alerts, owners.get(asset_key, ())),
    )
    app = build_app(request_guard(secret, store, clock=time.time), handler)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    click.echo(
        f"Slack actions endpoint on http://{host}:{port}{ACTIONS_PATH} (store {store.location})"
    )
    # One worker: on a DuckDB store the replay memory lives in this process.
    uvicorn.run(app, host=host, port=port, workers=1, log_level="info")


def request_guard(secret: str, store: DriftStore, *, clock: Callable[[], float]) -> RequestGuard:
    """The guard of one instance: seeded from the audit trail (Slack requests
    applied just before a restart are still replayable) and, on a Postgres store,
    sharing its replay memory with every other instance through the store."""
    now = datetime.fromtimestamp(clock(), UTC)
    seen = ActionLog(store).slack_requests_since(now - timedelta(seconds=2 * WINDOW_S))
    shared = None
    if store.shared:
        memory = SeenRequests(store)

        def shared(request_id: str, at: float) -> bool:
            received = datetime.fromtimestamp(at, UTC)
            return memory.first_time(
                request_id, received, forget_before=received - timedelta(seconds=2 * WINDOW_S)
            )

    return RequestGuard(secret, clock=clock, seen=seen, shared=shared)
