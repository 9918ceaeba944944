"""Sending one message to Slack, through the Web API (slack_sdk's ``WebClient``) or an
incoming webhook, and classifying the answer: delivered, retry later, or dead.

slack_sdk's retry handlers retry inside a call only while the tick has time for
the wait; longer waits (a long ``Retry-After``, Slack down) are handed back to
the outbox as "retry later", so a tick never sleeps past its budget. Errors are
described in our own words with the token and webhook URL redacted.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from slack_sdk import WebClient, WebhookClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)

from drift_assets.slack.sinks import (
    Outgoing,
    Remaining,
    SendResult,
    Sink,
    api_error,
    header,
    redact,
)

DEFAULT_API_URL = "https://slack.com/api/"
# Waits up to this long happen inside the call (slack_sdk's handlers); longer ones
# go back to the outbox.
_INLINE_WAIT_S = 2.0


@dataclass(frozen=True)
class SlackTarget:
    """Where the alert router sends: the Slack Web API (``token``), an incoming
    webhook, or nowhere (dry-run: alerts are routed and recorded, not sent)."""

    token: str | None = field(default=None, repr=False)
    api_url: str = DEFAULT_API_URL
    webhook_url: str | None = field(default=None, repr=False)
    timeout_s: float = 10.0  # longest wait for one Slack answer

    @property
    def mode(self) -> str:
        return "web_api" if self.token else "webhook" if self.webhook_url else "dry_run"

    def sender(self, remaining: Remaining, client: WebClient | None = None) -> Sink | None:
        """A sender bound to the tick's remaining time; None in dry-run. ``client`` is
        a Web API client for ``token`` made elsewhere (dagster-slack's resource)."""
        secrets = tuple(s for s in (self.token, self.webhook_url) if s)
        if self.token:
            client = client or WebClient(token=self.token)
            client.base_url = self.api_url if self.api_url.endswith("/") else self.api_url + "/"
            client.retry_handlers = _handlers(remaining)
            return WebApiSender(client, remaining, self.timeout_s, secrets)
        if self.webhook_url:
            client = WebhookClient(
                self.webhook_url, retry_handlers=_handlers(remaining), logger=_quiet_logger(secrets)
            )
            return WebhookSender(client, remaining, self.timeout_s, secrets)
        return None


class _Sender:
    """What both ways of posting share: a per-call timeout that never runs past
    the tick's budget, and errors in our own words with the secrets redacted."""

    def __init__(self, client: Any, remaining: Remaining, timeout: float, secrets):
        self.client, self.remaining, self.timeout, self.secrets = (
            client,
            remaining,
            timeout,
            secrets,
        )

    def _send(self, call: Callable[[], Any], handle: Callable[[Any], SendResult]) -> SendResult:
        self.client.timeout = max(1, int(min(self.timeout, self.remaining())))
        try:
            response = call()
        except SlackApiError as exc:
            return api_error(exc.response.status_code, exc.response.headers, exc.response.data)
        except Exception as exc:  # timeouts, refused connections, garbage bodies
            return SendResult(ok=False, error=redact(f"{type(exc).__name__}: {exc}", self.secrets))
        return handle(response)


class WebApiSender(_Sender):
    threads = True

    def post(self, channel: str, message: Outgoing, thread_ts: str | None) -> SendResult:
        return self._call(
            lambda: self.client.chat_postMessage(
                channel=channel, thread_ts=thread_ts, **message.slack
            )
        )

    def update(self, channel_id: str, ts: str, message: Outgoing) -> SendResult:
        return self._call(
            lambda: self.client.chat_update(channel=channel_id, ts=ts, **message.slack)
        )

    def check(self) -> SendResult:
        return self._call(self.client.auth_test)

    def _call(self, call: Callable[[], Any]) -> SendResult:
        return self._send(
            call,
            lambda response: SendResult(
                ok=True, channel_id=response.get("channel"), ts=response.get("ts")
            ),
        )


class WebhookSender(_Sender):
    threads = False

    def post(self, channel: str, message: Outgoing, thread_ts: str | None) -> SendResult:
        return self._send(lambda: self.client.send_dict(message.slack), self._result)

    def _result(self, response: Any) -> SendResult:
        if response.status_code == 200:
            return SendResult(ok=True)
        body = redact((response.body or "").strip()[:100], self.secrets)
        return api_error(response.status_code, response.headers, {"error": body})

    def update(self, channel_id: str, ts: str, message: Outgoing) -> SendResult:
        return SendResult(ok=False, permanent=True, error="webhooks cannot update messages")

    def check(self) -> SendResult:
        # A webhook has no credentials check short of posting.
        return SendResult(ok=True)


def retry_after_s(value: str | None, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: either a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class _Budgeted:
    """Retry inside the call only while the tick still has time for the wait."""

    def __init__(self, remaining: Remaining, **kwargs: Any):
        super().__init__(**kwargs)
        self._remaining = remaining

    def _can_retry(self, **kwargs: Any) -> bool:
        return self._remaining() > 2 * _INLINE_WAIT_S and super()._can_retry(**kwargs)


class _ConnectionRetry(_Budgeted, ConnectionErrorRetryHandler):
    pass


class _ServerRetry(_Budgeted, ServerErrorRetryHandler):
    pass


class _ShortRateLimitRetry(_Budgeted, RateLimitErrorRetryHandler):
    """Only a short integer ``Retry-After``; the handler cannot parse HTTP dates."""

    def _can_retry(self, *, response=None, **kwargs: Any) -> bool:
        wait = header(response.headers, "retry-after") if response is not None else None
        return (
            wait is not None
            and wait.strip().isdigit()
            and int(wait) <= _INLINE_WAIT_S
            and super()._can_retry(response=response, **kwargs)
        )


def _handlers(remaining: Remaining) -> list:
    return [
        _ConnectionRetry(remaining, max_retry_count=1),
        _ServerRetry(remaining, max_retry_count=1),
        _ShortRateLimitRetry(remaining, max_retry_count=1),
    ]


class _RedactingFilter(logging.Filter):
    def __init__(self, secrets: tuple[str, ...]):
        super().__init__()
        self.secrets = secrets

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage(), self.secrets)
        record.args = ()
        return True


def _quiet_logger(secrets: tuple[str, ...]) -> logging.Logger:
    """slack_sdk logs failed webhook requests with their URL, which is a secret (the Web
    API URL is not: the token travels in a header)."""
    logger = logging.getLogger("drift_assets.alerts.slack_sdk")
    logger.filters = [_RedactingFilter(secrets)]
    return logger
