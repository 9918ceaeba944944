"""The one small interface every sink implements: it gets one ``Outgoing`` message at
a time and answers with a ``SendResult`` (delivered, retry later, or dead). The
outbox around it (written before sending, marked after ok, retries, dead letters,
pacing) is the same for every sink. Slack (``delivery.py``) and the signed webhook
(``webhook.py``) are two implementations; a custom one is a class named
``module:Class`` in the dataset file, built with its ``options``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

Remaining = Callable[[], float]  # seconds left in the tick
# Error codes worth retrying (Slack's words); every other `ok: false` is permanent.
_TRANSIENT_ERRORS = {
    "ratelimited",
    "rate_limited",
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
}


@dataclass(frozen=True)
class SendResult:
    ok: bool
    channel_id: str | None = None
    ts: str | None = None
    permanent: bool = False
    retry_after: str | None = None  # the Retry-After header, as sent
    error: str | None = None


@dataclass(frozen=True)
class Outgoing:
    """One message as every sink gets it: what it is about, and its Slack rendering."""

    key: str  # the outbox idempotency key: a receiver can drop duplicates by it
    kind: str  # alert | repeat | resolved | digest | escalation | reminder
    severity: str  # ERROR | WARN | INFO
    channel: str
    text: str  # one line, mentions included
    slack: dict[str, Any]  # Block Kit payload (text + attachments)
    facts: dict[str, Any]  # the evaluation (event) or the digest's list (covers), owners
    links: dict[str, str]  # check and run pages in Dagster

    def to_json(self) -> dict[str, Any]:
        body = {k: v for k, v in vars(self).items() if k != "slack"}
        return {"version": 1, **body}


class Sink(Protocol):
    threads: bool  # can reply in threads and update messages (Slack's Web API can)

    def post(self, channel: str, message: Outgoing, thread_ts: str | None) -> SendResult: ...

    def update(self, channel_id: str, ts: str, message: Outgoing) -> SendResult: ...

    def check(self) -> SendResult:
        """Whether the other side accepts our credentials at all."""
        ...


class BaseSink:
    """What a custom sink may inherit: no threads, no updates, no credentials check;
    it then implements ``post`` alone."""

    threads = False

    def update(self, channel_id: str, ts: str, message: Outgoing) -> SendResult:
        return SendResult(ok=False, permanent=True, error="this sink cannot update messages")

    def check(self) -> SendResult:
        return SendResult(ok=True)


def api_error(status: int, headers: Any, data: Any) -> SendResult:
    """An HTTP answer that is not ok: retry later (429, 5xx, 408, transient codes)
    or dead (everything else)."""
    code = data.get("error") if isinstance(data, dict) else None
    error = f"HTTP {status}" + (f": {code}" if code else "")
    if status == 429 or code in ("ratelimited", "rate_limited"):
        return SendResult(ok=False, retry_after=header(headers, "retry-after"), error=error)
    if status >= 500 or status == 408 or code in _TRANSIENT_ERRORS:
        return SendResult(ok=False, error=error)
    return SendResult(ok=False, permanent=True, error=error)


def header(headers: Any, name: str) -> str | None:
    for key, value in (headers or {}).items():
        if key.lower() == name:
            return value[0] if isinstance(value, list) else value
    return None


def redact(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text
