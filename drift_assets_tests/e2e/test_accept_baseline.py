"""A baseline never learns from a failing batch: a lasting change keeps failing under
every strategy but `latest` until a person accepts it (`drift-assets baseline
accept`), then the next batch passes and the router sends "resolved" once. Real
profiling and checks over DataFrames, a real DuckDB store, no Dagster."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from drift_assets.alerts.events import CheckEvent
from drift_assets.alerts.router import Kind, Memory, Status, route
from drift_assets.cli import main
from drift_assets.evaluation import evaluate_batch, resolve_baseline
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.alert_routes import AlertsConfig, resolve_route
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore
from drift_assets_tests.builders import numeric_column, outcome, profile

ROWS = 2_000


def batch(day: int, shift_sd: float) -> pd.DataFrame:
    """Order amounts (mean 100, SD 15) moved by ``shift_sd`` standard deviations."""
    rng = np.random.default_rng([7, day])
    return pd.DataFrame({"amount": rng.normal(100 + 15 * shift_sd, 15, ROWS)})


def evaluate(store: DriftStore, strategy: str, day: int, shift_sd: float):
    return evaluate_batch(
        store,
        dataset="orders",
        asset_key="orders",
        policy=DriftPolicy(baseline=strategy),
        run_id=f"day-{day}",
        profiler=lambda ref: profile_dataframe(batch(day, shift_sd), "orders", reference=ref),
    )


def accept_latest(store: DriftStore) -> str:
    result = CliRunner().invoke(main, ["baseline", "accept", "orders", "--db", str(store.path)])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture
def store(tmp_path):
    return DriftStore(tmp_path / "drift.duckdb", lock_timeout=5)


# Day by day: the batch's shift in SD, and whether someone accepts it after the run.
LASTING = [(0, False), (0, False), (1, False), (1, False), (1, True), (1, False), (1, False)]


@pytest.mark.parametrize(
    "strategy, days, passed",
    [
        # the change fails until accepted (after day 5), then passes
        ("previous", LASTING, [True, True, False, False, False, True, True]),
        # pooled from passing batches only; after the accept the pool restarts at it
        ("rolling:3", LASTING, [True, True, False, False, False, True, True]),
        # the first batch is pinned; accepting replaces the pin
        ("pinned", LASTING, [True, True, False, False, False, True, True]),
        # the old step-change baseline: fails once, then compares with the changed data
        ("latest", LASTING, [True, True, False, True, True, True, True]),
        # an incident fixed the next day recovers by itself: day 4 is compared with day 2
        ("previous", [(0, False), (0, False), (1, False), (0, False), (0, False)], [True] * 2 + [False] + [True] * 2),
        # nothing accepted: every changed batch fails, the baseline stays day 2's
        ("previous", [(0, False), (0, False)] + [(1, False)] * 4, [True, True] + [False] * 4),
    ],
)  # fmt: skip
def test_a_lasting_change_fails_until_it_is_accepted(store, strategy, days, passed):
    seen = []
    for day, (shift, accept) in enumerate(days, start=1):
        evaluation = evaluate(store, strategy, day, shift)
        seen.append(all(o.passed for o in evaluation.outcomes))
        if accept:
            assert "accepted as the new baseline of orders" in accept_latest(store)
    assert seen == passed


def test_failing_batches_are_never_pooled_and_the_accepted_one_restarts_the_pool(store):
    for day, shift in enumerate([0, 0, 0, 1, 1], start=1):
        evaluate(store, "rolling:3", day, shift)
    # profiles 4 and 5 failed: the window is the three passing ones
    assert resolve_baseline(store, "orders", DriftPolicy(baseline="rolling:3")).pooled_from == (
        3,
        2,
        1,
    )
    accept_latest(store)
    assert resolve_baseline(store, "orders", DriftPolicy(baseline="rolling:3")).profile_id == 5
    evaluate(store, "rolling:3", 6, 1)  # passes against #5
    pooled = resolve_baseline(store, "orders", DriftPolicy(baseline="rolling:3"))
    assert pooled.pooled_from == (6, 5)


def test_switching_to_pinned_pins_the_latest_batch_that_passed(store):
    for day, shift in enumerate([0, 0, 1], start=1):
        evaluate(store, "previous", day, shift)
    assert resolve_baseline(store, "orders", DriftPolicy(baseline="pinned")).profile_id == 2
    assert store.pinned("orders").profile_id == 2


def test_the_first_batch_is_the_baseline_even_when_it_failed(store):
    # An absolute null-rate limit can fail the very first batch; it still recorded
    # the baseline, so later batches have something to be compared with.
    first = store.record_evaluation(
        profile=profile("orders", numeric_column("amount", [1.0], [1, 1])),
        asset_key="orders",
        run_id="r1",
        baseline=None,
        baseline_strategy="previous",
        outcomes=[outcome("null_rate", False, None, "null rate 60% (error at 50%)")],
    )
    assert resolve_baseline(store, "orders", DriftPolicy()).profile_id == first.profile_id
    assert resolve_baseline(store, "nobody", DriftPolicy()) is None


def test_after_accept_the_router_sends_resolved_once_and_never_before(store):
    """Each day's distribution_shift result, routed a day apart (repeats every 4 h)."""
    config = AlertsConfig()
    memory, states, kinds = Memory(), {}, []
    start = datetime(2026, 11, 1, 6, tzinfo=UTC)
    for day, (shift, accept) in enumerate(LASTING, start=1):
        result = evaluate(store, "previous", day, shift).outcomes[2]
        at = start + timedelta(days=day - 1)
        event = CheckEvent(day, f"day-{day}", "orders", result.check, result.passed, "ERROR", at)
        routing = route(
            [event],
            memory,
            config,
            lambda key: resolve_route(
                config, asset_key=key, dataset=key, dataset_channel=None, owners=()
            ),
            at,
        )
        states.update({(s.asset_key, s.check_name): s for s in routing.states})
        memory = Memory(states=dict(states))
        kinds.append([(e.kind, e.status) for e in routing.entries])
        if accept:
            accept_latest(store)
    announced = [(Kind.REPEAT, Status.PENDING)]
    assert kinds == [
        [],
        [],
        [(Kind.ALERT, Status.PENDING)],
        announced,  # still failing a day later: re-announced
        announced,
        [(Kind.RESOLVED, Status.PENDING)],  # the day after the accept
        [],
    ]


def test_accepting_twice_is_one_change_with_its_audit_trail(store):
    for day in (1, 2, 3):
        evaluate(store, "previous", day, 0)
    assert store.accept("orders", 3, actor="slack:ana", reason="new price list")
    assert not store.accept("orders", 3, actor="slack:bo")
    assert store.pinned("orders").profile_id == 3 and store.accepted("orders") == 3
    with store.connection() as conn:
        events = conn.execute(
            "SELECT action, profile_id, actor FROM baseline_events ORDER BY event_id"
        ).fetchall()
    assert events == [("pin", 3, "slack:ana"), ("accept", 3, "slack:ana")]
    # accepting an older profile moves the start back: the way to undo an accept
    assert store.accept("orders", 2, actor="cli:ana")
    assert resolve_baseline(store, "orders", DriftPolicy()).profile_id == 3


def test_a_profile_of_another_dataset_cannot_be_accepted(store):
    evaluate(store, "previous", 1, 0)
    store.record_evaluation(
        profile=profile("other"),
        asset_key="other",
        run_id=None,
        baseline=None,
        baseline_strategy="previous",
        outcomes=(outcome("null_rate"),),
    )
    with pytest.raises(ValueError, match="belongs to 'other'"):
        store.accept("orders", 2, actor="cli:ana")
    assert store.accepted("orders") is None
