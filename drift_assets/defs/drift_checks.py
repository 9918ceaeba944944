"""``build_drift_checks``: the drift and volume checks for assets you already have.

This is how a Dagster project adopts drift_assets without moving its assets: any
asset whose value is a table (pandas or Polars DataFrame, Polars LazyFrame, Arrow
table, DuckDB relation: ``profiling.frames``) gets ``schema_change``, ``null_rate``,
``distribution_shift`` and ``row_count`` checks that load the value through its IO
manager, profile it once and record everything in the drift store.
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetChecksDefinition,
    AssetIn,
    AssetKey,
    AssetsDefinition,
    AssetSpec,
    Failure,
    PartitionsDefinition,
    multi_asset_check,
)

from drift_assets.defs.check_results import check_results, drift_check_specs
from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY
from drift_assets.defs.partitions import partition_at
from drift_assets.evaluation import BatchError, evaluate_batch
from drift_assets.profiling.frames import profile_frame
from drift_assets.settings.policy import DriftPolicy

AssetLike = AssetsDefinition | AssetSpec | AssetKey | str | Sequence[str]


def build_drift_checks(
    assets: Sequence[AssetLike],
    policy: DriftPolicy | Mapping[str, Any] | None = None,
    *,
    partitions_def: PartitionsDefinition | None = None,
) -> list[AssetChecksDefinition]:
    """Drift checks for each given asset (one check step per asset).

    ``policy`` is a ``DriftPolicy`` or the same mapping as a dataset's ``policy:``
    block in ``datasets.yaml``. The store comes from the ``drift_store`` resource
    (``DriftStoreResource``), which the Definitions must provide.

    A partitioned asset (time windows or static keys) gets per-partition checks
    that load the partition being checked; its partitions come from the
    ``AssetsDefinition`` or ``AssetSpec``, or from ``partitions_def`` for an asset
    given by key. Baselines follow partition order as for partitioned datasets;
    a later partition checked before an earlier one is not checked again (only
    a dataset asset can read another partition's rows): backfill in order, or
    check those partitions again.
    """
    resolved = (
        policy if isinstance(policy, DriftPolicy) else DriftPolicy.model_validate(policy or {})
    )
    return [
        _checks_for(key, resolved, partitions or partitions_def)
        for asset in assets
        for key, partitions in _asset_keys(asset)
    ]


def _asset_keys(asset: AssetLike) -> list[tuple[AssetKey, PartitionsDefinition | None]]:
    if isinstance(asset, AssetsDefinition):
        return [(key, asset.partitions_def) for key in asset.keys]
    if isinstance(asset, AssetSpec):
        return [(asset.key, asset.partitions_def)]
    return [(AssetKey.from_coercible(asset), None)]


def _checks_for(
    key: AssetKey, policy: DriftPolicy, partitions: PartitionsDefinition | None
) -> AssetChecksDefinition:
    dataset = key.to_user_string()

    @multi_asset_check(
        name=f"{key.to_python_identifier()}_drift_checks",
        specs=drift_check_specs(key, policy, partitions),
        ins={"data": AssetIn(key)},
        required_resource_keys={STORE_RESOURCE_KEY},
        description=f"Schema, null-rate, distribution and row-count checks of {dataset}.",
    )
    def _drift_checks(context: AssetCheckExecutionContext, data: Any) -> Iterator[AssetCheckResult]:
        store = getattr(context.resources, STORE_RESOURCE_KEY).get_store()
        partition = partition_at(partitions, context.partition_key if partitions else None)
        try:
            evaluation = evaluate_batch(
                store,
                dataset=dataset,
                asset_key=dataset,
                policy=policy,
                run_id=context.run.run_id,
                profiler=lambda reference: profile_frame(
                    data,
                    dataset,
                    reference=reference,
                    **policy.profiler_options(),
                ),
                partition=partition,
            )
        except BatchError as exc:
            where = f"{dataset} partition {partition.key}" if partition else dataset
            raise Failure(description=f"drift checks of {where}: {exc}") from exc
        if evaluation.journaled:
            context.log.warning(f"drift store not written in time: {evaluation.journaled}")
        yield from check_results(evaluation, key)

    return _drift_checks
