"""One evaluation of one batch, start to end: baseline and volume history from the
store, profile of the rows, the check families, and one write of profile plus results.

No Dagster here: the asset, the check factory and the CLI all call this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drift_assets.checks.baseline import select_baseline
from drift_assets.checks.containment import reason
from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import CheckOutcome
from drift_assets.checks.row_count import BatchVolume
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.profiling.sources import SourceError
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore
from drift_assets.store.volume_history import healthy_volumes

# Profiles a batch, counting its rows into the baseline's bins and categories.
Profiler = Callable[[DatasetProfile | None], DatasetProfile]


class BatchError(Exception):
    """The batch could not be profiled, so no check could run; the message is
    one line saying which source and why, for the run's failure in the UI."""


@dataclass(frozen=True)
class Evaluation:
    profile: DatasetProfile  # as stored, with its profile_id
    baseline: DatasetProfile | None
    outcomes: tuple[CheckOutcome, ...]
    policy: DriftPolicy
    # The healthy batches row_count compared with, newest first (empty when off).
    history: tuple[BatchVolume, ...] = ()


def resolve_baseline(store: DriftStore, dataset: str, policy: DriftPolicy) -> DatasetProfile | None:
    """The baseline the next batch of ``dataset`` is compared with.

    ``previous`` and ``rolling:N`` never learn from a failing batch: they take the
    newest profile(s) that passed every check or that a person accepted (see
    ``DriftStore.baseline_profiles``), so a lasting change keeps failing until it
    is accepted. ``latest`` is the newest profile, failed or not: each change
    fails once and the next batch, compared with the changed one, passes.

    Under ``pinned`` with nothing pinned yet, the newest profile that may be a
    baseline is pinned now, so the baseline stays put from here on.
    """
    if policy.baseline == "pinned":
        pin = store.pinned(dataset)
        if pin is not None:
            return store.profile(pin.profile_id)
        newest = store.baseline_profiles(dataset, 1)
        if newest:
            store.pin(
                dataset,
                newest[0].profile_id,
                actor="drift_assets",
                reason="newest profile when the pinned strategy was first used",
            )
        return newest[0] if newest else None
    if policy.baseline == "latest":
        return select_baseline(store.recent_profiles(dataset, 1))
    window = policy.rolling_window or 1
    candidates = store.baseline_profiles(dataset, window)
    return select_baseline(candidates, rolling_window=policy.rolling_window, top_k=policy.top_k)


def evaluate_batch(
    store: DriftStore,
    *,
    dataset: str,
    asset_key: str,
    policy: DriftPolicy,
    run_id: str | None,
    profiler: Profiler,
) -> Evaluation:
    """Profile one batch, check it against its baseline and record both.

    The store is opened only to read the baseline and to write the result: the
    profiling in between, the slow part, holds no lock. A batch that cannot be
    profiled raises ``BatchError`` and nothing is stored, so the next good batch
    is compared with the last good one; a check that raises is its own ERROR
    outcome (``evaluate_all``), so the profile and all results are stored.
    """
    baseline = resolve_baseline(store, dataset, policy)
    rules = policy.row_count
    history = healthy_volumes(store, dataset, rules.history_needed) if rules.enabled else []
    try:
        profile = profiler(baseline)
    except SourceError as exc:
        raise BatchError(str(exc)) from exc
    except Exception as exc:
        raise BatchError(f"could not be profiled: {reason(exc)}") from exc
    outcomes = evaluate_all(profile, baseline, policy, history)
    stored = store.record_evaluation(
        profile=profile,
        asset_key=asset_key,
        run_id=run_id,
        baseline=baseline,
        baseline_strategy=policy.baseline,
        outcomes=outcomes,
        pin_as_baseline=policy.baseline == "pinned" and baseline is None,
    )
    return Evaluation(
        profile=stored,
        baseline=baseline,
        outcomes=outcomes,
        policy=policy,
        history=tuple(history),
    )
