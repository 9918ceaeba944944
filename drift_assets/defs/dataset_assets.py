"""Dataset assets declared in ``datasets.yaml``, with their jobs and schedules.

Each dataset is one asset whose materialization profiles the source once and
reports its checks in the same step, so the rows are read once and nothing is
handed between processes. The asset stores no value of its own: the
data stays where its source is, and downstream assets read it from there.
"""

import re
import warnings
from collections.abc import Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    BackfillPolicy,
    BetaWarning,
    DefaultScheduleStatus,
    Failure,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    ScheduleEvaluationContext,
    asset,
    define_asset_job,
    schedule,
)

from drift_assets.defs.check_results import (
    blocking_failure,
    check_evaluations,
    check_results,
    drift_check_specs,
    materialization_metadata,
)
from drift_assets.defs.freshness import freshness_policy
from drift_assets.defs.partitions import (
    partition_at,
    partitions_definition,
    scheduled_run_requests,
)
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.evaluation import BatchError, evaluate_batch, settle_partitions
from drift_assets.profiling.profiler import profile_source
from drift_assets.settings.dataset_file import DatasetConfig

STORE_RESOURCE_KEY = "drift_store"
# Where the alert router finds a dataset's name, channel and owners (any asset may carry it).
ROUTE_METADATA_KEY = "drift_assets/route"

# Dagster accepts only e-mail addresses and "team:name" as owners; Slack ids and
# handles stay in the config (the alert router mentions them).
_DAGSTER_OWNER = re.compile(r"^(team:[\w.-]+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


def build_dataset_asset(
    dataset: DatasetConfig,
    base_dir: Path,
    data_roots: tuple[Path, ...] = (),
    *,
    key_prefix: Sequence[str] = (),
) -> AssetsDefinition:
    """The dataset's asset; its source reads only below ``base_dir`` and
    ``data_roots``, and never the drift store. Under ``key_prefix`` the asset key,
    and so the dataset's name in the store, is ``prefix/.../name``.

    A partitioned dataset's asset is materialized one partition per run, also in
    backfills (``BackfillPolicy.multi_run(1)``): in Dagster 1.13 a single run over
    a range records one check evaluation without a partition and leaves every
    partition's checks planned forever."""
    key = AssetKey([*key_prefix, dataset.name])
    name = key.to_user_string()
    policy = dataset.policy
    partitions = partitions_definition(dataset.partitions)

    with warnings.catch_warnings():
        # backfill_policy is beta in 1.13; one run per partition is what per-partition
        # checks need (see the docstring), so the warning would only be noise.
        warnings.simplefilter("ignore", BetaWarning)
        decorate = asset(
            key=key,
            group_name=dataset.group,
            description=dataset.description
            or f"Dataset {dataset.name} ({dataset.source.kind} source).",
            check_specs=drift_check_specs(key, policy, partitions),
            partitions_def=partitions,
            backfill_policy=BackfillPolicy.multi_run(1) if partitions is not None else None,
            kinds={"duckdb", dataset.source.kind},
            owners=[o for o in dataset.owners if _DAGSTER_OWNER.match(o)],
            freshness_policy=freshness_policy(dataset.freshness) if dataset.freshness else None,
            metadata={
                "source": f"{dataset.source.kind}: {dataset.source.location}",
                "baseline_strategy": policy.baseline,
                ROUTE_METADATA_KEY: MetadataValue.json(
                    {"dataset": name, "channel": dataset.channel, "owners": list(dataset.owners)}
                ),
            },
        )

    @decorate
    def _dataset(
        context: AssetExecutionContext, drift_store: DriftStoreResource
    ) -> Iterator[MaterializeResult]:
        store = drift_store.get_store()
        partition = partition_at(partitions, context.partition_key if partitions else None)

        def profiler_for(batch):
            return lambda reference: profile_source(
                dataset.source,
                base_dir,
                name,
                data_roots=data_roots,
                hidden=tuple(p for p in (store.path, store.journal.folder) if p is not None),
                reference=reference,
                partition=batch,
                **policy.profiler_options(),
            )

        where = f"dataset {dataset.name}" + (f" partition {partition.key}" if partition else "")
        try:
            evaluation = evaluate_batch(
                store,
                dataset=name,
                asset_key=name,
                policy=policy,
                run_id=context.run.run_id,
                profiler=profiler_for(partition),
                partition=partition,
            )
        except BatchError as exc:
            # Nothing was stored: the next good batch is compared with the last good one.
            # The description is the line the UI shows for the failed step.
            raise Failure(description=f"{where}: {exc}") from exc
        for outcome in evaluation.outcomes:
            log = context.log.info if outcome.passed else context.log.warning
            log(f"{where} {outcome.check}: {outcome.description}")
        if evaluation.journaled:
            context.log.warning(f"{where}: drift store not written in time: {evaluation.journaled}")
        if partition is not None and partition.is_time_window:
            evaluation = (
                _settle_partitions(context, store, name, dataset, key, partition, profiler_for)
                or evaluation
            )
        yield MaterializeResult(
            metadata=materialization_metadata(evaluation),
            check_results=check_results(evaluation, key),
        )
        # Recorded above; Dagster's own error would only count the blocking checks.
        failure = blocking_failure(evaluation, key)
        if failure is not None:
            raise failure

    return _dataset


def _settle_partitions(context, store, name, dataset, key, partition, profiler_for):
    """Later partitions stored before this one (an out-of-order backfill, or a
    past partition materialized again) are evaluated again against the baseline
    partition order gives them; their new results are reported to Dagster under
    their own partitions, in this run. Returns this partition's own new
    evaluation when an earlier partition arrived while it was being profiled."""
    redone, problems = settle_partitions(
        store,
        dataset=name,
        asset_key=name,
        policy=dataset.policy,
        run_id=context.run.run_id,
        since=partition,
        profiler_for=profiler_for,
    )
    own = None
    for evaluation in redone:
        if evaluation.partition == partition:
            own = evaluation  # reported with the materialization
            continue
        context.log.info(
            f"dataset {name} partition {evaluation.partition.key} evaluated again:"
            f" its baseline is now {', '.join(evaluation.baseline_partitions) or 'none'}"
        )
        for event in check_evaluations(evaluation, key):
            context.log_event(event)
    for problem in problems:
        context.log.warning(f"dataset {name} {problem}")
    return own


def build_dataset_job(dataset: DatasetConfig, *, key_prefix: Sequence[str] = ()):
    """One job per dataset, so one dataset's failure never holds back another's
    run, and each dataset's run history reads on its own."""
    return define_asset_job(
        f"{_stem(dataset, key_prefix)}_job",
        selection=AssetSelection.assets(AssetKey([*key_prefix, dataset.name])),
        description=f"Profile {dataset.name} and run its drift checks.",
        partitions_def=partitions_definition(dataset.partitions),
    )


def build_dataset_schedule(
    dataset: DatasetConfig, *, key_prefix: Sequence[str] = ()
) -> ScheduleDefinition | None:
    """The dataset's job on its cron; a partitioned dataset's tick runs the last
    complete time window, or every static key."""
    if dataset.schedule is None:
        return None
    job = build_dataset_job(dataset, key_prefix=key_prefix)
    name = f"{_stem(dataset, key_prefix)}_schedule"
    partitions = partitions_definition(dataset.partitions)
    if partitions is not None:
        return _partitioned_schedule(dataset, name, job, partitions)
    return ScheduleDefinition(
        name=name,
        job=job,
        cron_schedule=dataset.schedule,
        execution_timezone=dataset.timezone,
        description=(
            f"Materializes {dataset.name} and checks it for drift on '{dataset.schedule}'"
            f" ({dataset.timezone})."
        ),
        default_status=DefaultScheduleStatus.RUNNING,
    )


def _partitioned_schedule(dataset, name, job, partitions) -> ScheduleDefinition:
    @schedule(
        name=name,
        job=job,
        cron_schedule=dataset.schedule,
        execution_timezone=dataset.timezone,
        description=(
            f"Materializes the latest partition of {dataset.name} and checks it for drift"
            f" on '{dataset.schedule}' ({dataset.timezone})."
        ),
        default_status=DefaultScheduleStatus.RUNNING,
    )
    def _schedule(context: ScheduleEvaluationContext):
        return scheduled_run_requests(partitions, context.scheduled_execution_time)

    return _schedule


def _stem(dataset: DatasetConfig, key_prefix: Sequence[str]) -> str:
    # Job and schedule names are flat: a prefixed dataset's are prefix_name_job.
    return "_".join([*key_prefix, dataset.name])
