"""Accepting a profile as the new baseline, under every strategy: it is pinned, and
the history previous / rolling:N baselines are taken from starts at it; accepting
the same profile again changes nothing."""

from __future__ import annotations

import pytest

from drift_assets.evaluation import resolve_baseline
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore
from drift_assets_tests.builders import numeric_column, outcome, profile


@pytest.fixture
def store(tmp_path):
    """A store with profiles #1..#4 of dataset d (and #5 of another dataset)."""
    store = DriftStore(tmp_path / "drift.duckdb", lock_timeout=5)
    for name in ("d", "d", "d", "d", "other"):
        store.record_evaluation(
            profile=profile(name, numeric_column("x", [0.0, 1.0], [1, 2, 3])),
            asset_key=name,
            run_id=None,
            baseline=None,
            baseline_strategy="previous",
            outcomes=(outcome("null_rate"),),
        )
    return store


def ids(baseline) -> tuple[int, ...]:
    return baseline.pooled_from or (baseline.profile_id,)


@pytest.mark.parametrize(
    "strategy, accepted, compared_with",
    [
        # the pool starts at the accepted profile and holds the newer ones
        ("rolling:3", 3, (4, 3)),
        # accepting the newest: the next batch is compared with it alone
        ("rolling:3", 4, (4,)),
        # nothing accepted: the window as usual
        ("rolling:3", None, (4, 3, 2)),
        # pinned: the accepted profile is the pin
        ("pinned", 2, (2,)),
        # previous: the newest profile, which is never older than the accepted one
        ("previous", 2, (4,)),
    ],
)
def test_the_next_batch_is_compared_from_the_accepted_profile_on(
    store, strategy, accepted, compared_with
):
    if accepted is not None:
        assert store.accept("d", accepted, actor="cli:ana")
    assert ids(resolve_baseline(store, "d", DriftPolicy(baseline=strategy))) == compared_with


def test_accepting_twice_is_one_change_with_its_audit_trail(store):
    assert store.accept("d", 3, actor="slack:ana", reason="new price list")
    assert not store.accept("d", 3, actor="slack:bo")
    assert store.pinned("d").profile_id == 3 and store.accepted("d") == 3
    with store.connection() as conn:
        events = conn.execute(
            "SELECT action, profile_id, actor FROM baseline_events ORDER BY event_id"
        ).fetchall()
    assert events == [("pin", 3, "slack:ana"), ("accept", 3, "slack:ana")]


def test_a_profile_of_another_dataset_cannot_be_accepted(store):
    with pytest.raises(ValueError, match="belongs to 'other'"):
        store.accept("d", 5, actor="cli:ana")
    assert store.accepted("d") is None
