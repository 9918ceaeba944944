"""The tests' router loop on a fake clock: route, record in a real DuckDB outbox, and
deliver to real sinks (the local Slack stand-in, a local webhook receiver), the way
the sensor chains them, one tick at a time."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta

from drift_assets.alerts.actions import Action
from drift_assets.alerts.router import route
from drift_assets.settings.alert_routes import AlertsConfig, ResolvedRoute, resolve_route
from drift_assets.slack.delivery import SlackTarget
from drift_assets.slack.dispatch import DispatchReport, dispatch
from drift_assets.slack.sinks import Sink
from drift_assets.store import DriftStore
from drift_assets.store.action_log import ActionLog, ActionRequest
from drift_assets.store.outbox import Outbox

T0 = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
_REQUESTS = itertools.count(1)
WEB = "http://dagster.example:3000"


class Clock:
    """Fake time: sleeping advances it, and every sleep is recorded."""

    def __init__(self, at: datetime = T0):
        self.at = at
        self.slept: list[float] = []

    def __call__(self) -> datetime:
        return self.at

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.at += timedelta(seconds=seconds)


class RouterLoop:
    def __init__(
        self,
        path,
        clock: Clock,
        config: AlertsConfig,
        *,
        slack: SlackTarget | None = None,
        sinks: Mapping[str, Sink] | None = None,
        owners: Callable[[str], tuple[str, ...]] = lambda key: ("U0OWNER",),
    ):
        self.store = DriftStore(path)
        self.outbox = Outbox(self.store)
        self.clock, self.config, self.slack, self.owners = clock, config, slack, owners
        self.sinks = dict(sinks or {})

    def route_of(self, key: str) -> ResolvedRoute:
        return resolve_route(
            self.config, asset_key=key, dataset=key, dataset_channel=None, owners=self.owners(key)
        )

    def tick(self, events=(), *, after: timedelta = timedelta(0)) -> DispatchReport:
        self.clock.at += after
        now = self.clock()
        known = self.outbox.known([e.key for e in events])
        fresh = [e for e in events if e.key not in known]
        memory = self.outbox.memory(now, self.config.window)
        self.outbox.record(route(fresh, memory, self.config, self.route_of, now))
        deadline = now + self.config.tick_budget
        remaining = lambda: (deadline - self.clock()).total_seconds()  # noqa: E731
        sinks = dict(self.sinks)
        if self.slack is not None:
            sinks["slack"] = self.slack.sender(remaining)
        return dispatch(
            self.outbox,
            sinks,
            webserver=WEB,
            clock=self.clock,
            sleep=self.clock.sleep,
            deadline=deadline,
        )

    def act(self, action: Action, asset="orders", check="null_rate", **kw):
        """A person's action on the class's first message, through the store."""
        state = self.outbox.state(asset, check)
        log = ActionLog(self.store)
        alert = log.alert(key=state.root_key)
        request = ActionRequest(
            f"test:{next(_REQUESTS)}",  # each action its own request
            "cli",
            action,
            "cli:ana",
            self.clock(),
            **kw,
        )
        return log.apply(request, alert)
