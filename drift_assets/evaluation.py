"""One evaluation of one batch, start to end: baseline and volume history from the
store, profile of the rows, the check families, and one write of profile plus results.

No Dagster here: the asset, the check factory and the CLI all call this.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from drift_assets.checks import row_count
from drift_assets.checks.baseline import select_baseline
from drift_assets.checks.containment import evaluate_family, reason
from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import ROW_COUNT, CheckOutcome
from drift_assets.checks.row_count import BatchVolume
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.profiling.sources import SourceError
from drift_assets.settings.partitions import Partition, same_season
from drift_assets.settings.policy import DriftPolicy
from drift_assets.store import DriftStore
from drift_assets.store.backends import StoreUnavailableError
from drift_assets.store.connection import StoreLockedError
from drift_assets.store.drift_store import WriteJournaled
from drift_assets.store.evaluation_rows import baseline_profile_ids
from drift_assets.store.partition_history import PartitionHistory, PartitionState
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
    partition: Partition | None = None
    # The partitions the baseline was taken from (time windows), nearest first.
    baseline_partitions: tuple[str, ...] = ()
    # Why the results are not in the store yet (they wait in its journal and land
    # on its next opening); None when they were stored at once.
    journaled: str | None = None
    # The healthy batches row_count compared with, newest first (empty when off).
    history: tuple[BatchVolume, ...] = ()


def resolve_baseline(
    store: DriftStore, dataset: str, policy: DriftPolicy, partition: Partition | None = None
) -> DatasetProfile | None:
    """The baseline the next batch of ``dataset`` (of ``partition``) is compared with.

    ``previous`` and ``rolling:N`` never learn from a failing batch: they take the
    newest profile(s) that passed every check or that a person accepted (see
    ``DriftStore.baseline_profiles``), so a lasting change keeps failing until it
    is accepted. ``latest`` is the newest profile, failed or not: each change
    fails once and the next batch, compared with the changed one, passes.

    Under ``pinned`` with nothing pinned yet, the newest profile that may be a
    baseline is pinned now, so the baseline stays put from here on.

    A time-window partition takes its baseline from earlier partitions only
    (``partition_baseline``); a static key from its own earlier batches.
    """
    if partition is not None and partition.is_time_window and policy.baseline != "pinned":
        return partition_baseline(store, dataset, policy, partition)[0]
    key = partition.key if partition is not None else None
    if policy.baseline == "pinned":
        pin = store.pinned(dataset)
        if pin is not None:
            return store.profile(pin.profile_id)
        newest = (
            [p for p, _ in PartitionHistory(store).baselines(dataset, partition.start)]
            if partition is not None and partition.is_time_window
            else store.baseline_profiles(dataset, 1, partition_key=key)
        )
        if newest:
            store.pin(
                dataset,
                newest[0].profile_id,
                actor="drift_assets",
                reason="newest profile when the pinned strategy was first used",
            )
        return newest[0] if newest else None
    if policy.baseline == "latest":
        return select_baseline(store.recent_profiles(dataset, 1, partition_key=key))
    window = policy.rolling_window or 1
    candidates = store.baseline_profiles(dataset, window, partition_key=key)
    return select_baseline(candidates, rolling_window=policy.rolling_window, top_k=policy.top_k)


def partition_baseline(
    store: DriftStore, dataset: str, policy: DriftPolicy, partition: Partition
) -> tuple[DatasetProfile | None, tuple[str, ...]]:
    """A time-window partition's baseline and the partitions it comes from, in
    partition order: ``previous`` the nearest earlier partition that passed or
    was accepted, ``rolling:N`` the N nearest such, ``seasonal:N`` such partitions
    on the same weekday (hourly data: the same hour) within the last N weeks,
    ``latest`` the nearest earlier partition whatever its verdict. Never a later
    partition, so a re-materialized past partition is compared with its own
    predecessors."""
    history = PartitionHistory(store)
    assert partition.start is not None
    if policy.seasonal_weeks is not None:
        since = partition.start - timedelta(weeks=policy.seasonal_weeks)
        found = [
            (profile, earlier)
            for profile, earlier in history.baselines(
                dataset, partition.start, limit=None, since=since
            )
            if earlier.start is not None
            and same_season(earlier.start, partition.start, _cadence(partition))
        ]
        window = len(found)
    else:
        window = policy.rolling_window or 1
        found = history.baselines(
            dataset, partition.start, limit=window, healthy_only=policy.baseline != "latest"
        )
    baseline = select_baseline(
        [p for p, _ in found], rolling_window=window if window > 1 else None, top_k=policy.top_k
    )
    return baseline, tuple(p.key for _, p in found)


def _zoned(partition: Partition, zone) -> Partition:
    assert partition.start is not None and partition.end is not None
    return Partition(
        partition.key, partition.start.astimezone(zone), partition.end.astimezone(zone)
    )


def _cadence(partition: Partition) -> str:
    """hourly when the window is shorter than a day, else daily (seasons only
    exist for those two: see the dataset file's check)."""
    assert partition.start is not None and partition.end is not None
    return "hourly" if partition.end - partition.start < timedelta(hours=23) else "daily"


def evaluate_batch(
    store: DriftStore,
    *,
    dataset: str,
    asset_key: str,
    policy: DriftPolicy,
    run_id: str | None,
    profiler: Profiler,
    partition: Partition | None = None,
) -> Evaluation:
    """Profile one batch (of ``partition``), check it against its baseline and
    record both.

    The store is opened only to read the baseline and to write the result: the
    profiling in between, the slow part, holds no lock. A batch that cannot be
    profiled raises ``BatchError`` and nothing is stored, so the next good batch
    is compared with the last good one; a check that raises is its own ERROR
    outcome (``evaluate_all``), so the profile and all results are stored.
    A store that stays busy past its budget delays the write (``journaled``), it
    never drops it.
    """
    try:
        if partition is not None and partition.is_time_window and policy.baseline != "pinned":
            baseline, sources = partition_baseline(store, dataset, policy, partition)
        else:
            baseline, sources = resolve_baseline(store, dataset, policy, partition), ()
        # Time windows: the partitions before this one, whenever they arrived.
        before = partition.start if partition is not None else None
        rules = policy.row_count
        history = (
            healthy_volumes(store, dataset, rules.history_needed, before=before)
            if rules.enabled
            else []
        )
    except (StoreLockedError, StoreUnavailableError) as exc:
        # Without its baseline no check can run; nothing is lost, the batch stays
        # where it is for the next run.
        raise BatchError(f"nothing was checked: {exc}") from exc
    try:
        profile = profiler(baseline)
    except SourceError as exc:
        raise BatchError(str(exc)) from exc
    except Exception as exc:
        raise BatchError(f"could not be profiled: {reason(exc)}") from exc
    outcomes = evaluate_all(profile, baseline, policy, history, batch_time=before)
    journaled = None
    try:
        stored = store.record_evaluation(
            profile=profile,
            asset_key=asset_key,
            run_id=run_id,
            baseline=baseline,
            baseline_strategy=policy.baseline,
            outcomes=outcomes,
            pin_as_baseline=policy.baseline == "pinned" and baseline is None,
            partition=partition,
        )
    except WriteJournaled as exc:
        # The profile gets its id when the journal is applied.
        stored, journaled = profile, str(exc)
    return Evaluation(
        profile=stored,
        baseline=baseline,
        outcomes=outcomes,
        policy=policy,
        partition=partition,
        baseline_partitions=sources,
        journaled=journaled,
        history=tuple(history),
    )


def _volume_settled(
    store: DriftStore, dataset: str, policy: DriftPolicy, state: PartitionState
) -> bool:
    """Whether the partition's stored row_count verdict is still what its history
    gives: an earlier partition that arrived later changes the volumes it is
    judged by without changing its baseline profile. Judged again from the stored
    row count (no profiling); a partition without a row_count result is settled."""
    if not policy.row_count.enabled:
        return True
    stored = store.check_history(
        dataset=dataset, check=ROW_COUNT, partition=state.partition.key, current_only=True
    )
    profile = store.profile(state.profile_id)
    if not stored or profile is None:
        return True
    assert state.partition.start is not None
    history = healthy_volumes(
        store, dataset, policy.row_count.history_needed, before=state.partition.start
    )
    start = state.partition.start
    verdict = evaluate_family(
        ROW_COUNT, lambda: row_count.evaluate(profile, history, policy, at=start)
    )
    severity = verdict.severity.value if verdict.severity is not None else None
    was = stored[0]
    return (verdict.passed, severity, verdict.description) == (
        was.passed,
        was.severity,
        was.description,
    )


def settle_partitions(
    store: DriftStore,
    *,
    dataset: str,
    asset_key: str,
    policy: DriftPolicy,
    run_id: str | None,
    since: Partition,
    profiler_for: Callable[[Partition], Profiler],
) -> tuple[list[Evaluation], list[str]]:
    """Re-evaluate the stored partitions from ``since`` on whose baseline is no
    longer what partition order gives (or whose row_count verdict the volumes of
    the partitions before it no longer give), in partition order; return the new
    evaluations and, for partitions that could not be read again, why.

    This is what makes a backfill's verdicts independent of the order its runs
    finish in: a partition evaluated before an earlier one arrived was compared
    with an older baseline; once the earlier one is stored (or re-materialized,
    or its verdict changed) the later one is profiled again against the baseline
    it would have had on time. Each re-evaluation is stored before the next
    partition's baseline is taken, so a changed verdict carries forward. A
    partition whose baseline did not change costs one store query.
    """
    assert since.start is not None
    if policy.baseline == "pinned":
        return [], []  # a pinned baseline does not depend on partition order
    done, problems = [], []
    for state in PartitionHistory(store).states(dataset, since.start):
        # The store gives instants; a path's {date} is the start in the partitions' zone.
        partition = _zoned(state.partition, since.start.tzinfo)
        baseline, _ = partition_baseline(store, dataset, policy, partition)
        if tuple(baseline_profile_ids(baseline)) == state.baseline_profile_ids and _volume_settled(
            store, dataset, policy, state
        ):
            continue
        try:
            done.append(
                evaluate_batch(
                    store,
                    dataset=dataset,
                    asset_key=asset_key,
                    policy=policy,
                    run_id=run_id,
                    profiler=profiler_for(partition),
                    partition=partition,
                )
            )
        except BatchError as exc:
            problems.append(f"partition {partition.key}: {exc}")
    return done, problems
