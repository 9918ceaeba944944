"""The ``alerts:`` section of the dataset file: where alerts go, whom they mention,
and how often they may repeat."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from datetime import timedelta
from fnmatch import fnmatchcase

from pydantic import Field, field_validator, model_validator

from drift_assets.settings.severity import Severity
from drift_assets.settings.sinks import SLACK_SINK, SinkConfig
from drift_assets.settings.strict import Strict
from drift_assets.settings.times import Duration

# Overrides the dataset file's webserver_url: where the "View in Dagster" links point.
WEBSERVER_ENV_VAR = "DAGSTER_WEBSERVER_URL"

# Slack ids: U/W users, S user groups; names are mapped through `alerts.owners`.
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
_GROUP_ID = re.compile(r"^S[A-Z0-9]{2,}$")
_SPECIAL_MENTIONS = {"here": "<!here>", "channel": "<!channel>", "everyone": "<!everyone>"}


class Escalating(Strict):
    """Who hears of an ERROR nobody acknowledged: once per failure episode, after
    ``escalate_after``, a message in ``escalate_to`` (a channel; default: the
    alert's thread) mentioning ``escalate_mentions`` (an on-call group). Set at the
    top level, it serves every route; a route's own fields override it."""

    escalate_after: Duration | None = None
    escalate_to: str | None = None
    escalate_mentions: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _positive_escalation(self) -> Escalating:
        if self.escalate_after is not None and self.escalate_after <= timedelta(0):
            raise ValueError("escalate_after must be a positive duration")
        return self


class Route(Escalating):
    """Alerts of matching datasets, assets or owners go to ``channel`` through ``sink``.

    Patterns may use shell wildcards (``sales_*``). A route with no matcher
    matches nothing; the first matching route wins. ``to_owners``: each dataset's
    alerts go to its first owner's channel (``alerts.owner_channels``) instead.
    """

    channel: str
    datasets: tuple[str, ...] = ()
    assets: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    min_severity: Severity = Severity.WARN
    mentions: tuple[str, ...] = ()
    to_owners: bool = False
    sink: str = SLACK_SINK

    def matches(self, *, dataset: str | None, asset_key: str, owners: tuple[str, ...]) -> bool:
        return (
            (dataset is not None and any(fnmatchcase(dataset, p) for p in self.datasets))
            or any(fnmatchcase(asset_key, p) for p in self.assets)
            or any(fnmatchcase(o, p) for o in owners for p in self.owners)
        )


class AlertsConfig(Escalating):
    # Where alerts go when no route and no dataset `channel` says otherwise; the
    # escalation fields here serve those alerts too.
    channel: str = "#drift-alerts"
    min_severity: Severity = Severity.WARN
    mentions: tuple[str, ...] = ()
    sink: str = SLACK_SINK
    routes: tuple[Route, ...] = ()
    # Owner names used in datasets (`owners:`) -> Slack user (U...) or group (S...) id.
    owners: dict[str, str] = Field(default_factory=dict)
    # Owner names -> their team's channel, for routes with `to_owners: true`.
    owner_channels: dict[str, str] = Field(default_factory=dict)
    # Sinks besides Slack, by name: {webhook: {url, secret_env}} or {class: module:Class}.
    sinks: dict[str, SinkConfig] = Field(default_factory=dict)
    # Besides a dataset's owners, who may accept a new baseline from Slack (owner
    # names or Slack user ids).
    baseline_approvers: tuple[str, ...] = ()
    # A check that keeps failing is announced again at most this often.
    repeat_interval: Duration = timedelta(hours=4)
    # At most `per_asset_limit` alerts per asset and `channel_limit` per channel in
    # each `window`; the rest go into one digest per channel and window.
    per_asset_limit: int = Field(10, ge=1)
    channel_limit: int | None = Field(30, ge=1)
    window: Duration = timedelta(hours=1)
    # Links point at this Dagster webserver; DAGSTER_WEBSERVER_URL overrides it.
    webserver_url: str = "http://localhost:3000"
    # An undelivered alert older than this is reported as stale.
    stale_after: Duration = timedelta(minutes=15)
    # A tick stops sending (and sleeping) after this long; the rest waits.
    tick_budget: Duration = timedelta(seconds=40)
    # On its very first tick the sensor looks back this far for evaluations.
    initial_lookback: Duration = timedelta(hours=1)

    @model_validator(mode="after")
    def _escalations_have_a_time(self) -> AlertsConfig:
        for where, part in [("", self), *((f"routes.{r.channel}: ", r) for r in self.routes)]:
            after = part.escalate_after or self.escalate_after
            if after is None and (part.escalate_to or part.escalate_mentions):
                raise ValueError(
                    f"{where}escalate_to and escalate_mentions need escalate_after"
                    " (on the route or at the top level)"
                )
        return self

    @model_validator(mode="after")
    def _known_sinks(self) -> AlertsConfig:
        for where, name in [
            ("sink", self.sink),
            *((f"routes.{r.channel}.sink", r.sink) for r in self.routes),
        ]:
            if name != SLACK_SINK and name not in self.sinks:
                known = ", ".join([SLACK_SINK, *sorted(self.sinks)])
                raise ValueError(f"{where}: no sink named {name!r} (known: {known})")
        return self

    def webserver(self) -> str:
        """The base of the links to Dagster: the environment's, else the file's."""
        return os.environ.get(WEBSERVER_ENV_VAR) or self.webserver_url

    @field_validator("repeat_interval", "window", "stale_after", "tick_budget", "initial_lookback")
    @classmethod
    def _positive(cls, value: timedelta) -> timedelta:
        if value <= timedelta(0):
            raise ValueError("must be a positive duration")
        return value

    def known_dataset_names(self) -> set[str]:
        """Dataset names routes spell out literally (no wildcard), for typo checks."""
        return {n for r in self.routes for n in r.datasets if not any(c in n for c in "*?[")}


@dataclass(frozen=True)
class Escalation:
    after: timedelta
    channel: str | None  # None: in the alert's thread
    mentions: tuple[str, ...]  # Slack form


@dataclass(frozen=True)
class ResolvedRoute:
    channel: str
    min_severity: Severity
    mentions: tuple[str, ...]  # already in Slack's <@U..> / <!subteam^S..> form
    owners: tuple[str, ...] = ()  # the dataset's owner names, for digests
    sink: str = SLACK_SINK
    escalation: Escalation | None = None


def resolve_route(
    config: AlertsConfig,
    *,
    asset_key: str,
    dataset: str | None,
    dataset_channel: str | None,
    owners: tuple[str, ...],
) -> ResolvedRoute:
    """The first matching route, else the dataset's own channel, else the default;
    owners are mentioned on every route."""
    owner_mentions = tuple(m for o in owners if (m := _mention(config.owners.get(o, o))))
    for route in config.routes:
        if route.matches(dataset=dataset, asset_key=asset_key, owners=owners):
            owner_channel = next(
                (config.owner_channels[o] for o in owners if o in config.owner_channels), None
            )
            return ResolvedRoute(
                (route.to_owners and owner_channel) or route.channel,
                route.min_severity,
                _mentions(route.mentions, config, owner_mentions),
                owners,
                route.sink,
                _escalation(route, config),
            )
    return ResolvedRoute(
        dataset_channel or config.channel,
        config.min_severity,
        _mentions(config.mentions, config, owner_mentions),
        owners,
        config.sink,
        _escalation(config, config),
    )


def baseline_approvers(
    config: AlertsConfig, owners: tuple[str, ...]
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Who may accept a dataset's new baseline: (the names as written: its owners and
    the configured approvers; the Slack user or group ids they map to)."""
    names = tuple(dict.fromkeys([*owners, *config.baseline_approvers]))
    ids = (config.owners.get(n, n).strip().lstrip("@") for n in names)
    return names, tuple(dict.fromkeys(i for i in ids if _USER_ID.match(i) or _GROUP_ID.match(i)))


def _escalation(route: Escalating, config: AlertsConfig) -> Escalation | None:
    """A route's escalation; each field it leaves unset comes from the top level."""
    after = route.escalate_after or config.escalate_after
    if after is None:
        return None
    return Escalation(
        after,
        route.escalate_to or config.escalate_to,
        _mentions(route.escalate_mentions or config.escalate_mentions, config, ()),
    )


def _mentions(
    names: tuple[str, ...], config: AlertsConfig, extra: tuple[str, ...]
) -> tuple[str, ...]:
    mentions = [m for n in names if (m := _mention(config.owners.get(n, n)))]
    return tuple(dict.fromkeys([*mentions, *extra]))


def _mention(ident: str) -> str | None:
    ident = ident.strip().lstrip("@")
    if ident in _SPECIAL_MENTIONS:
        return _SPECIAL_MENTIONS[ident]
    if _USER_ID.match(ident):
        return f"<@{ident}>"
    if _GROUP_ID.match(ident):
        return f"<!subteam^{ident}>"
    # A name with no Slack id (an e-mail, a team name) cannot be mentioned.
    return None
