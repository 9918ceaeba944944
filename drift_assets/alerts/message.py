"""Slack messages for alerts, repeats, resolved notices and digests (Block Kit, pure).

Blocks go in one coloured attachment so severity shows as a colour bar as well
as emoji and word; the top-level ``text`` is the fallback notifications read, so
it carries the mentions. Every limit Slack enforces is respected here, with
truncation that says how much was left out.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from drift_assets.alerts.action_buttons import action_buttons
from drift_assets.alerts.events import FRESHNESS, MATERIALIZATION, CheckEvent
from drift_assets.alerts.router import AlertState, HeldAlert, Kind
from drift_assets.checks.verdict import accept_hint
from drift_assets.settings.severity import Severity
from drift_assets.settings.times import when

MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FIELDS = 10
MAX_FIELD = 2000
MAX_TEXT = 3000  # Slack allows more, but notifications show only the start
_MAX_COLUMN_LINES = 10
_MAX_METRIC_LINES = 10
_MAX_DIGEST_SECTIONS = 40
# How each severity looks in Slack: the attachment's colour bar and an emoji.
COLOUR = {Severity.INFO: "#36a64f", Severity.WARN: "#ff9800", Severity.ERROR: "#d32f2f"}
EMOJI = {
    Severity.INFO: ":large_green_circle:",
    Severity.WARN: ":large_orange_circle:",
    Severity.ERROR: ":red_circle:",
}
_TITLE_SUFFIX = {
    Kind.REPEAT: " (still failing)",
    Kind.RESOLVED: " (resolved)",
    Kind.ESCALATION: " (escalated: not acknowledged)",
    Kind.REMINDER: " (snooze ended, still failing)",
}
_VERB = {
    Kind.ALERT: "failed",
    Kind.REPEAT: "is still failing",
    Kind.RESOLVED: "passes again",
    Kind.ESCALATION: "is failing and nobody has acknowledged it",
    Kind.REMINDER: "is still failing after its snooze",
}
ACTIONS_BLOCK_ID = "drift_alert_actions"  # Slack action handlers find buttons by these ids
VIEW_ACTION_ID = "view_in_dagster"


@dataclass(frozen=True)
class Message:
    text: str
    blocks: tuple[dict[str, Any], ...]
    colour: str

    def payload(self) -> dict[str, Any]:
        """Keyword arguments for chat.postMessage / chat.update / an incoming webhook."""
        return {
            "text": self.text,
            "attachments": [
                {"color": self.colour, "fallback": self.text, "blocks": list(self.blocks)}
            ],
        }


def check_url(webserver: str, asset_key: str, check_name: str) -> str:
    path = "/".join(quote(part, safe="") for part in asset_key.split("/"))
    if check_name in (MATERIALIZATION, FRESHNESS):  # not a check: the asset's own page
        return f"{webserver.rstrip('/')}/assets/{path}"
    check = quote(check_name, safe="")
    return f"{webserver.rstrip('/')}/assets/{path}?view=checks&checkDetail={check}"


def run_url(webserver: str, run_id: str) -> str:
    return f"{webserver.rstrip('/')}/runs/{run_id}"


def alert_message(
    event: CheckEvent,
    kind: Kind,
    severity: Severity,
    *,
    webserver: str,
    mentions: Sequence[str] = (),
    state: AlertState | None = None,
    actions: bool = False,
    reason: str | None = None,
) -> Message:
    """The message for one evaluation; ``state`` adds a 'now' line (root updates);
    ``actions`` adds the buttons people answer with (when an endpoint serves them);
    ``reason`` says why an escalation or reminder is sent."""
    title = f"{EMOJI[severity]} Drift alert: {severity}" + _TITLE_SUFFIX.get(kind, "")
    subject = f"{event.asset_key} / {event.check_name}"
    if event.partition:  # the text fallback is all a phone notification shows
        subject += f" (partition {event.partition})"
    text = " ".join([*mentions, f"{EMOJI[severity]} {severity}: {_esc(subject)} {_VERB[kind]}"])
    if reason and kind in (Kind.ESCALATION, Kind.REMINDER):
        text += f" ({_esc(reason)})"
    if event.description:
        text += f": {_esc(event.description)}"

    fields = [
        f"*Asset*\n`{_esc(event.asset_key)}`",
        f"*Check*\n{_esc(event.check_name)}",
        f"*Severity*\n{EMOJI[severity]} {severity}",
    ]
    if event.run_id:  # a freshness change of a never-materialized asset has no run
        fields.append(f"*Run*\n<{run_url(webserver, event.run_id)}|{event.run_id[:8]}>")
    if event.partition:
        fields.append(f"*Partition*\n{_esc(event.partition)}")
    if event.of_partitions:
        failed = len(event.failed_partitions)
        worst = event.metrics.get("worst partition")
        line = f"{failed} of {event.of_partitions} failed" + (f" (worst: {worst})" if worst else "")
        fields.append(f"*Partitions*\n{_esc(line)}")
    blocks: list[dict[str, Any]] = [
        _header(title),
    ]
    if state is not None:
        blocks.append(_section(f"*Now:* {_now_line(state)}"))
    blocks.append(
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": _clip(f, MAX_FIELD)} for f in fields[:MAX_FIELDS]
            ],
        }
    )
    if event.description:
        blocks.append(_section(_esc(event.description)))
    failing = [c for c in event.columns if c.result != "ok"]
    if failing and not event.passed:
        order = {"ERROR": 0, "WARN": 1}
        lines = [
            f"• `{_esc(c.column)}` *{_esc(c.result)}*: {_esc(c.summary)}"
            for c in sorted(failing, key=lambda c: order.get(c.result, 2))
        ]
        blocks.append(_section(_listing("*Worst columns*", lines, _MAX_COLUMN_LINES, "columns")))
    elif event.metrics and not event.columns:
        lines = [f"• {_esc(k)}: {_esc(_fmt(v))}" for k, v in event.metrics.items()]
        blocks.append(_section(_listing("*Metadata*", lines, _MAX_METRIC_LINES, "entries")))
    if not event.passed and kind is not Kind.RESOLVED and event.baseline:
        # Drift checks (they compare with a baseline): a wanted change is accepted.
        blocks.append(
            _section(f"*Next step:* {_esc(accept_hint(event.asset_key, event.partition))}")
        )
    context = [f"Evaluated {when(event.evaluated_at)}"]
    if event.baseline:
        context.append(f"baseline: {_esc(event.baseline)}")
    blocks.append(
        {
            "type": "context",
            "elements": [{"type": "mrkdwn", "text": _clip(" · ".join(context), 3000)}],
        }
    )
    blocks.append(
        {
            "type": "actions",
            "block_id": ACTIONS_BLOCK_ID,
            "elements": [
                *(action_buttons(event, state) if actions and kind is not Kind.RESOLVED else ()),
                {
                    "type": "button",
                    "action_id": VIEW_ACTION_ID,
                    "text": {"type": "plain_text", "text": "View in Dagster"},
                    "url": check_url(webserver, event.asset_key, event.check_name),
                },
            ],
        }
    )
    colour = COLOUR[Severity.INFO if state is not None and not state.firing else severity]
    return Message(_clip(text, MAX_TEXT), tuple(blocks[:MAX_BLOCKS]), colour)


def digest_message(channel: str, held: Sequence[HeldAlert], *, webserver: str) -> Message:
    """One message listing what the limits held back in ``channel``, by owner."""
    worst = max((h.severity for h in held), key=lambda s: s.rank)
    noun = "failing check" if len(held) == 1 else "failing checks"
    title = f"{EMOJI[worst]} Drift digest: {len(held)} more {noun}"
    names = ", ".join(f"{h.asset_key}/{h.check_name}" for h in held[:10])
    more = f" and {len(held) - 10} more" if len(held) > 10 else ""
    text = f"{len(held)} more {noun} in {channel} (held back by rate limits): {names}{more}"
    by_owner: dict[str, list[HeldAlert]] = {}
    for h in held:
        by_owner.setdefault(", ".join(h.owners) or "no owner", []).append(h)
    lines = []
    for owner, alerts in by_owner.items():
        if len(by_owner) > 1 or owner != "no owner":
            lines.append(f"*{_esc(owner)}* ({len(alerts)})")
        lines += [
            f"• {EMOJI[h.severity]} <{check_url(webserver, h.asset_key, h.check_name)}|"
            f"{_esc(h.asset_key)} / {_esc(h.check_name)}> {h.severity}"
            + (f": {_esc(_clip(h.description, 150))}" if h.description else "")
            for h in alerts
        ]
    blocks: list[dict[str, Any]] = [
        _header(title),
        _section("Held back by the alert limits; each check's own page has the details."),
    ]
    sections: list[list[str]] = []
    chunk: list[str] = []
    shown = 0
    for line in lines:
        if chunk and len("\n".join([*chunk, line])) > MAX_SECTION - 100:
            sections.append(chunk)
            chunk = []
            if len(sections) == _MAX_DIGEST_SECTIONS:
                break
        chunk.append(line)
        shown += 1
    else:
        sections.append(chunk)
    blocks.extend(_section("\n".join(c)) for c in sections)
    if shown < len(lines):
        blocks.append(_section(f"_… and {len(lines) - shown} more_"))
    return Message(_clip(text, MAX_TEXT), tuple(blocks[:MAX_BLOCKS]), COLOUR[worst])


def _now_line(state: AlertState) -> str:
    if not state.firing:
        return "resolved"
    line = f"failing since {when(state.since)} ({state.failures} failed evaluations)"
    if state.acknowledged_at:
        line += f"; acknowledged by {_esc(state.acknowledged_by or 'someone')}"
    if state.snoozed_until:
        line += f"; snoozed until {when(state.snoozed_until)}"
    return line


def _listing(title: str, lines: Sequence[str], max_lines: int, noun: str) -> str:
    shown: list[str] = []
    for line in lines[:max_lines]:
        if len("\n".join([title, *shown, line])) > MAX_SECTION - 40:
            break
        shown.append(line)
    body = "\n".join([title, *shown])
    if len(shown) < len(lines):
        body += f"\n_… and {len(lines) - len(shown)} more {noun}_"
    return body


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": _clip(text, MAX_HEADER)}}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": _clip(text, MAX_SECTION)}}


def _clip(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    left_out = len(text) - limit
    while True:  # the suffix's own length changes how much is left out
        suffix = f"… and {left_out} more characters"
        keep = limit - len(suffix)
        if len(text) - keep == left_out:
            return text[:keep] + suffix
        left_out = len(text) - keep


def _esc(text: str) -> str:
    """Slack mrkdwn control characters, so '<' in a description is not a link."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _fmt(value: object) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)
