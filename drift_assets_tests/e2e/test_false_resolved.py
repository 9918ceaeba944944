"""No false "resolved": the sequence a user hit. Three checks fail and are announced;
the dataset file breaks (the dataset leaves the code location) and is fixed, and
``dagster dev`` restarts. The router must send nothing for the three checks: their
latest evaluations failed and their data has not changed. It used to re-read their
history from the start and took an old passing evaluation for a recovery.

Real dataset file, real in-process runs, a real instance on both SQLite storages
(restarted: a new instance on the same folder), the sensor evaluated through its
own function with the cursor carried from tick to tick as the daemon stores it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from dagster import build_sensor_context, instance_for_test, materialize

from drift_assets.defs.alert_sensor import build_alert_sensor
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.location import build_definitions
from drift_assets.defs.resources import DriftStoreResource, SlackAlertsResource
from drift_assets.settings.dataset_file import load_config
from drift_assets.store.outbox import Outbox
from drift_assets_tests.defs.test_alert_sensor import overrides

DATASET = "  - {name: orders, source: {csv: orders.csv}, policy: {baseline: %s}}\n"
CHECKS = {"schema_change", "null_rate", "distribution_shift"}
ROWS = 300


def write_orders(folder, *, drifted: bool) -> None:
    """A good batch, or one that trips all three checks: a new column, a third of
    the e-mails missing and amounts 50% higher."""
    header = "order_id,amount,email" + (",coupon" if drifted else "")
    lines = [header]
    for i in range(ROWS):
        amount = (40 + i % 50) * (1.5 if drifted else 1.0)
        email = "" if drifted and i % 3 == 0 else f"u{i}@example.com"
        lines.append(f"{i},{amount},{email}" + (",SAVE10" if drifted else ""))
    (folder / "orders.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


class Project:
    """The dataset file, the code location Dagster would load from it, and the router."""

    def __init__(self, folder, store: DriftStoreResource):
        self.folder, self.store = folder, store
        self.cursor: str | None = None
        self.write_config("previous")

    def write_config(self, baseline: str) -> None:
        text = "datasets:\n" + DATASET % baseline
        (self.folder / "datasets.yaml").write_text(text, encoding="utf-8")
        # Loading is what a reload or a restart of `dagster dev` does.
        config = load_config(self.folder / "datasets.yaml", strict=False)
        self.defs = build_definitions(config)
        self.config = config
        # The location's own sensor, on a clock the test sets.
        self.sensor = build_alert_sensor(config, clock=lambda: self.now)

    def run(self, instance, *, drifted: bool) -> dict[str, bool]:
        write_orders(self.folder, drifted=drifted)
        result = materialize(
            [build_dataset_asset(self.config.dataset("orders"), self.folder)],
            instance=instance,
            resources={"drift_store": self.store},
        )
        verdicts = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
        # Every batch has the same number of rows: the volume check passes throughout.
        assert verdicts.pop("row_count") is True
        return verdicts

    def tick(self, instance, now: datetime) -> None:
        self.now = now
        context = build_sensor_context(
            instance=instance,
            cursor=self.cursor,
            resources={"drift_store": self.store, "slack_alerts": SlackAlertsResource()},
            definitions=self.defs,
        )
        result = self.sensor.evaluate_tick(context)
        self.cursor = result.cursor

    def routed(self, since_id: int = 0) -> list[tuple[str, str]]:
        rows = Outbox(self.store.get_store()).rows()
        return sorted(
            (r.kind.value, r.check_name)
            for r in rows
            if r.asset_key == "orders" and r.outbox_id > since_id
        )


@pytest.mark.parametrize("kind", ["run_sharded", "consolidated"])
def test_fixing_the_dataset_file_and_restarting_sends_no_false_resolved(kind, tmp_path):
    (tmp_path / "home").mkdir()
    home = str(tmp_path / "home")
    project = Project(tmp_path, DriftStoreResource(database=str(tmp_path / "drift.duckdb")))
    with instance_for_test(temp_dir=home, overrides=overrides(kind, home)) as instance:
        # Weeks ago, before the router ran: a good batch, an incident, a good batch.
        assert project.run(instance, drifted=False) == dict.fromkeys(CHECKS, True)
        assert project.run(instance, drifted=True) == dict.fromkeys(CHECKS, False)
        assert project.run(instance, drifted=False) == dict.fromkeys(CHECKS, True)
        first_tick = datetime.now(UTC) + timedelta(hours=2)  # past the initial lookback
        project.tick(instance, first_tick)
        assert project.routed() == []

        # The data drifts again: three alerts.
        assert project.run(instance, drifted=True) == dict.fromkeys(CHECKS, False)
        project.tick(instance, first_tick + timedelta(minutes=1))
        assert project.routed() == sorted(("alert", c) for c in CHECKS)
        (last,) = Outbox(project.store.get_store()).rows(limit=1)

        # A mistake in the dataset file: the location reloads without the dataset.
        project.write_config("last")
        # It stays in the catalog as a placeholder saying why, with no checks to run.
        assert "orders" in project.config.left_out
        checks = project.defs.resolve_asset_graph().asset_check_keys
        assert "orders" not in {k.asset_key.to_user_string() for k in checks}
        project.tick(instance, first_tick + timedelta(minutes=2))

    # Fixed, and `dagster dev` restarted: a new instance on the same folder.
    project.write_config("previous")
    with instance_for_test(temp_dir=home, overrides=overrides(kind, home)) as instance:
        project.tick(instance, first_tick + timedelta(minutes=3))
        assert project.routed(last.outbox_id) == []
        state = {c: Outbox(project.store.get_store()).state("orders", c) for c in CHECKS}
        assert all(s.firing for s in state.values())

        # Only a newer passing evaluation resolves.
        assert project.run(instance, drifted=False) == dict.fromkeys(CHECKS, True)
        project.tick(instance, first_tick + timedelta(minutes=5))
        assert project.routed(last.outbox_id) == sorted(("resolved", c) for c in CHECKS)
