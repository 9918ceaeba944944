"""Dataset assets declared in ``datasets.yaml``, with their jobs and schedules.

Each dataset is one asset whose materialization profiles the source once and
reports the three drift checks in the same step, so the rows are read once and
nothing is handed between processes. The asset stores no value of its own: the
data stays where its source is, and downstream assets read it from there.
"""

import re
from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    AssetsDefinition,
    AssetSelection,
    DefaultScheduleStatus,
    Failure,
    MaterializeResult,
    ScheduleDefinition,
    asset,
    define_asset_job,
)

from drift_assets.defs.check_results import (
    check_results,
    drift_check_specs,
    materialization_metadata,
)
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.evaluation import BatchError, evaluate_batch
from drift_assets.profiling.profiler import profile_source
from drift_assets.settings.dataset_file import DatasetConfig

STORE_RESOURCE_KEY = "drift_store"

# Dagster accepts only e-mail addresses and "team:name" as owners; Slack ids and
# handles stay in the config (the alert router mentions them).
_DAGSTER_OWNER = re.compile(r"^(team:[\w.-]+|[^@\s]+@[^@\s]+\.[^@\s]+)$")


def build_dataset_asset(
    dataset: DatasetConfig, base_dir: Path, data_roots: tuple[Path, ...] = ()
) -> AssetsDefinition:
    """The dataset's asset; its source reads only below ``base_dir`` and
    ``data_roots``, and never the drift store."""
    key = AssetKey(dataset.name)
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
        },
    )
    def _dataset(
        context: AssetExecutionContext, drift_store: DriftStoreResource
    ) -> MaterializeResult:
        store = drift_store.get_store()

        def profiler(reference):
            return profile_source(
                dataset.source,
                base_dir,
                dataset.name,
                data_roots=data_roots,
                hidden=(store.path,) if store.path else (),
                reference=reference,
                **policy.profiler_options(),
            )

        try:
            evaluation = evaluate_batch(
                store,
                dataset=dataset.name,
                asset_key=key.to_user_string(),
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
        return MaterializeResult(
            metadata=materialization_metadata(evaluation),
            check_results=check_results(evaluation, key),
        )

    return _dataset


def build_dataset_schedule(dataset: DatasetConfig) -> ScheduleDefinition | None:
    """One job per dataset, so one dataset's failure never holds back another's
    run, and each dataset's run history reads on its own."""
    if dataset.schedule is None:
        return None
    job = define_asset_job(
        f"{dataset.name}_job",
        selection=AssetSelection.assets(AssetKey(dataset.name)),
        description=f"Profile {dataset.name} and run its drift checks.",
    )
    return ScheduleDefinition(
        name=f"{dataset.name}_schedule",
        job=job,
        cron_schedule=dataset.schedule,
        execution_timezone=dataset.timezone,
        description=(
            f"Materializes {dataset.name} and checks it for drift on '{dataset.schedule}'"
            f" ({dataset.timezone})."
        ),
        default_status=DefaultScheduleStatus.RUNNING,
    )
