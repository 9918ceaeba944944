"""The dg components: a fresh dg project adopts drift monitoring with `dg scaffold
defs`, several instances live side by side, and editors get the schema."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from drift_assets import DriftAlerts, DriftChecks, DriftDatasets
from drift_assets.checks.outcome import CHECK_NAMES
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.alert_routes import AlertsConfig

DG = Path(sys.executable).parent / "dg"

# A Polars asset of the project's own, which DriftChecks finds by its group.
ANALYTICS = """
import dagster as dg
import polars as pl


@dg.asset(group_name="analytics")
def sales() -> pl.DataFrame:
    return pl.DataFrame({"amount": [float(i % 17) for i in range(200)], "region": ["n", "s"] * 100})
"""


def test_the_components_are_registered_for_dg():
    # Installed by `pip install -e .`: after pulling this, `make` reinstalls.
    registered = importlib.metadata.entry_points(group="dagster_dg_cli.registry_modules")
    assert "drift_assets" in {e.value for e in registered}, "reinstall: pip install -e '.[test]'"


def test_editors_get_the_dataset_file_schema():
    schema = DriftDatasets.get_model_cls().model_json_schema()
    dataset = schema["properties"]["datasets"]
    fields = dataset["items"]["properties"]
    assert {"name", "source", "schedule", "policy", "owners", "channel"} <= set(fields)
    assert {"csv", "parquet", "glob", "sql"} <= set(fields["source"]["properties"])
    assert "key_prefix" in schema["properties"]
    alerts = DriftAlerts.get_model_cls().model_json_schema()["properties"]
    # Every field of an alerts: section, so a new one cannot be forgotten here.
    assert set(AlertsConfig.model_fields) | {"file"} == set(alerts)
    assert "assets" in DriftChecks.get_model_cls().model_json_schema()["required"]


def run_dg(project: Path, *args: str, env: dict[str, str]) -> str:
    done = subprocess.run(
        [str(DG), *args], cwd=project, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, f"dg {' '.join(args)}:\n{done.stdout}\n{done.stderr}"
    return done.stdout


def new_project(folder: Path, name: str) -> Path:
    """A dg project with one Polars asset: what `dg init` writes, without its network
    round trip. Returns its package folder."""
    project = folder / name
    package = project / "src" / name
    (package / "defs").mkdir(parents=True)
    (project / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [project]
            name = "{name}"
            version = "0.1.0"
            requires-python = ">=3.11"

            [tool.dg]
            directory_type = "project"

            [tool.dg.project]
            root_module = "{name}"
            """
        )
    )
    (package / "__init__.py").write_text("")
    (package / "defs" / "__init__.py").write_text("")
    (package / "defs" / "analytics.py").write_text(ANALYTICS)
    (package / "definitions.py").write_text(
        "from pathlib import Path\n\nimport dagster as dg\n\n\n@dg.definitions\ndef defs():\n"
        "    return dg.load_from_defs_folder(path_within_project=Path(__file__).parent)\n"
    )
    return package


def add(package: Path, folder: str, defs_yaml: str) -> Path:
    (package / "defs" / folder).mkdir()
    (package / "defs" / folder / "defs.yaml").write_text(textwrap.dedent(defs_yaml))
    return package / "defs" / folder


def test_instances_side_by_side_check_a_polars_asset_in_process(tmp_path, monkeypatch):
    package = new_project(tmp_path, "shop_in_process")
    for folder, prefix in (("ours", ""), ("theirs", "\n              key_prefix: [theirs]")):
        data = add(
            package,
            folder,
            f"""
            type: drift_assets.DriftDatasets
            attributes:
              datasets:
                - {{name: orders, source: {{csv: orders.csv}}, schedule: null}}{prefix}
            """,
        )
        rows = "".join(f"{i},{i % 13}.5\n" for i in range(100))
        (data / "orders.csv").write_text("id,amount\n" + rows)  # relative to its folder
    add(
        package,
        "checks",
        "type: drift_assets.DriftChecks\nattributes:\n  assets: group:analytics\n",
    )
    add(package, "alerts", "type: drift_assets.DriftAlerts\nattributes:\n  channel: '#data'\n")
    monkeypatch.syspath_prepend(str(package.parent))
    defs = dg.load_from_defs_folder(path_within_project=package)

    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert keys == {
        "orders",
        "dataset_config",
        "theirs/orders",
        "theirs/dataset_config",
        "sales",
        "checks/drift_checks_config",
        "drift_alert_router",
    }
    assert set(defs.resources) == {"drift_store", "slack_alerts"}  # bound once for all
    sensors = {s.name for s in defs.sensors}
    assert sensors == {
        "drift_alert_router",
        "dataset_config_status",
        "theirs__dataset_config_status",
        "checks__drift_checks_config_status",
    }
    assert {s.name for s in defs.schedules} == set()  # schedule: null
    store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            selection=["orders", "theirs/orders", "sales"],
            instance=instance,
            resources={"drift_store": store},
        )
    assert len(result.get_asset_check_evaluations()) == 3 * len(CHECK_NAMES)
    # Each instance's dataset is its own history, baselines included.
    stored = {(r.dataset, r.asset_key, r.passed) for r in store.get_store().check_history()}
    assert stored == {
        ("orders", "orders", True),
        ("theirs/orders", "theirs/orders", True),
        ("sales", "sales", True),
    }


@pytest.mark.slow
def test_a_fresh_dg_project_adopts_drift_monitoring_with_dg_scaffold(tmp_path):
    package = new_project(tmp_path, "shop")
    project = package.parents[1]
    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    store = home / "drift.duckdb"
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DRIFT_ASSETS_DB": str(store),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(project / "src"), *sys.path])),
    }

    run_dg(project, "scaffold", "defs", "drift_assets.DriftDatasets", "my_datasets", env=env)
    written = (package / "defs" / "my_datasets" / "defs.yaml").read_text()
    assert written.startswith("type: drift_assets.DriftDatasets\nattributes:")
    # The router, and the checks on the Polars asset (instances side by side: above).
    run_dg(project, "scaffold", "defs", "drift_assets.DriftAlerts", "alerts", env=env)
    add(
        package,
        "checks",
        "type: drift_assets.DriftChecks\nattributes:\n  assets: group:analytics\n",
    )

    assert "All definitions loaded successfully" in run_dg(project, "check", "defs", env=env)
    listed = json.loads(run_dg(project, "list", "defs", "--json", env=env))
    assert {a["asset_key"] for a in listed["assets"]} == {
        "example",
        "dataset_config",
        "sales",
        "checks/drift_checks_config",
        "drift_alert_router",
    }
    checks = {c["key"] for c in listed["asset_checks"]}
    assert {"example:schema_change", "dataset_config:valid", "sales:distribution_shift"} <= checks
    assert {s["name"] for s in listed["schedules"]} == {"example_schedule"}
    assert {s["name"] for s in listed["sensors"]} == {
        "drift_alert_router",
        "dataset_config_status",
        "checks__drift_checks_config_status",
    }

    in_process = json.dumps({"execution": {"config": {"in_process": {}}}})
    run_dg(project, "launch", "--assets", "example,sales", "--config-json", in_process, env=env)
    history = DriftStoreResource(database=str(store)).get_store().check_history()
    assert {(r.asset_key, r.check_name) for r in history} == {
        (asset, check) for asset in ("example", "sales") for check in CHECK_NAMES
    }
    assert all(r.passed for r in history)


def test_a_broken_alerts_component_halts_the_router_and_the_location_still_loads(
    tmp_path, monkeypatch
):
    package = new_project(tmp_path, "shop_broken_alerts")
    data = add(
        package,
        "ours",
        """
        type: drift_assets.DriftDatasets
        attributes:
          datasets:
            - {name: orders, source: {csv: orders.csv}, schedule: null}
        """,
    )
    (data / "orders.csv").write_text("id,amount\n" + "".join(f"{i},{i}.5\n" for i in range(50)))
    add(package, "alerts", "type: drift_assets.DriftAlerts\nattributes:\n  min_severity: LOUD\n")
    monkeypatch.syspath_prepend(str(package.parent))
    defs = dg.load_from_defs_folder(path_within_project=package)

    assert "orders" in {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    (router,) = [s for s in defs.sensors if s.name == "drift_alert_router"]
    assert "alerts/defs.yaml" in router.description and "min_severity" in router.description
    with dg.DagsterInstance.ephemeral() as instance:
        ticks = []
        for _ in range(2):
            context = dg.build_sensor_context(instance=instance, cursor="kept", definitions=defs)
            ticks.append(router.evaluate_tick(context))
            for event in ticks[-1].asset_events:  # what the daemon does with a tick's events
                instance.report_runless_asset_event(event)
        # The failure is recorded once, then each tick only says why it skipped.
        (recorded,) = ticks[0].asset_events
        assert not recorded.passed and "min_severity" in recorded.description
        assert ticks[1].asset_events == [] and "min_severity" in ticks[1].skip_message
        # Never moved: once fixed, the router goes on from where it stopped.
        assert {t.cursor for t in ticks} == {"kept"}
        store = DriftStoreResource(database=str(tmp_path / "drift.duckdb"))
        checked = dg.materialize(
            [*defs.assets, *defs.asset_checks],
            selection=dg.AssetSelection.assets("orders")
            | dg.AssetSelection.checks_for_assets("drift_alert_router"),
            instance=instance,
            resources={"drift_store": store},
        )
    (health,) = [
        e for e in checked.get_asset_check_evaluations() if e.check_name == "alerts_delivered"
    ]
    assert not health.passed and "alerts configuration is fixed" in health.description
    assert {e.check_name for e in checked.get_asset_check_evaluations()} >= set(CHECK_NAMES)


@pytest.mark.parametrize(
    ("attributes", "says"),
    [
        (
            "assets: group:analytics\n  policy: {baseline: yesterday}",
            "policy: baseline: expected 'previous'",
        ),
        ("assets: group:nowhere", "assets: 'group:nowhere' selects no asset"),
        ("assets: 'key:(('", "assets: 'key:(('"),
        ("assets: group:analytics\n  defs: [gone]", "defs: no such folder"),
    ],
    ids=["policy", "empty_selection", "bad_selection", "missing_folder"],
)
def test_a_broken_checks_component_shows_red_and_the_location_still_loads(
    tmp_path, monkeypatch, attributes, says
):
    package = new_project(tmp_path, f"shop_broken_checks_{abs(hash(attributes))}")
    add(package, "checks", f"type: drift_assets.DriftChecks\nattributes:\n  {attributes}\n")
    monkeypatch.syspath_prepend(str(package.parent))
    defs = dg.load_from_defs_folder(path_within_project=package)

    assert {k.to_user_string() for k in defs.resolve_all_asset_keys()} == {
        "sales",
        "checks/drift_checks_config",
    }
    assert not defs.asset_checks or all(
        k.name == "valid" for c in defs.asset_checks for k in c.check_keys
    )
    (sensor,) = defs.sensors
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, definitions=defs)
        (evaluation,) = sensor.evaluate_tick(context).asset_events
    # Red at once, in one line naming the file and the field.
    assert not evaluation.passed
    assert evaluation.description.startswith(str(package / "defs" / "checks" / "defs.yaml"))
    assert says in evaluation.description and "\n" not in evaluation.description


def test_a_checks_component_status_names_the_assets_it_checks(tmp_path, monkeypatch):
    package = new_project(tmp_path, "shop_checks_status")
    add(package, "checks", "type: drift_assets.DriftChecks\nattributes:\n  assets: '*'\n")
    monkeypatch.syspath_prepend(str(package.parent))
    defs = dg.load_from_defs_folder(path_within_project=package)
    checked = {
        (k.asset_key.to_user_string(), k.name) for c in defs.asset_checks for k in c.check_keys
    }
    # '*' is every asset of the other folders: never its own status asset.
    assert checked == {("sales", name) for name in CHECK_NAMES}
    (sensor,) = defs.sensors
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, definitions=defs)
        (evaluation,) = sensor.evaluate_tick(context).asset_events
    assert evaluation.passed
    assert evaluation.description == "1 asset(s) with drift checks valid: sales"


def test_two_checks_instances_in_one_file_keep_their_own_status(tmp_path, monkeypatch):
    package = new_project(tmp_path, "shop_two_checks")
    two = (
        "type: drift_assets.DriftChecks\nattributes:\n  assets: group:analytics\n---\n"
        "type: drift_assets.DriftChecks\nattributes:\n  assets: group:nowhere\n"
    )
    add(package, "checks", two)
    monkeypatch.syspath_prepend(str(package.parent))
    defs = dg.load_from_defs_folder(path_within_project=package)

    assert {k.to_user_string() for k in defs.resolve_all_asset_keys()} == {
        "sales",
        "checks/drift_checks_config",
        "checks/drift_checks_config_1",
    }
    with dg.DagsterInstance.ephemeral() as instance:
        context = dg.build_sensor_context(instance=instance, definitions=defs)
        said = {
            e.asset_key.to_user_string(): e
            for sensor in defs.sensors
            for e in sensor.evaluate_tick(context).asset_events
        }
    assert said["checks/drift_checks_config"].passed
    assert not said["checks/drift_checks_config_1"].passed
    assert "selects no asset" in said["checks/drift_checks_config_1"].description
