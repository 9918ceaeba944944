"""Makes problems in the dataset file visible in the Dagster UI.

The code location loads leniently (a broken dataset is left out, the rest keep
working), so the errors need a place people will see: the ``dataset_config``
asset states them in its description, and its ``valid`` check, run at any time,
re-reads the file and fails with them until they are fixed.
"""


from dagster import (
    AssetCheckResult,
    AssetCheckSpec,
    AssetExecutionContext,
    MaterializeResult,
    asset,
)

from drift_assets.settings.dataset_file import ProjectConfig, load_config


def build_config_status_asset(config: ProjectConfig):
    source = str(config.source_file) if config.source_file else "the dataset file"
    if config.errors:
        status = f"{len(config.errors)} problem(s) in {source}:\n\n" + "\n".join(
            f"- {e}" for e in config.errors
        )
    else:
        status = f"{source} is valid: {len(config.datasets)} dataset(s)."

    @asset(
        name="dataset_config",
        group_name="drift_assets",
        description=status,
        check_specs=[AssetCheckSpec("valid", asset="dataset_config")],
        metadata={"file": source, "datasets": len(config.datasets)},
    )
    def _dataset_config(context: AssetExecutionContext) -> MaterializeResult:
        current = load_config(config.source_file, strict=False)
        names = ", ".join(d.name for d in current.datasets) or "none"
        return MaterializeResult(
            metadata={"datasets": len(current.datasets), "dataset_names": names},
            check_results=[
                AssetCheckResult(
                    check_name="valid",
                    passed=not current.errors,
                    description=(
                        "; ".join(current.errors)
                        if current.errors
                        else f"{len(current.datasets)} dataset(s) valid: {names}"
                    ),
                    metadata={"errors": len(current.errors)},
                )
            ],
        )

    return _dataset_config
