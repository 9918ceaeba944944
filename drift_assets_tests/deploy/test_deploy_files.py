"""deploy/: no container engine runs here, so the stack is held to what can be
checked without one: every service's image, command, environment and
dependencies, that each command names something this project really has, and that
no secret is written into a file."""

from __future__ import annotations

import importlib
import re
import shlex

import pytest
import yaml
from click.testing import CliRunner

from drift_assets.cli import main as cli_main
from drift_assets_tests.conftest import REPO

DEPLOY = REPO / "deploy"
IMAGE = "drift_assets:latest"


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((DEPLOY / "docker-compose.yaml").read_text())


def test_every_service_has_its_image_command_and_dependencies(compose):
    services = compose["services"]
    assert set(services) == {"postgres", "code", "webserver", "daemon", "actions"}
    assert services["postgres"]["image"] == "postgres:15"
    for name in ("code", "webserver", "daemon", "actions"):
        service = services[name]
        assert service["image"] == IMAGE, name
        assert service["depends_on"]["postgres"] == {"condition": "service_healthy"}, name
    # Only the code service builds the image; the others reuse it.
    assert [n for n, s in services.items() if "build" in s] == ["code"]
    assert services["code"]["build"]["dockerfile"] == "deploy/Dockerfile"
    for name in ("webserver", "daemon"):
        assert services[name]["depends_on"]["code"] == {"condition": "service_started"}
    assert "pg_isready" in " ".join(services["postgres"]["healthcheck"]["test"])


def test_the_code_server_serves_this_projects_definitions_on_the_workspace_port(compose):
    command = compose["services"]["code"]["command"]
    assert command[:3] == ["dagster", "code-server", "start"]
    module = command[command.index("-m") + 1]
    assert hasattr(importlib.import_module(module), "defs")
    workspace = yaml.safe_load((DEPLOY / "workspace.yaml").read_text())
    (grpc,) = [entry["grpc_server"] for entry in workspace["load_from"]]
    assert grpc["host"] == "code"
    assert str(grpc["port"]) == command[command.index("-p") + 1]
    for name in ("webserver", "daemon"):
        service_command = compose["services"][name]["command"]
        assert service_command[service_command.index("-w") + 1] == "workspace.yaml"
    assert compose["services"]["webserver"]["command"][0] == "dagster-webserver"
    assert compose["services"]["daemon"]["command"][:2] == ["dagster-daemon", "run"]


def test_the_actions_service_runs_a_real_cli_command(compose):
    command = compose["services"]["actions"]["command"]
    assert command[:2] == ["drift-assets", "serve-actions"]
    # The options it passes exist: --help of that command lists them.
    help_text = CliRunner().invoke(cli_main, ["serve-actions", "--help"]).output
    for option in (part for part in command[2:] if part.startswith("--")):
        assert option in help_text


def test_every_dagster_service_reaches_both_stores_through_postgres(compose):
    for name in ("code", "webserver", "daemon", "actions"):
        env = compose["services"][name]["environment"]
        assert env["DAGSTER_PG_HOST"] == "postgres", name
        assert env["DRIFT_ASSETS_DB"].startswith("postgresql://"), name
    assert "SLACK_SIGNING_SECRET" in compose["services"]["actions"]["environment"]
    # The instance settings the image copies read exactly those variables.
    instance = (DEPLOY / "dagster.yaml").read_text()
    for variable in re.findall(r"env: (DAGSTER_PG_\w+)", instance):
        assert variable in compose["services"]["code"]["environment"]


def test_no_secret_is_written_into_a_deploy_file(compose):
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            if re.search(r"PASSWORD|SECRET|TOKEN", key):
                assert str(value).startswith("${"), f"{name}.{key} is written in the file"
        url = (service.get("environment") or {}).get("DRIFT_ASSETS_DB", "")
        assert "${DAGSTER_PG_PASSWORD}" in url or not url
    helm = (DEPLOY / "helm" / "values.yaml").read_text()
    assert not re.search(r"(?i)password:\s*\S", helm)


def test_the_dockerfile_copies_only_what_exists():
    for line in (DEPLOY / "Dockerfile").read_text().splitlines():
        if line.startswith("COPY "):
            *sources, _target = shlex.split(line)[1:]
            for source in sources:
                assert (REPO / source).exists(), source


def test_helm_values_run_steps_as_kubernetes_jobs_of_this_code():
    values = yaml.safe_load((DEPLOY / "helm" / "values.yaml").read_text())
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    args = deployment["dagsterApiGrpcArgs"]
    assert hasattr(importlib.import_module(args[args.index("-m") + 1]), "defs")
    assert values["runLauncher"]["type"] == "K8sRunLauncher"
    launcher = values["runLauncher"]["config"]["k8sRunLauncher"]
    # Run pods get the same secrets (the store URL among them) and data volume.
    assert launcher["envSecrets"] == deployment["envSecrets"]
    assert launcher["volumeMounts"] == deployment["volumeMounts"]
    assert values["postgresql"]["enabled"] is False
