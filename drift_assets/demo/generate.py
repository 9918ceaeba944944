"""Deterministic demo datasets whose daily batches drift on known days.

Three datasets, one batch a day, the same bytes on every machine (seeded by
dataset and day, no downloads). ``DEMO_EVENTS`` is the script: which day breaks
what, and which check must catch it. Most events are lasting changes: the data
stays changed, so the check keeps failing (a baseline never learns from a
failing batch) until someone accepts the new shape; ``DEMO_ACCEPTANCES`` says
who accepts what on which day. The e-mail null spike is an incident fixed the
next day, and passes again by itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20261122
ROWS_PER_DAY = 5_000
FIRST_DAY = date(2026, 11, 1)


@dataclass(frozen=True)
class DemoEvent:
    dataset: str
    day: int
    check: str
    what: str


@dataclass(frozen=True)
class DemoAcceptance:
    """After ``day``'s run, someone accepts ``dataset``'s latest batch as the new
    normal with ``drift-assets baseline accept``."""

    day: int
    dataset: str
    reason: str


DEMO_EVENTS: tuple[DemoEvent, ...] = (
    DemoEvent("orders", 5, "distribution_shift", "order amounts jump by about 35%"),
    DemoEvent(
        "customers",
        6,
        "null_rate",
        "a third of new customers arrive without e-mail (fixed next day)",
    ),
    DemoEvent("web_events", 8, "distribution_shift", "page latency doubles after a deploy"),
    DemoEvent("orders", 9, "distribution_shift", "a new country, BR, takes 6% of orders"),
    DemoEvent(
        "web_events",
        10,
        "row_count",
        "only one of the four export files arrives (complete again the next day)",
    ),
    DemoEvent("customers", 11, "schema_change", "column segment is renamed customer_tier"),
    DemoEvent("web_events", 12, "schema_change", "status_code arrives as text instead of numbers"),
)

DEMO_ACCEPTANCES: tuple[DemoAcceptance, ...] = (
    DemoAcceptance(7, "orders", "new price list: amounts are about 35% higher since day 5"),
)

DEMO_DATASETS = ("orders", "customers", "web_events")


def _rng(dataset: str, day: int) -> np.random.Generator:
    return np.random.default_rng([SEED, DEMO_DATASETS.index(dataset), day])


def _with_nulls(values: pd.Series, rate: float, rng: np.random.Generator) -> pd.Series:
    return values.mask(rng.random(len(values)) < rate)


def _date(day: int, on: date | None) -> date:
    """The calendar date of demo day ``day``: ``on`` when given (the demo plays
    real dates), else FIRST_DAY's calendar."""
    return on or FIRST_DAY + timedelta(days=day - 1)


def orders(day: int, rows: int = ROWS_PER_DAY, on: date | None = None) -> pd.DataFrame:
    rng = _rng("orders", day)
    countries = ["US", "DE", "GB", "FR", "NL"]
    shares = [0.40, 0.20, 0.15, 0.15, 0.10]
    if day >= 9:
        countries, shares = [*countries, "BR"], [s * 0.94 for s in shares] + [0.06]
    log_mean = 3.5 + (0.3 if day >= 5 else 0.0)
    start = pd.Timestamp(_date(day, on))
    return pd.DataFrame(
        {
            "order_id": np.arange(rows, dtype=np.int64) + (day - 1) * rows + 1,
            "customer_id": rng.integers(1, 20_000, rows),
            "amount": np.round(rng.lognormal(log_mean, 0.5, rows), 2),
            "quantity": rng.poisson(1.5, rows) + 1,
            "country": rng.choice(countries, rows, p=shares),
            "payment_method": rng.choice(
                ["card", "paypal", "bank_transfer"], rows, p=[0.7, 0.2, 0.1]
            ),
            "created_at": start + pd.to_timedelta(np.sort(rng.integers(0, 86_400, rows)), unit="s"),
            "is_gift": rng.random(rows) < 0.1,
        }
    )


def customers(day: int, rows: int = ROWS_PER_DAY, on: date | None = None) -> pd.DataFrame:
    rng = _rng("customers", day)
    ids = np.arange(rows, dtype=np.int64) + (day - 1) * rows + 1
    age = np.clip(np.round(rng.normal(38, 12, rows)), 18, 95).astype(np.int64)
    email_null_rate = 0.35 if day == 6 else 0.01
    frame = pd.DataFrame(
        {
            "customer_id": ids,
            "email": _with_nulls(
                pd.Series([f"user{i}@example.com" for i in ids]), email_null_rate, rng
            ),
            "phone": _with_nulls(pd.Series([f"+1555{i:07d}" for i in ids]), 0.02, rng),
            "age": age,
            "birth_date": [FIRST_DAY.replace(year=FIRST_DAY.year - int(a)) for a in age],
            "segment": rng.choice(["consumer", "smb", "enterprise"], rows, p=[0.6, 0.3, 0.1]),
            "lifetime_value": np.round(rng.gamma(2.0, 150.0, rows), 2),
            "marketing_opt_in": rng.random(rows) < 0.35,
        }
    )
    if day >= 11:
        frame = frame.rename(columns={"segment": "customer_tier"})
    return frame


def web_events(day: int, rows: int = ROWS_PER_DAY) -> pd.DataFrame:
    rng = _rng("web_events", day)
    latency_sigma = 0.9 if day >= 8 else 0.5
    latency_mean = 5.0 + (0.6 if day >= 8 else 0.0)
    status = rng.choice([200, 304, 404, 500], rows, p=[0.9, 0.05, 0.03, 0.02])
    return pd.DataFrame(
        {
            "session_id": [
                f"s{day:03d}-{i:06d}-{v:08x}" for i, v in enumerate(rng.integers(0, 2**32, rows))
            ],
            "page": rng.choice(
                ["home", "search", "product", "cart", "checkout"],
                rows,
                p=[0.3, 0.25, 0.25, 0.12, 0.08],
            ),
            "device": rng.choice(["mobile", "desktop", "tablet"], rows, p=[0.55, 0.4, 0.05]),
            "latency_ms": np.round(rng.lognormal(latency_mean, latency_sigma, rows), 1),
            "status_code": status.astype(str) if day >= 12 else status,
            "bytes_sent": rng.integers(500, 200_000, rows),
        }
    )


GENERATORS = {"orders": orders, "customers": customers, "web_events": web_events}

# Where each batch goes, relative to the demo folder; datasets.yaml reads these.
_WEB_EVENT_PARTS = 4
# The day web_events' export delivers its first part only: a quarter of the rows.
_PARTIAL_EXPORT_DAY = 10


def write_day(day: int, folder: Path, on: date, rows: int = ROWS_PER_DAY) -> None:
    """Write every dataset's batch for demo day ``day`` as the daily partition of
    date ``on`` (its files are named by the date; datasets.yaml reads them)."""
    key = on.isoformat()
    (folder / "orders").mkdir(parents=True, exist_ok=True)
    orders(day, rows, on).to_csv(folder / "orders" / f"{key}.csv", index=False)

    (folder / "customers").mkdir(parents=True, exist_ok=True)
    customers(day, rows, on).to_parquet(folder / "customers" / f"{key}.parquet", index=False)

    events_dir = folder / "web_events" / key
    events_dir.mkdir(parents=True, exist_ok=True)
    for old in events_dir.glob("part-*.parquet"):
        old.unlink()
    events = web_events(day, rows)
    bounds = np.linspace(0, len(events), _WEB_EVENT_PARTS + 1).astype(int)
    for part, (start, stop) in enumerate(zip(bounds[:-1], bounds[1:], strict=True)):
        if day == _PARTIAL_EXPORT_DAY and part > 0:
            break
        events.iloc[start:stop].to_parquet(events_dir / f"part-{part}.parquet", index=False)
