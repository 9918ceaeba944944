"""The Slack actions endpoint, ``POST /slack/actions``: verify, answer at once, then
apply the button press and update the message in the background.

Slack wants an answer within 3 seconds and shows the person an error otherwise;
the store may be busy for longer (a run step holds its lock), so the answer
leaves before any store work starts. A rejected request gets 401 and touches
nothing; the reason is logged, never the secret, signature or response URL. A
body over ``MAX_BODY_BYTES`` gets 413 before more than that is read (Slack's
interaction payloads are a few KiB); a signed body that is not a button payload
gets 400.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from urllib.parse import parse_qs

from slack_sdk import WebClient
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from drift_assets.alerts.action_buttons import Click, parse_click
from drift_assets.alerts.actions import Action, baseline_refusal
from drift_assets.slack.action_reply import reply, tell
from drift_assets.slack.delivery import SlackTarget
from drift_assets.slack.request_guard import RequestGuard
from drift_assets.store import DriftStore
from drift_assets.store.action_log import ActionError, ActionLog, ActionRequest

ACTIONS_PATH = "/slack/actions"
MAX_BODY_BYTES = 64 * 1024
log = logging.getLogger("drift_assets.actions")
# (names as written, Slack ids) of who may accept a new baseline, by asset key.
Approvers = Callable[[str], tuple[tuple[str, ...], tuple[str, ...]]]


class _TooLarge(Exception):
    pass


class ActionHandler:
    """Applies one verified click, then shows it on the message (runs after the answer)."""

    def __init__(
        self,
        store: DriftStore,
        *,
        webserver: str,
        slack: SlackTarget,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        approvers: Approvers = lambda asset_key: ((), ()),
    ):
        self.store, self.webserver, self.slack, self.clock = store, webserver, slack, clock
        self.approvers = approvers
        # Clicks are rare; one at a time keeps DuckDB transactions from meeting each other.
        self._lock = threading.Lock()

    def __call__(self, click: Click, request_id: str) -> None:
        with self._lock:
            try:
                self._handle(click, request_id)
            except Exception:
                log.exception("could not apply %s", click.action)

    def _handle(self, click: Click, request_id: str) -> None:
        actions = ActionLog(self.store)
        now = self.clock()
        try:
            alert = actions.alert(key=click.alert_key)
        except ActionError as exc:
            log.warning("%s by %s: %s", click.action, click.actor, exc)
            tell(click.response_url, f"Nothing done: {exc}")
            return
        if click.action is Action.ACCEPT_BASELINE:
            names, ids = self.approvers(alert.asset_key)
            refusal = baseline_refusal(
                click.user_id, alert.asset_key, names, ids, self._members(ids)
            )
            if refusal is not None:
                log.warning("%s by %s on %s: refused", click.action, click.actor, alert.key)
                tell(click.response_url, f"Nothing done: {refusal}")
                return
        request = ActionRequest(
            request_id=request_id,
            source="slack",
            action=click.action,
            actor=click.actor,
            actor_id=click.user_id,
            at=now,
            snooze_until=now + click.snooze_for if click.snooze_for else None,
        )
        try:
            applied = actions.apply(request, alert)
        except (ActionError, KeyError, ValueError) as exc:
            log.warning("%s by %s on %s: %s", click.action, click.actor, alert.key, exc)
            tell(click.response_url, f"Nothing done: {exc}")
            return
        outcome = reply(
            alert,
            applied,
            click.action,
            webserver=self.webserver,
            response_url=click.response_url,
            slack=self.slack,
        )
        log.info("%s on %s: %s; %s", click.action, alert.key, applied.summary, outcome)

    def _members(self, ids: tuple[str, ...]) -> frozenset[str]:
        """The user ids that ``ids`` stand for: users as they are, user groups (S...)
        through Slack's usergroups.users.list (needs the bot token; a group that
        cannot be read admits nobody, and says so in the log)."""
        users = {i for i in ids if not i.startswith("S")}
        for group in (i for i in ids if i.startswith("S")):
            if not self.slack.token:
                log.warning("cannot read user group %s without SLACK_BOT_TOKEN", group)
                continue
            client = WebClient(token=self.slack.token, base_url=self.slack.api_url, timeout=5)
            try:
                users.update(client.usergroups_users_list(usergroup=group)["users"])
            except Exception as exc:
                log.warning("cannot read user group %s: %s", group, type(exc).__name__)
        return frozenset(users)


def build_app(guard: RequestGuard, handle: Callable[[Click, str], None]) -> Starlette:
    async def slack_actions(request: Request) -> Response:
        try:
            body = await _read_limited(request)
        except _TooLarge:
            log.warning("refused a request to %s over %d bytes", ACTIONS_PATH, MAX_BODY_BYTES)
            return PlainTextResponse(f"request body over {MAX_BODY_BYTES} bytes", status_code=413)
        verdict = guard.check(body, request.headers)
        if not verdict.ok:
            log.warning("rejected a request to %s: %s", ACTIONS_PATH, verdict.reason)
            return PlainTextResponse("invalid request signature", status_code=401)
        try:
            (raw,) = parse_qs(body.decode())["payload"]
            click = parse_click(json.loads(raw))
        except (KeyError, ValueError, UnicodeDecodeError) as exc:
            log.warning("a signed request with an unreadable payload: %s", type(exc).__name__)
            return PlainTextResponse("unreadable payload", status_code=400)
        if click is None:  # the link button and other interactions: nothing to do
            return Response(status_code=200)
        task = BackgroundTask(handle, click, verdict.request_id)
        return Response(status_code=200, background=task)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(ACTIONS_PATH, slack_actions, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


async def _read_limited(request: Request) -> bytes:
    """The body, refused as soon as it is known to pass the limit: by its declared
    length, or while it streams in (chunked bodies declare none)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        raise _TooLarge
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
    return b"".join(chunks)
