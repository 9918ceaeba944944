"""An empty batch through real profiling: it errors as the largest shift there is,
and the types a reader guesses for empty columns are not reported as retypes."""

from __future__ import annotations

import pandas as pd
import pytest

from drift_assets.checks.families import evaluate_all
from drift_assets.profiling.profiler import profile_dataframe, profile_source
from drift_assets.settings.dataset_file import SourceConfig
from drift_assets.settings.policy import DriftPolicy

BASELINE = pd.DataFrame(
    {"amount": [float(i % 97) for i in range(500)], "country": ["DE", "FR"] * 250}
)


def profile_csv(tmp_path, text: str, baseline):
    path = tmp_path / "batch.csv"
    path.write_text(text)
    return profile_source(SourceConfig(csv=str(path)), tmp_path, "orders", reference=baseline)


@pytest.fixture
def baseline():
    return profile_dataframe(BASELINE, "orders")


@pytest.mark.parametrize(
    ("name", "kind", "write"),
    [
        # a header and no rows: DuckDB reads every column as text
        ("batch.csv", "csv", lambda path: path.write_text("amount,country\n")),
        # a typed empty Parquet file
        ("batch.parquet", "parquet", lambda path: BASELINE.iloc[:0].to_parquet(path)),
    ],
)
def test_an_empty_batch_errors_on_distribution_and_keeps_the_schema(
    tmp_path, baseline, name, kind, write
):
    path = tmp_path / name
    write(path)
    profile = profile_source(SourceConfig(**{kind: name}), tmp_path, "orders", reference=baseline)
    assert profile.row_count == 0
    schema, nulls, shift = evaluate_all(profile, baseline, DriftPolicy())
    assert schema.passed, schema.description
    assert nulls.passed
    assert (shift.passed, shift.severity.value) == (False, "ERROR")
    assert (
        shift.description
        == "the batch is empty: 0 rows, the baseline had 500; nothing left to compare"
    )


def test_a_header_only_batch_says_types_were_not_compared(tmp_path, baseline):
    schema = evaluate_all(
        profile_csv(tmp_path, "amount,country\n", baseline), baseline, DriftPolicy()
    )[0]
    assert (
        schema.description
        == "schema unchanged (2 columns) (types not compared: the batch has no rows)"
    )


def test_a_removed_column_still_fails_in_an_empty_batch(tmp_path, baseline):
    schema = evaluate_all(profile_csv(tmp_path, "amount\n", baseline), baseline, DriftPolicy())[0]
    assert (schema.passed, schema.severity.value) == (False, "ERROR")
    assert "removed country" in schema.description
