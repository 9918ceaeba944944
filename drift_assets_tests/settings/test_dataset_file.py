"""The dataset file: what loads, and that every mistake names file, dataset and field."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
from dagster import DagsterInvalidDefinitionError, ScheduleDefinition

from drift_assets.settings.dataset_file import ConfigError, is_valid_cron, load_config

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "datasets.yaml"
    path.write_text(textwrap.dedent(text))
    return path


def test_repo_dataset_file_is_valid():
    config = load_config(REPO / "datasets.yaml")
    assert [d.name for d in config.datasets] == ["orders", "customers", "web_events"]
    assert config.base_dir == REPO
    assert config.dataset("orders").policy.distribution_for("created_at").enabled is False


def test_defaults_apply_and_datasets_override_them(tmp_path):
    path = write(
        tmp_path,
        """
        defaults:
          channel: "#all"
          policy: {top_k: 10, null_rate: {max_increase_pp: {warn: 3}}}
        datasets:
          - name: a
            source: {csv: a.csv}
          - name: b
            channel: "#b"
            source: {parquet: b.parquet}
            policy: {baseline: "rolling:7", null_rate: {max_increase_pp: {error: 9}}}
        """,
    )
    a, b = load_config(path).datasets
    assert (a.channel, b.channel) == ("#all", "#b")
    assert a.policy.top_k == b.policy.top_k == 10
    # A partial tier keeps the other tier from the level above.
    assert b.policy.null_rate.max_increase_pp.warn == 3
    assert b.policy.null_rate.max_increase_pp.error == 9
    assert b.policy.rolling_window == 7


def test_column_overrides_merge_into_the_dataset_policy(tmp_path):
    path = write(
        tmp_path,
        """
        datasets:
          - name: a
            source: {csv: a.csv}
            policy:
              ignore_columns: [id]
              columns:
                price: {distribution_shift: {psi: {warn: 0.2}}}
                note: {ignore: true}
        """,
    )
    policy = load_config(path).dataset("a").policy
    assert policy.distribution_for("price").psi.warn == 0.2
    assert policy.distribution_for("price").psi.error == policy.distribution_shift.psi.error
    assert policy.distribution_for("other") == policy.distribution_shift
    assert policy.is_ignored("id") and policy.is_ignored("note")
    assert not policy.is_ignored("price")


@pytest.mark.parametrize(
    ("dataset_yaml", "expected"),
    [
        # a typo in a field name
        ("{name: a, source: {csv: a.csv}, shedule: '0 6 * * *'}", "dataset 'a': field shedule: unknown field"),
        # no source at all
        ("{name: a}", "dataset 'a': field source: Field required"),
        # two sources
        ("{name: a, source: {csv: a.csv, parquet: a.parquet}}", "expected exactly one of csv, parquet, glob or sql, got csv, parquet"),
        # not a cron expression
        ("{name: a, source: {csv: a.csv}, schedule: 'every day'}", "field schedule: 'every day' is not a valid cron expression"),
        # unknown baseline strategy
        ("{name: a, source: {csv: a.csv}, policy: {baseline: last}}", "field policy.baseline: expected 'previous', 'pinned', 'rolling:N' (N >= 1) or 'latest', got 'last'"),
        # tiers the wrong way round
        ("{name: a, source: {csv: a.csv}, policy: {null_rate: {max_increase_pp: {warn: 30, error: 10}}}}", "warn (30.0) must not be above error (10.0)"),
        # a bad key inside a column override names the column
        ("{name: a, source: {csv: a.csv}, policy: {columns: {price: {distribution_shift: {pzi: 1}}}}}", "field policy: columns.price.distribution_shift.pzi: unknown field"),
        # a name Dagster cannot use
        ("{name: 'my orders', source: {csv: a.csv}}", "field name: 'my orders' is not usable as a Dagster name"),
        # no name: the position is named instead
        ("{source: {csv: a.csv}}", "datasets[0]: field name: Field required"),
    ],
)
def test_mistakes_name_file_dataset_and_field(tmp_path, dataset_yaml, expected):
    path = write(tmp_path, f"datasets:\n  - {dataset_yaml}\n")
    with pytest.raises(ConfigError) as error:
        load_config(path)
    message = str(error.value)
    assert message.startswith(str(path))
    assert expected in message
    assert "https://" not in message  # no pydantic URLs in front of people


def test_duplicate_names_are_rejected(tmp_path):
    path = write(
        tmp_path,
        """
        datasets:
          - {name: a, source: {csv: a.csv}}
          - {name: a, source: {csv: b.csv}}
        """,
    )
    with pytest.raises(ConfigError, match="dataset 'a': the name is used by an earlier dataset"):
        load_config(path)


def test_invalid_yaml_says_where(tmp_path):
    path = write(tmp_path, "datasets:\n  - name: a\n    source: {csv: a.csv\n")
    with pytest.raises(ConfigError, match=r"line \d+, column \d+: not valid YAML"):
        load_config(path)


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="cannot read the dataset file"):
        load_config(tmp_path / "nope.yaml")


def test_environment_variable_chooses_the_file(tmp_path, monkeypatch):
    path = write(tmp_path, "datasets:\n  - {name: envy, source: {csv: a.csv}}\n")
    monkeypatch.setenv("DRIFT_ASSETS_CONFIG", str(path))
    assert load_config().datasets[0].name == "envy"


def test_lenient_loading_keeps_the_good_datasets(tmp_path):
    path = write(
        tmp_path,
        """
        datasets:
          - {name: good, source: {csv: a.csv}}
          - {name: bad, source: {csv: a.csv}, schedule: nope}
          - {name: also_good, source: {sql: "select 1 as x"}}
        """,
    )
    config = load_config(path, strict=False)
    assert [d.name for d in config.datasets] == ["good", "also_good"]
    assert len(config.errors) == 1 and "dataset 'bad': field schedule" in config.errors[0]


def test_lenient_loading_of_a_broken_file_gives_no_datasets_and_the_error(tmp_path):
    path = write(tmp_path, "- just\n- a list\n")
    config = load_config(path, strict=False)
    assert config.datasets == ()
    assert config.errors == (f"{path}: expected a mapping with a 'datasets' list at the top",)


@pytest.mark.parametrize(
    "expression",
    [
        "0 6 * * *",
        "@daily",  # a croniter macro
        "*/15 9-17 * * MON-FRI",
        "0 0 L * *",  # the last day of the month
        "0 0 30 2 *",  # a day that never comes
        "0 6 * * * *",  # six fields (seconds)
        "0 6 * *",
        "every day",
    ],
)
def test_a_schedule_is_accepted_exactly_when_dagster_accepts_it(expression):
    try:
        ScheduleDefinition(name="s", cron_schedule=expression, target="*")
        dagster_accepts = True
    except DagsterInvalidDefinitionError:
        dagster_accepts = False
    assert is_valid_cron(expression) is dagster_accepts
