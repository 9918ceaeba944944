"""Slack's Block Kit limits hold for any input, and what is cut says how much:
50 blocks, 3000-character sections, a 150-character header, 10 fields of 2000,
and a plain-text fallback always set."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from drift_assets.alerts.events import CheckEvent, ColumnLine
from drift_assets.alerts.message import alert_message, check_url, digest_message
from drift_assets.alerts.router import HeldAlert, Kind
from drift_assets.settings.severity import Severity

AT = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)


def within_limits(message) -> None:
    blocks = message.payload()["attachments"][0]["blocks"]
    assert message.text and len(blocks) <= 50
    for block in blocks:
        if block["type"] == "header":
            assert len(block["text"]["text"]) <= 150
        if block.get("text"):
            assert len(block["text"]["text"]) <= 3000
        assert len(block.get("fields", ())) <= 10
        assert all(len(f["text"]) <= 2000 for f in block.get("fields", ()))


def test_a_huge_check_result_is_cut_to_slack_limits_saying_how_much():
    event = CheckEvent(
        7,
        "r" * 40,
        "warehouse/" + "x" * 3000,
        "c" * 300,
        False,
        "ERROR",
        AT,
        description="d" * 5000,
        partition="p" * 2500,
        columns=tuple(ColumnLine(f"col_{i}", "WARN", "s" * 400) for i in range(500)),
    )
    message = alert_message(event, Kind.ALERT, Severity.ERROR, webserver="http://w")
    within_limits(message)
    blocks = message.blocks
    assert blocks[2]["text"]["text"].endswith("… and 2026 more characters")
    assert blocks[3]["text"]["text"].endswith("\n_… and 493 more columns_")


def test_a_digest_of_hundreds_stays_within_limits_and_counts_the_rest():
    held = [
        HeldAlert(f"k{i}", f"asset_{i}", "null_rate", Severity.WARN, "r", "x" * 300)
        for i in range(1000)
    ]
    message = digest_message("#c", held, webserver="http://w")
    within_limits(message)
    assert message.blocks[0]["text"]["text"] == (
        ":large_orange_circle: Drift digest: 1000 more failing checks"
    )
    assert message.blocks[-1]["text"]["text"].startswith("_… and ")
    listed = sum(b["text"]["text"].count("• ") for b in message.blocks[2:-1])
    assert message.blocks[-1]["text"]["text"] == f"_… and {1000 - listed} more_"
    assert message.text.endswith("and 990 more")


@pytest.mark.parametrize(
    "key, check, url",
    [
        ("orders", "null_rate", "http://w/assets/orders?view=checks&checkDetail=null_rate"),
        # key parts and check names are URL-escaped, the path separator is kept
        ("raw/o rders", "a&b", "http://w/assets/raw/o%20rders?view=checks&checkDetail=a%26b"),
    ],
)
def test_view_in_dagster_links_to_the_checks_page(key, check, url):
    assert check_url("http://w/", key, check) == url


def test_mrkdwn_in_check_text_cannot_forge_links_or_mentions():
    event = CheckEvent(
        1, "r", "a", "c", False, "WARN", AT, description="<!channel> <http://evil|x>"
    )
    message = alert_message(event, Kind.ALERT, Severity.WARN, webserver="http://w")
    assert message.blocks[2]["text"]["text"] == "&lt;!channel&gt; &lt;http://evil|x&gt;"
    assert message.text.endswith("a / c failed: &lt;!channel&gt; &lt;http://evil|x&gt;")


def test_a_drift_alert_suggests_accepting_a_wanted_change():
    event = CheckEvent(
        1, "r" * 40, "customers", "schema_change", False, "ERROR", AT,
        description="1 column removed: segment", baseline="previous: profile #3",
    )
    blocks = alert_message(event, Kind.ALERT, Severity.ERROR, webserver="http://w").blocks
    assert {"type": "section", "text": {"type": "mrkdwn", "text": (
        "*Next step:* if this change is intended: Accept as new baseline (Slack), or"
        " `drift-assets baseline accept customers`"
    )}} in blocks
    resolved = alert_message(replace(event, passed=True), Kind.RESOLVED, Severity.ERROR, webserver="http://w")
    assert "Next step" not in str(resolved.blocks)
