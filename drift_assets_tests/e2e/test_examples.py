"""The README's Python example is the file examples/existing_asset.py, and it runs."""

from __future__ import annotations

import re
import runpy

from dagster import DagsterInstance, materialize

from drift_assets.defs.resources import DriftStoreResource
from drift_assets_tests.conftest import REPO

EXAMPLE = REPO / "examples" / "existing_asset.py"


def test_the_readme_shows_the_example_file_as_it_is():
    readme = (REPO / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", readme, flags=re.S)
    body = EXAMPLE.read_text().split('"""', 2)[2].lstrip("\n")
    assert body in blocks


def test_the_example_materializes_with_its_checks(tmp_path):
    defs = runpy.run_path(str(EXAMPLE))["defs"]
    sales = defs.resolve_assets_def("sales")
    checks = list(defs.asset_checks)
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        for _ in range(2):
            result = materialize(
                [sales, *checks], instance=instance, resources={"drift_store": store}
            )
    evaluations = result.get_asset_check_evaluations()
    assert {e.check_name for e in evaluations} == {
        "schema_change",
        "null_rate",
        "distribution_shift",
        "row_count",
    }
    assert all(e.passed for e in evaluations)  # the same batch twice
    assert len(store.get_store().check_history(dataset="sales")) == 8
    assert sales.specs_by_key[sales.key].freshness_policy is not None
