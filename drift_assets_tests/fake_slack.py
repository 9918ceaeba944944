"""A local Slack stand-in on 127.0.0.1: the Web API subset we use (chat.postMessage,
chat.update, auth.test, usergroups.users.list of ``groups``), an incoming webhook and interaction response URLs
(``response_url(message)``), recording every request and
failing on demand (429 + Retry-After, 500, hanging past the client timeout, or
any Slack error code such as invalid_auth / channel_not_found).

Use it as a context manager; point ``SlackTarget(api_url=fake.api_url,
token=fake.token)`` or ``webhook_url=fake.webhook_url`` at it.
"""

from __future__ import annotations

import itertools
import json
import threading
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, quote, unquote

WEBHOOK_PATH = "/services/T000/B000/fake-webhook-secret"
RESPONSE_PATH = "/actions/"  # + <channel>/<ts>: the response_url of a button press


@dataclass(frozen=True)
class Request:
    method: str  # the API method ("chat.postMessage") or "webhook"
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass(frozen=True)
class Fault:
    """One scripted answer: an HTTP status, a Slack error code, or a hang."""

    status: int = 200
    error: str | None = None
    retry_after: str | None = None
    hang_s: float = 0.0
    method: str | None = None  # only for this API method ("webhook" for the hook); None: any


@dataclass
class Message:
    channel: str
    ts: str
    body: dict[str, Any]
    thread_ts: str | None = None
    updates: list[dict[str, Any]] = field(default_factory=list)
    ephemeral: list[dict[str, Any]] = field(default_factory=list)  # seen by one person

    @property
    def current(self) -> dict[str, Any]:
        """The message as it reads now, after its updates."""
        return self.updates[-1] if self.updates else self.body


class FakeSlack:
    def __init__(self, token: str = "xoxb-fake-test-token", channels: set[str] | None = None):
        self.token = token
        # None: every channel exists; otherwise others answer channel_not_found.
        self.channels = channels
        self.groups: dict[str, list[str]] = {}  # user group id -> its members' user ids
        self.requests: list[Request] = []
        self.messages: list[Message] = []
        self._faults: deque[Fault] = deque()
        self._down: Fault | None = None
        self._lock = threading.Lock()
        self._ts = itertools.count(1)
        self._stop = threading.Event()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        # A short poll interval: shutdown() waits up to one interval.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    # -- lifecycle -------------------------------------------------------------

    def __enter__(self) -> FakeSlack:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    @property
    def webhook_url(self) -> str:
        return f"{self.base_url}{WEBHOOK_PATH}"

    # -- scripting -------------------------------------------------------------

    def fail_next(self, fault: Fault, times: int = 1) -> None:
        """Answer the next ``times`` requests with ``fault``."""
        with self._lock:
            self._faults.extend([fault] * times)

    def go_down(self, fault: Fault = Fault(status=500)) -> None:
        """Answer every request with ``fault`` until ``come_back``."""
        self._down = fault

    def come_back(self) -> None:
        self._down = None

    def response_url(self, message: Message) -> str:
        """The response_url Slack would send with a button press on ``message``."""
        return f"{self.base_url}{RESPONSE_PATH}{quote(message.channel, safe='')}/{message.ts}"

    def posts(self) -> list[Request]:
        """Recorded requests that created a message (Web API or webhook)."""
        return [r for r in self.requests if r.method in ("chat.postMessage", "webhook")]

    # -- serving ---------------------------------------------------------------

    def _answer(self, method: str, headers: dict[str, str], body: dict[str, Any]):
        with self._lock:
            self.requests.append(Request(method, headers, body))
            fault = self._down or self._next_fault(method)
        if fault is not None:
            if fault.hang_s:
                self._stop.wait(fault.hang_s)
            elif fault.status != 200 or fault.error:
                extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
                if method == "webhook":
                    return fault.status, fault.error or "error", extra
                return fault.status, {"ok": False, "error": fault.error or "fatal_error"}, extra
        if method == "webhook":
            with self._lock:
                self.messages.append(Message("(webhook)", "", body))
            return 200, "ok", {}
        if method.startswith(RESPONSE_PATH):
            return self._respond(method.removeprefix(RESPONSE_PATH), body)
        if headers.get("authorization") != f"Bearer {self.token}":
            return 200, {"ok": False, "error": "invalid_auth"}, {}
        if method == "auth.test":
            return 200, {"ok": True, "team": "fake", "user": "drift-bot", "user_id": "UBOT"}, {}
        if method == "usergroups.users.list":
            group = body.get("usergroup", "")
            if group not in self.groups:
                return 200, {"ok": False, "error": "no_such_subteam"}, {}
            return 200, {"ok": True, "users": self.groups[group]}, {}
        channel = body.get("channel", "")
        if self.channels is not None and channel not in self.channels:
            return 200, {"ok": False, "error": "channel_not_found"}, {}
        with self._lock:
            if method == "chat.postMessage":
                ts = f"1700000000.{next(self._ts):06d}"
                self.messages.append(Message(channel, ts, body, body.get("thread_ts")))
                return 200, {"ok": True, "channel": channel, "ts": ts, "message": body}, {}
            if method == "chat.update":
                for message in self.messages:
                    if message.ts == body.get("ts") and message.channel == channel:
                        message.updates.append(body)
                        return 200, {"ok": True, "channel": channel, "ts": message.ts}, {}
                return 200, {"ok": False, "error": "message_not_found"}, {}
        return 404, {"ok": False, "error": "unknown_method"}, {}

    def _next_fault(self, method: str) -> Fault | None:
        for fault in self._faults:
            if fault.method in (None, method):
                self._faults.remove(fault)
                return fault
        return None

    def _respond(self, target: str, body: dict[str, Any]):
        """A response_url: replace the message, or show a reply to one person."""
        channel, ts = map(unquote, target.split("/", 1))
        with self._lock:
            for message in self.messages:
                if message.channel == channel and message.ts == ts:
                    if body.get("replace_original"):
                        message.updates.append(body)
                    else:
                        message.ephemeral.append(body)
                    return 200, "ok", {}
        return 404, "no_message", {}

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # slack_sdk reads some methods with GET
                path, _, query = self.path.partition("?")
                headers = {k.lower(): v for k, v in self.headers.items()}
                if not path.startswith("/api/"):
                    self._send(404, "no_service", {})
                    return
                method = path.removeprefix("/api/")
                self._send(*fake._answer(method, headers, dict(parse_qsl(query))))

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("content-length") or 0))
                kind = self.headers.get("content-type", "")
                body = json.loads(raw or b"{}") if "json" in kind else dict(parse_qsl(raw.decode()))
                headers = {k.lower(): v for k, v in self.headers.items()}
                if self.path == WEBHOOK_PATH:
                    method = "webhook"
                elif self.path.startswith("/api/"):
                    method = self.path.removeprefix("/api/")
                elif self.path.startswith(RESPONSE_PATH):
                    method = self.path
                else:
                    self._send(404, "no_service", {})
                    return
                self._send(*fake._answer(method, headers, body))

            def _send(self, status: int, payload: Any, extra: dict[str, str]) -> None:
                text = payload if isinstance(payload, str) else json.dumps(payload)
                data = text.encode()
                try:
                    self.send_response(status)
                    kind = "text/plain" if isinstance(payload, str) else "application/json"
                    self.send_header("content-type", kind)
                    self.send_header("content-length", str(len(data)))
                    for key, value in extra.items():
                        self.send_header(key, value)
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeout): that is the point of a hang

            def log_message(self, format: str, *args: Any) -> None:
                pass  # tests read `requests`, not stderr

        return Handler
