"""The Dagster resource that hands runs and sensors the drift store."""

from __future__ import annotations

from dagster import ConfigurableResource
from pydantic import Field

from drift_assets.store import DriftStore, default_store_path
from drift_assets.store.connection import DEFAULT_LOCK_TIMEOUT_S


class DriftStoreResource(ConfigurableResource):
    """The DuckDB file holding profiles, baselines, check results and alerts."""

    database: str | None = Field(
        default=None,
        description=(
            "Path of the DuckDB store. Default: DRIFT_ASSETS_DB, else drift_assets.duckdb"
            " in DAGSTER_HOME."
        ),
    )
    lock_timeout_s: float = Field(
        default=DEFAULT_LOCK_TIMEOUT_S,
        description="How long to wait for another process to release the file lock.",
    )

    def get_store(self) -> DriftStore:
        return DriftStore(self.database or default_store_path(), lock_timeout=self.lock_timeout_s)
