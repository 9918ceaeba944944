"""Is this request from Slack, fresh, and new? Slack's signature check (slack_sdk's
``SignatureVerifier``: HMAC-SHA256 of ``v0:{timestamp}:{body}``, constant-time
compare, five-minute window) plus a replay memory, with the clock injected.

Replays are remembered in memory, per signature, for as long as the window could
still accept them. The answer must leave within Slack's 3 seconds, and a DuckDB
store may be locked by a run step for longer than that, so a DuckDB store is not
on this path. What memory alone would lose (a restart inside the window) is
covered by the audit trail: every applied Slack request is stored there under
its signature, the guard is seeded from it on start, and the store refuses a
request id it already has, so a replay can never apply twice.

Several instances behind a load balancer (on a Postgres store, where a short
query never waits for a run step) also share a memory: ``shared(request_id,
now)`` says whether any instance received the id before, so a replay sent to
another instance than the original is refused too. When it cannot be asked, the
request goes on (logged): the audit trail still refuses to apply it twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from slack_sdk.signature import Clock, SignatureVerifier

WINDOW_S = 5 * 60  # Slack's: a timestamp further than this from now is refused
log = logging.getLogger("drift_assets.actions")


@dataclass(frozen=True)
class Verdict:
    ok: bool
    reason: str  # for the log; never contains the secret or the signature
    request_id: str | None = None  # "slack:<timestamp>:<signature>" when ok


class _InjectedClock(Clock):
    def __init__(self, now: Callable[[], float]):
        self._now = now

    def now(self) -> float:
        return self._now()


class RequestGuard:
    def __init__(
        self,
        signing_secret: str,
        *,
        clock: Callable[[], float],
        seen: Iterable[str] = (),
        shared: Callable[[str, float], bool] | None = None,
    ):
        self._verifier = SignatureVerifier(signing_secret, clock=_InjectedClock(clock))
        self._clock = clock
        self._shared = shared
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}  # request id -> its timestamp
        for request_id in seen:
            self._remember(request_id)

    def check(self, body: bytes, headers: Mapping[str, str]) -> Verdict:
        lower = {k.lower(): v for k, v in headers.items()}
        timestamp = lower.get("x-slack-request-timestamp")
        signature = lower.get("x-slack-signature")
        if not timestamp or not signature:
            return Verdict(False, "missing X-Slack-Request-Timestamp or X-Slack-Signature")
        if not timestamp.isdigit():
            return Verdict(False, "the timestamp is not a number")
        if abs(self._clock() - int(timestamp)) > WINDOW_S:
            return Verdict(False, "the timestamp is more than five minutes from now")
        try:
            valid = self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except (UnicodeDecodeError, TypeError):  # a body or signature that is not text
            valid = False
        if not valid:
            return Verdict(False, "the signature does not match")
        request_id = f"slack:{timestamp}:{signature}"
        with self._lock:
            self._forget_expired()
            if request_id in self._seen:
                return Verdict(False, "a replay of a request already received")
            self._remember(request_id)
        if self._shared is not None and not self._first_everywhere(request_id):
            return Verdict(False, "a replay of a request another instance received")
        return Verdict(True, "ok", request_id)

    def _first_everywhere(self, request_id: str) -> bool:
        try:
            return self._shared(request_id, self._clock())
        except Exception as exc:  # the store is down: the audit trail still guards
            log.warning("the shared replay memory could not be asked: %s", exc)
            return True

    def _remember(self, request_id: str) -> None:
        _, timestamp, _ = request_id.split(":", 2)
        self._seen[request_id] = int(timestamp)

    def _forget_expired(self) -> None:
        # Older than the window: the timestamp check refuses them by itself.
        oldest = self._clock() - WINDOW_S
        for request_id in [r for r, ts in self._seen.items() if ts < oldest]:
            del self._seen[request_id]
