"""DRIFT_ASSETS_EXECUTOR picks the executor of every dataset job: Dagster's default,
or each step a Kubernetes pod (what deploy/helm/values.yaml sets); a value it does
not know is one line in dataset_config's errors, and the location still loads."""

from __future__ import annotations

import pytest
import yaml

from drift_assets.defs.location import build_definitions
from drift_assets.settings.dataset_file import load_config
from drift_assets_tests.conftest import REPO


def _orders_job_executor(demo_project):
    return build_definitions(demo_project).resolve_job_def("orders_job").executor_def.name


@pytest.mark.parametrize(
    ("setting", "executor"),
    [
        (None, "multi_or_in_process_executor"),
        ("multiprocess", "multiprocess"),
        ("in_process", "in_process"),
        ("k8s", "k8s"),
    ],
)
def test_the_setting_names_the_executor_of_every_dataset_job(
    demo_project, monkeypatch, setting, executor
):
    if setting is None:
        monkeypatch.delenv("DRIFT_ASSETS_EXECUTOR", raising=False)
    else:
        monkeypatch.setenv("DRIFT_ASSETS_EXECUTOR", setting)
    assert _orders_job_executor(demo_project) == executor


def test_an_unknown_executor_is_one_line_and_the_location_still_loads(demo_project, monkeypatch):
    monkeypatch.setenv("DRIFT_ASSETS_EXECUTOR", "pods")
    defs = build_definitions(load_config(demo_project.source_file, strict=False))
    assert defs.resolve_job_def("orders_job").executor_def.name == "multi_or_in_process_executor"
    description = defs.resolve_assets_def("dataset_config").specs_by_key
    text = next(iter(description.values())).description
    assert (
        "DRIFT_ASSETS_EXECUTOR: expected one of multiprocess, in_process, k8s, got 'pods'" in text
    )


def test_the_helm_values_select_the_kubernetes_executor():
    values = yaml.safe_load((REPO / "deploy" / "helm" / "values.yaml").read_text())
    (deployment,) = values["dagster-user-deployments"]["deployments"]
    env = {e["name"]: e.get("value") for e in deployment["env"]}
    assert env["DRIFT_ASSETS_EXECUTOR"] == "k8s"
