"""Dataset assets declared in ``datasets.yaml``, with their jobs and schedules.

Each dataset is one asset whose materialization profiles the source once and
reports the three drift checks in the same step, so the rows are read once and
nothing is handed between processes. The asset stores no value of its own: the
data stays where its source is, and downstream assets read it from there.
"""

import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    DefaultScheduleStatus,
    Failure,
    MaterializeResult,
    MetadataValue,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from drift_assets.defs.check_results import (
    blocking_failure,
    check_results,
    drift_check_specs,
    materialization_metadata,
)
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.evaluation import BatchError, evaluate_batch
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
    and so the dataset's name in the store, is ``prefix/.../name``."""
    key = AssetKey([*key_prefix, dataset.name])
    name = key.to_user_string()
    policy = dataset.policy

    @asset(
        key=key,
        group_name=dataset.group,
        description=dataset.description
        or f"Dataset {dataset.name} ({dataset.source.kind} source).",
        check_specs=drift_check_specs(key, policy),
        kinds={"duckdb", dataset.source.kind},
        owners=[o for o in dataset.owners if _DAGSTER_OWNER.match(o)],
        metadata={
            "source": f"{dataset.source.kind}: {dataset.source.location}",
            "baseline_strategy": policy.baseline,
            ROUTE_METADATA_KEY: MetadataValue.json(
                {"dataset": name, "channel": dataset.channel, "owners": list(dataset.owners)}
            ),
        },
    )
    def _dataset(
        context: AssetExecutionContext, drift_store: DriftStoreResource
    ) -> Iterator[MaterializeResult]:
        store = drift_store.get_store()

        def profiler(reference):
            return profile_source(
                dataset.source,
                base_dir,
                name,
                data_roots=data_roots,
                hidden=(store.path,),
                reference=reference,
                **policy.profiler_options(),
            )

        try:
            evaluation = evaluate_batch(
                store,
                dataset=name,
                asset_key=name,
                policy=policy,
                run_id=context.run.run_id,
                profiler=profiler,
            )
        except BatchError as exc:
            # Nothing was stored: the next good batch is compared with the last good one.
            # The description is the line the UI shows for the failed step.
            raise Failure(description=f"dataset {dataset.name}: {exc}") from exc
        for outcome in evaluation.outcomes:
            log = context.log.info if outcome.passed else context.log.warning
            log(f"{outcome.check}: {outcome.description}")
        yield MaterializeResult(
            metadata=materialization_metadata(evaluation),
            check_results=check_results(evaluation, key),
        )
        # Recorded above; Dagster's own error would only count the blocking checks.
        failure = blocking_failure(evaluation, key)
        if failure is not None:
            raise failure

    return _dataset


def build_dataset_schedule(
    dataset: DatasetConfig, *, key_prefix: Sequence[str] = ()
) -> ScheduleDefinition | None:
    """One job per dataset, so one dataset's failure never holds back another's
    run, and each dataset's run history reads on its own."""
    if dataset.schedule is None:
        return None
    stem = "_".join([*key_prefix, dataset.name])
    job = define_asset_job(
        f"{stem}_job",
        selection=AssetSelection.assets(AssetKey([*key_prefix, dataset.name])),
        description=f"Profile {dataset.name} and run its drift checks.",
    )
    return ScheduleDefinition(
        name=f"{stem}_schedule",
        job=job,
        cron_schedule=dataset.schedule,
        execution_timezone=dataset.timezone,
        description=(
            f"Materializes {dataset.name} and checks it for drift on '{dataset.schedule}'"
            f" ({dataset.timezone})."
        ),
        default_status=DefaultScheduleStatus.RUNNING,
    )
