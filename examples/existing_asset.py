"""Drift checks and freshness on an asset you already have.

Run it: dagster dev -f examples/existing_asset.py
"""

from datetime import UTC, datetime

import pandas as pd
from dagster import Definitions, asset

from drift_assets import DriftStoreResource, build_drift_checks, with_freshness
from drift_assets.demo.generate import orders


@asset
def sales() -> pd.DataFrame:
    # Stands in for your own loading code: any asset whose value is a DataFrame.
    return orders(day=datetime.now(UTC).day)


defs = Definitions(
    # Dagster's freshness daemon: WARN after 26 h without a materialization, FAIL after 30 h.
    assets=with_freshness([sales], {"warn_after": "26h", "fail_after": "30h"}),
    asset_checks=build_drift_checks(
        [sales],
        policy={
            "baseline": "rolling:7",
            "null_rate": {"max_increase_pp": {"warn": 2}},
            "columns": {"created_at": {"distribution_shift": {"enabled": False}}},
        },
    ),
    resources={"drift_store": DriftStoreResource()},
)
