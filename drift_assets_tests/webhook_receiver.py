"""A local webhook receiver on 127.0.0.1 that does what a real one should: verifies
each request's HMAC signature and timestamp with the shared secret (through the
``verify_signature`` we document for receivers, and independently by hand), answers
401 when they do not hold, and otherwise records the JSON. It can fail on demand."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from drift_assets.slack.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature


@dataclass(frozen=True)
class Received:
    verified: bool
    headers: dict[str, str]
    raw: bytes
    status: int  # what the receiver answered

    @property
    def body(self) -> dict[str, Any]:
        return json.loads(self.raw)


class WebhookReceiver:
    def __init__(self, secret: str):
        self.secret = secret
        self.received: list[Received] = []
        self.statuses: deque[int] = deque()  # scripted answers, then 200
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}/hooks/drift"

    def accepted(self) -> list[dict[str, Any]]:
        """The messages verified and answered 200 (delivered)."""
        return [r.body for r in self.received if r.verified and r.status == 200]

    def _verify(self, raw: bytes, headers: dict[str, str]) -> bool:
        timestamp = headers.get(TIMESTAMP_HEADER.lower())
        signature = headers.get(SIGNATURE_HEADER.lower())
        documented = verify_signature(self.secret, raw, timestamp, signature, now=time.time())
        # The scheme as the docs state it, computed here without our code.
        expected = (
            "v1="
            + hmac.new(
                self.secret.encode(), f"v1:{timestamp}:".encode() + raw, hashlib.sha256
            ).hexdigest()
        )
        by_hand = signature is not None and hmac.compare_digest(expected, signature)
        return documented and by_hand

    def _handler(self):
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                verified = receiver._verify(raw, headers)
                status = receiver.statuses.popleft() if receiver.statuses else 200
                if not verified:
                    status = 401
                receiver.received.append(Received(verified, headers, raw, status))
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                pass

        return Handler
