"""drift_assets: schema, null-rate, distribution and row-count checks for Dagster
assets, with every profile and result kept in DuckDB."""

from __future__ import annotations

from typing import Any

__all__ = [
    "DriftAlerts",
    "DriftChecks",
    "DriftDatasets",
    "DriftPolicy",
    "DriftStoreResource",
    "build_drift_checks",
    "with_freshness",
]

# Resolved on first use, so the pure modules (profiling, checks) can be imported
# without importing Dagster.
_EXPORTS = {
    "DriftAlerts": "drift_assets.defs.components",
    "DriftChecks": "drift_assets.defs.components",
    "DriftDatasets": "drift_assets.defs.components",
    "DriftPolicy": "drift_assets.settings.policy",
    "DriftStoreResource": "drift_assets.defs.resources",
    "build_drift_checks": "drift_assets.defs.drift_checks",
    "with_freshness": "drift_assets.defs.freshness",
}


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'drift_assets' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(_EXPORTS[name]), name)


def __dir__() -> list[str]:
    # dg lists a registry module's components through dir().
    return sorted({*globals(), *__all__})
