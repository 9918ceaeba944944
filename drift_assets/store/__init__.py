"""Persistence of profiles, baselines, check results and alerts in DuckDB."""

from drift_assets.store.drift_store import (
    DriftStore,
    PinnedBaseline,
    StoredCheckResult,
    default_store_path,
)

__all__ = ["DriftStore", "PinnedBaseline", "StoredCheckResult", "default_store_path"]
