"""Draws a ``Trend`` with Vega-Altair: the metric as a line, each point coloured
by the verdict of the check that judged it, the warn and error thresholds as
dashed lines; saved as PNG or SVG (rendered by vl-convert, no browser) or as a
self-contained interactive HTML page."""

from __future__ import annotations

from pathlib import Path

import altair as alt
import pandas as pd

from drift_assets.reports.trends import Trend

CHART_FORMATS = (".png", ".svg", ".html")
_RESULT_COLOURS = {"PASS": "#2e7d32", "WARN": "#ef8c00", "ERROR": "#c62828", "no check": "#9e9e9e"}
_TIER_COLOURS = {"warn": _RESULT_COLOURS["WARN"], "error": _RESULT_COLOURS["ERROR"]}


def trend_chart(trend: Trend, *, width: int = 720, height: int = 300) -> alt.LayerChart:
    value_format = ".1%" if trend.is_fraction else ",.4~g"
    points = pd.DataFrame(
        {
            "time": [p.at.replace(tzinfo=None) for p in trend.points],
            "value": [p.value for p in trend.points],
            "profile": [f"#{p.profile_id}" for p in trend.points],
            "result": [p.result or "no check" for p in trend.points],
        }
    )
    present = set(points["result"])
    shown = [r for r in _RESULT_COLOURS if r in present]
    x = alt.X("time:T", title="profiled at (UTC)", axis=alt.Axis(labelOverlap=True))
    y = alt.Y("value:Q", title=_axis_title(trend), axis=alt.Axis(format=value_format))
    line = alt.Chart(points).mark_line(color="#455a64").encode(x=x, y=y)
    dots = (
        alt.Chart(points)
        .mark_point(filled=True, size=70, opacity=1)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "result:N",
                title=trend.check or "checks",
                scale=alt.Scale(domain=shown, range=[_RESULT_COLOURS[r] for r in shown]),
            ),
            tooltip=[
                alt.Tooltip("time:T", title="profiled at (UTC)", format="%Y-%m-%d %H:%M"),
                alt.Tooltip("value:Q", title=trend.metric, format=value_format),
                alt.Tooltip("profile:N"),
                alt.Tooltip("result:N"),
            ],
        )
    )
    layers: list[alt.Chart] = [line, *_threshold_layers(trend, x, y), dots]
    return alt.layer(*layers).properties(
        title=alt.TitleParams(trend.title, subtitle=_subtitle(trend), anchor="start"),
        width=width,
        height=height,
    )


def save_chart(chart: alt.LayerChart, path: Path) -> None:
    """PNG and SVG are rendered offline; HTML inlines Vega's scripts so the page
    opens without a network."""
    suffix = path.suffix.lower()
    if suffix not in CHART_FORMATS:
        raise ValueError(f"{path}: choose a .png, .svg or .html file")
    if suffix == ".html":
        chart.save(str(path), format="html", inline=True)
    elif suffix == ".png":
        chart.save(str(path), format="png", scale_factor=2)
    else:
        chart.save(str(path), format="svg")


def _threshold_layers(trend: Trend, x: alt.X, y: alt.Y) -> list[alt.Chart]:
    layers = []
    moving = [p for p in trend.points if p.warn_at is not None or p.error_at is not None]
    for tier in ("warn", "error"):
        colour = _TIER_COLOURS[tier]
        if moving:
            frame = pd.DataFrame(
                {
                    "time": [p.at.replace(tzinfo=None) for p in moving],
                    "value": [getattr(p, f"{tier}_at") for p in moving],
                }
            ).dropna()
            if frame.empty:
                continue
            layers.append(
                alt.Chart(frame)
                .mark_line(strokeDash=[6, 4], color=colour, interpolate="step-before")
                .encode(x=x, y=y)
            )
            continue
        level = trend.warn if tier == "warn" else trend.error
        if level is None:
            continue
        rule = pd.DataFrame({"value": [level], "label": [f"{tier} {_show(level, trend)}"]})
        base = alt.Chart(rule)
        layers.append(base.mark_rule(strokeDash=[6, 4], color=colour).encode(y="value:Q"))
        layers.append(
            base.mark_text(align="left", dx=4, dy=-6, color=colour).encode(
                y="value:Q", x=alt.value(0), text="label:N"
            )
        )
    return layers


def _axis_title(trend: Trend) -> str:
    return f"{trend.metric} ({trend.column})" if trend.column else trend.metric


def _subtitle(trend: Trend) -> str:
    if any(p.warn_at is not None or p.error_at is not None for p in trend.points):
        return (
            f"{len(trend.points)} points; dashed: the null rate allowed at each batch"
            " (its baseline's plus the warn and error increase)"
        )
    tiers = [
        f"{name} {_show(level, trend)}"
        for name, level in (("warn", trend.warn), ("error", trend.error))
        if level is not None
    ]
    if not tiers:
        return f"{len(trend.points)} points; no threshold applies to this metric"
    judge = trend.check or "the check"
    return f"{len(trend.points)} points; dashed: {' and '.join(tiers)} ({judge}, latest policy)"


def _show(level: float, trend: Trend) -> str:
    return f"{level:.1%}" if trend.is_fraction else f"{level:g}"
