"""Declared freshness as Dagster's own ``FreshnessPolicy``, on dataset assets and
on assets you already have; Dagster's freshness daemon then reports each asset
PASS, WARN or FAIL (and UNKNOWN before its first materialization)."""

from collections.abc import Mapping, Sequence
from typing import Any

from dagster import AssetsDefinition, AssetSpec, FreshnessPolicy, apply_freshness_policy

from drift_assets.settings.freshness import Freshness


def freshness_policy(freshness: Freshness) -> FreshnessPolicy:
    return FreshnessPolicy.time_window(
        fail_window=freshness.fail_after, warn_window=freshness.warn_after
    )


def with_freshness(
    assets: Sequence[AssetsDefinition | AssetSpec], freshness: Freshness | Mapping[str, Any]
) -> list[AssetsDefinition | AssetSpec]:
    """The given assets with a freshness policy (``{"warn_after": "26h",
    "fail_after": "30h"}`` or a ``Freshness``), for the Definitions that hold them.
    Freshness belongs to an asset's definition, so a bare key cannot take it."""
    if not isinstance(freshness, Freshness):
        freshness = Freshness.model_validate(freshness)
    policy = freshness_policy(freshness)
    adopted: list[AssetsDefinition | AssetSpec] = []
    for asset in assets:
        if isinstance(asset, AssetsDefinition):
            adopted.append(asset.map_asset_specs(lambda spec: apply_freshness_policy(spec, policy)))
        elif isinstance(asset, AssetSpec):
            adopted.append(apply_freshness_policy(asset, policy))
        else:
            raise TypeError(
                f"with_freshness takes AssetsDefinitions or AssetSpecs, got {type(asset).__name__}:"
                " freshness belongs to the asset's definition, not to a key"
            )
    return adopted
