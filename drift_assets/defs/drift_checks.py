"""``build_drift_checks``: the three drift checks for assets you already have.

This is how a Dagster project adopts drift_assets without moving its assets: any
asset whose value is a table (pandas or Polars DataFrame, Polars LazyFrame, Arrow
table, DuckDB relation: ``profiling.frames``) gets ``schema_change``, ``null_rate``
and ``distribution_shift`` checks that load the value through its IO manager,
profile it once and record everything in the drift store.
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
    multi_asset_check,
)

from drift_assets.defs.check_results import check_results, drift_check_specs
from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY
from drift_assets.evaluation import BatchError, evaluate_batch
from drift_assets.profiling.frames import profile_frame
from drift_assets.settings.policy import DriftPolicy

AssetLike = AssetsDefinition | AssetSpec | AssetKey | str | Sequence[str]


def build_drift_checks(
    assets: Sequence[AssetLike],
    policy: DriftPolicy | Mapping[str, Any] | None = None,
) -> list[AssetChecksDefinition]:
    """Drift checks for each given asset (one check step per asset).

    ``policy`` is a ``DriftPolicy`` or the same mapping as a dataset's ``policy:``
    block in ``datasets.yaml``. The store comes from the ``drift_store`` resource
    (``DriftStoreResource``), which the Definitions must provide.
    """
    resolved = (
        policy if isinstance(policy, DriftPolicy) else DriftPolicy.model_validate(policy or {})
    )
    return [_checks_for(key, resolved) for asset in assets for key in _asset_keys(asset)]


def _asset_keys(asset: AssetLike) -> list[AssetKey]:
    if isinstance(asset, AssetsDefinition):
        return list(asset.keys)
    if isinstance(asset, AssetSpec):
        return [asset.key]
    return [AssetKey.from_coercible(asset)]


def _checks_for(key: AssetKey, policy: DriftPolicy) -> AssetChecksDefinition:
    dataset = key.to_user_string()

    @multi_asset_check(
        name=f"{key.to_python_identifier()}_drift_checks",
        specs=drift_check_specs(key, policy),
        ins={"data": AssetIn(key)},
        required_resource_keys={STORE_RESOURCE_KEY},
        description=f"Schema, null-rate and distribution drift of {dataset}.",
    )
    def _drift_checks(context: AssetCheckExecutionContext, data: Any) -> Iterator[AssetCheckResult]:
        store = getattr(context.resources, STORE_RESOURCE_KEY).get_store()
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
            )
        except BatchError as exc:
            raise Failure(description=f"drift checks of {dataset}: {exc}") from exc
        yield from check_results(evaluation, key)

    return _drift_checks
