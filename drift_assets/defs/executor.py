"""Which executor the datasets' runs use. Dagster's default runs each step in a
process of the run's own host; on Kubernetes (``DRIFT_ASSETS_EXECUTOR=k8s``, what
``deploy/helm/values.yaml`` sets) each step is a pod of its own through
dagster-k8s's ``k8s_job_executor``, and so reaches the store over the network.
"""

from __future__ import annotations

import os

from dagster import ExecutorDefinition, in_process_executor, multiprocess_executor

EXECUTOR_ENV_VAR = "DRIFT_ASSETS_EXECUTOR"
_CHOICES = ("multiprocess", "in_process", "k8s")


def run_executor() -> tuple[ExecutorDefinition | None, str | None]:
    """The executor ``DRIFT_ASSETS_EXECUTOR`` names (None: Dagster's default) and,
    when the setting cannot be used, why in one line: the location then loads with
    the default rather than not at all."""
    name = os.environ.get(EXECUTOR_ENV_VAR, "").strip()
    if not name:
        return None, None
    if name == "multiprocess":
        return multiprocess_executor, None
    if name == "in_process":
        return in_process_executor, None
    if name == "k8s":
        try:
            from dagster_k8s import k8s_job_executor
        except ImportError:
            return None, f"{EXECUTOR_ENV_VAR}=k8s needs dagster-k8s installed beside Dagster"
        return k8s_job_executor, None
    return None, f"{EXECUTOR_ENV_VAR}: expected one of {', '.join(_CHOICES)}, got {name!r}"
