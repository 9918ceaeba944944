"""The generic webhook sink: one JSON POST per message, signed like Slack's own
requests so the receiver can verify it. ``X-Drift-Signature`` is ``v1=`` + hex
HMAC-SHA256 of ``v1:{timestamp}:{body}`` under the shared secret, and
``X-Drift-Timestamp`` the Unix time it was signed, so a receiver can refuse both a
forged body and a replay of an old one (``verify_signature`` does both)."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from drift_assets.slack.sinks import BaseSink, Outgoing, Remaining, SendResult, api_error, redact

SIGNATURE_HEADER = "X-Drift-Signature"
TIMESTAMP_HEADER = "X-Drift-Timestamp"
REPLAY_WINDOW_S = 5 * 60  # what verify_signature accepts by default, as Slack does


def sign(secret: str, timestamp: int, body: bytes) -> str:
    digest = hmac.new(secret.encode(), b"v1:%d:" % timestamp + body, hashlib.sha256)
    return "v1=" + digest.hexdigest()


def verify_signature(
    secret: str,
    body: bytes,
    timestamp: str | None,
    signature: str | None,
    *,
    now: float,
    window_s: float = REPLAY_WINDOW_S,
) -> bool:
    """For receivers: the body is ours, unchanged, and signed within ``window_s``."""
    if not timestamp or not signature or not timestamp.isdigit():
        return False
    if abs(now - int(timestamp)) > window_s:
        return False
    return hmac.compare_digest(sign(secret, int(timestamp), body), signature)


class WebhookSink(BaseSink):
    """A signed JSON POST per message; any 2xx is delivered."""

    def __init__(
        self,
        url: str,
        secret: str,
        remaining: Remaining,
        *,
        timeout_s: float = 10.0,
        clock: Callable[[], float] = time.time,
    ):
        self.url, self._secret, self.remaining = url, secret, remaining
        self.timeout_s, self.clock = timeout_s, clock

    def post(self, channel: str, message: Outgoing, thread_ts: str | None) -> SendResult:
        body = json.dumps(message.to_json(), separators=(",", ":"), default=str).encode()
        timestamp = int(self.clock())
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "User-Agent": "drift-assets",
                TIMESTAMP_HEADER: str(timestamp),
                SIGNATURE_HEADER: sign(self._secret, timestamp, body),
            },
        )
        timeout = max(1.0, min(self.timeout_s, self.remaining()))
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            return api_error(exc.code, dict(exc.headers or {}), {})
        except Exception as exc:  # refused, timed out, reset
            return SendResult(
                ok=False, error=redact(f"{type(exc).__name__}: {exc}", (self._secret,))
            )
        return SendResult(ok=True)
