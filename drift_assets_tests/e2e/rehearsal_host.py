"""One host of the multi-host rehearsal (test_postgres_instance.py): from its own
working directory, with its own DAGSTER_HOME and dataset file, run one demo
dataset's daily partition on the shared Postgres instance with the multiprocess
executor; the results go to the Postgres store DRIFT_ASSETS_DB names.

    python -m drift_assets_tests.e2e.rehearsal_host DATASET PARTITION
"""

from __future__ import annotations

import sys

from dagster import AssetKey, DagsterInstance, execute_job, reconstructable

from drift_assets_tests.e2e.multiprocess_job import demo_job


def main(dataset: str, partition: str) -> int:
    with DagsterInstance.get() as instance:
        result = execute_job(
            reconstructable(demo_job),
            instance=instance,
            asset_selection=[AssetKey(dataset)],
            tags={"dagster/partition": partition},
        )
        print(result.run_id)
        return 0 if result.success else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
