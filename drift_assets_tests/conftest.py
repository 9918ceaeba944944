"""Shared fixtures: a copy of the repo's dataset file in a temporary folder, and
14 demo days played once per test session against a real DuckDB store."""

from __future__ import annotations

import itertools
import shutil
from datetime import date
from pathlib import Path

import pytest
from dagster import DagsterInstance

from drift_assets.cli.demo import accept_as_typed
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.demo.runner import run_demo_days
from drift_assets.settings.dataset_file import load_config

REPO = Path(__file__).resolve().parents[1]
DEMO_DAYS = 14
# The demo plays real dates ending "today"; the tests fix today.
DEMO_TODAY = date(2026, 11, 30)


@pytest.fixture(scope="session")
def demo_project(tmp_path_factory):
    """The repo's datasets.yaml in a folder of its own (demo data is written beside it)."""
    folder = tmp_path_factory.mktemp("demo_project")
    shutil.copy(REPO / "datasets.yaml", folder / "datasets.yaml")
    return load_config(folder / "datasets.yaml")


@pytest.fixture(scope="session")
def played_demo(demo_project, tmp_path_factory):
    """Every demo day played in-process; returns (days, store resource)."""
    store = DriftStoreResource(database=str(tmp_path_factory.mktemp("store") / "drift.duckdb"))
    with DagsterInstance.ephemeral() as instance:
        days = run_demo_days(
            demo_project,
            range(1, DEMO_DAYS + 1),
            instance,
            accept=accept_as_typed,
            today=DEMO_TODAY,
            store=store,
        )
    return days, store


@pytest.fixture(scope="session")
def postgres():
    """One real PostgreSQL server for the session (drift_assets_tests.postgres_server)."""
    from drift_assets_tests import postgres_server

    server = postgres_server.start()
    try:
        yield server
    finally:
        postgres_server.stop(server)


_databases = itertools.count()


@pytest.fixture(params=["duckdb", "postgres"])
def store_target(request, tmp_path) -> str:
    """Where a test's empty store lives, once per backend: a DuckDB file in the
    test's folder, or a fresh database on the session's Postgres server (which
    must start: without it the Postgres cases fail, never skip)."""
    if request.param == "duckdb":
        return str(tmp_path / "drift.duckdb")
    server = request.getfixturevalue("postgres")
    return server.create_database(f"store_{next(_databases)}")
