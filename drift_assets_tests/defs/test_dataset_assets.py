"""A dataset asset reports all three checks whatever the data does, and a batch
it cannot read fails the step with one line saying why."""

from __future__ import annotations

from dataclasses import replace

import pytest
from dagster import DagsterInstance, materialize

from drift_assets.checks.families import evaluate_all
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.dataset_file import load_config
from drift_assets.settings.policy import DriftPolicy

ROWS = 200


@pytest.fixture
def project(tmp_path):
    (tmp_path / "datasets.yaml").write_text(
        "datasets:\n  - {name: people, source: {csv: people.csv}}\n", encoding="utf-8"
    )
    config = load_config(tmp_path / "datasets.yaml")
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    return tmp_path, build_dataset_asset(config.datasets[0], config.base_dir), store


def write_people(folder, sexes):
    lines = ["sex,weight"] + [f"{sexes[i % 2]},{60 + i % 37}" for i in range(ROWS)]
    (folder / "people.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def materialize_once(asset_def, store, instance):
    result = materialize(
        [asset_def], instance=instance, resources={"drift_store": store}, raise_on_error=False
    )
    return result, {e.check_name: e for e in result.get_asset_check_evaluations()}


def test_recoded_labels_are_an_error_and_every_check_reports(project):
    # The most common real drift (male/female -> M/F) used to crash the step
    # with no check result and no profile stored.
    folder, asset_def, store = project
    with DagsterInstance.ephemeral() as instance:
        write_people(folder, ["male", "female"])
        materialize_once(asset_def, store, instance)
        write_people(folder, ["M", "F"])
        result, checks = materialize_once(asset_def, store, instance)
    assert result.success
    assert set(checks) == {"schema_change", "null_rate", "distribution_shift", "row_count"}
    shift = checks["distribution_shift"]
    assert (shift.passed, shift.severity.value) == (False, "ERROR")
    assert "sex" in shift.description
    assert checks["schema_change"].passed and checks["null_rate"].passed
    assert len(store.get_store().recent_profiles("people", 5)) == 2


def test_a_check_that_raises_is_an_error_result_and_the_profile_is_stored(project):
    folder, asset_def, store = project
    with DagsterInstance.ephemeral() as instance:
        write_people(folder, ["male", "female"])
        materialize_once(asset_def, store, instance)
        # A stored baseline that is inconsistent (more nulls than rows): the
        # null-rate test refuses it, and that must not silence the batch.
        drift_store = store.get_store()
        (baseline,) = drift_store.recent_profiles("people", 1)
        broken = replace(
            baseline,
            profile_id=None,
            columns=tuple(
                replace(c, null_count=10 * ROWS) if c.name == "weight" else c
                for c in baseline.columns
            ),
        )
        drift_store.record_evaluation(
            profile=broken,
            asset_key="people",
            run_id=None,
            baseline=None,
            baseline_strategy="previous",
            outcomes=evaluate_all(broken, None, DriftPolicy()),
        )
        result, checks = materialize_once(asset_def, store, instance)
    assert result.success
    assert set(checks) == {"schema_change", "null_rate", "distribution_shift", "row_count"}
    nulls = checks["null_rate"]
    assert (nulls.passed, nulls.severity.value) == (False, "ERROR")
    assert nulls.description.startswith("1 column could not be evaluated: weight (ValueError")
    assert len(store.get_store().recent_profiles("people", 5)) == 3


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (None, "people.csv: file not found"),
        (b"", "people.csv: the file is empty"),
    ],
)
def test_a_batch_that_cannot_be_read_fails_the_step_with_one_line(project, content, expected):
    folder, asset_def, store = project
    if content is not None:
        (folder / "people.csv").write_bytes(content)
    with DagsterInstance.ephemeral() as instance:
        result, checks = materialize_once(asset_def, store, instance)
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert message.startswith("dagster._core.definitions.events.Failure: dataset people: ")
    assert expected in message and "\n" not in message.strip()
    assert store.get_store().check_history() == []


def test_a_blocking_schema_failure_says_what_changed_and_how_to_accept_it(project):
    folder, asset_def, store = project
    with DagsterInstance.ephemeral() as instance:
        write_people(folder, ["F", "M"])
        materialize_once(asset_def, store, instance)
        (folder / "people.csv").write_text("sex\nF\nM\n" * 50, encoding="utf-8")
        result, checks = materialize_once(asset_def, store, instance)
    assert not result.success and checks["schema_change"].passed is False
    # The results are recorded before the step fails, and the UI suggests the next step.
    assert checks["schema_change"].metadata["next_step"].value == (
        "if this change is intended: Accept as new baseline (Slack), or"
        " `drift-assets baseline accept people`"
    )
    failure = next(e for e in result.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert (
        "people is blocked, downstream assets do not run: schema_change: schema changed, 1 change:"
        " removed weight (integer). If this change is intended: Accept as new baseline (Slack)"
    ) in message
    assert "`drift-assets baseline accept people`; otherwise fix the source" in message
    assert "blocking asset check failed" not in message
