"""Makes problems in the dataset file visible in the Dagster UI.

The code location loads leniently (a broken dataset is left out, the rest keep
working), so the errors need a place people will see: the ``dataset_config``
asset states them in its description, and its ``valid`` check fails with them.
A sensor records that check as soon as the code location is loaded with a
different state (broken, or fixed again), so nobody has to materialize the asset
to see it red, and the alert router announces it, and its fix, like any check;
materializing the asset re-reads the file and checks it again at any time.
"""

import hashlib
from collections.abc import Callable

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetExecutionContext,
    AssetKey,
    AssetSpec,
    DefaultSensorStatus,
    MaterializeResult,
    MetadataValue,
    SensorDefinition,
    SensorEvaluationContext,
    SensorResult,
    asset,
    sensor,
)

from drift_assets.defs.dataset_assets import ROUTE_METADATA_KEY
from drift_assets.settings.dataset_file import ProjectConfig

STATUS_ASSET = "dataset_config"
VALID_CHECK = "valid"
STATUS_KEY = AssetKey(STATUS_ASSET)


def build_config_status_asset(
    config: ProjectConfig,
    *,
    key: AssetKey = STATUS_KEY,
    recheck: Callable[[], ProjectConfig] | None = None,
    checked_assets: tuple[str, ...] | None = None,
):
    """The status asset; ``recheck`` re-reads the datasets (with Dagster's own
    refusals) when it is materialized, else the loaded state is checked.
    ``checked_assets`` makes it the status of a DriftChecks instance (``config``
    then carries only its file and errors): the assets it puts checks on."""
    source = _source(config)

    @asset(
        key=key,
        group_name="drift_assets",
        description=_status(config, checked_assets),
        check_specs=[AssetCheckSpec(VALID_CHECK, asset=key, description=_CHECK_DESCRIPTION)],
        metadata={
            "file": source,
            "datasets": len(config.datasets),
            ROUTE_METADATA_KEY: MetadataValue.json({"channel": config.channel}),
        },
    )
    def _dataset_config(context: AssetExecutionContext) -> MaterializeResult:
        current = recheck() if recheck is not None else config
        names = ", ".join(d.name for d in current.datasets) or "none"
        passed, description, metadata = _verdict(current, checked_assets)
        return MaterializeResult(
            metadata={"datasets": len(current.datasets), "dataset_names": names},
            check_results=[
                AssetCheckResult(
                    check_name=VALID_CHECK,
                    passed=passed,
                    description=description,
                    metadata=metadata,
                )
            ],
        )

    return _dataset_config


def build_config_status_sensor(
    config: ProjectConfig,
    *,
    key: AssetKey = STATUS_KEY,
    checked_assets: tuple[str, ...] | None = None,
) -> SensorDefinition:
    """Records the loaded state as the ``valid`` check whenever it changed since the
    state this sensor last recorded (its cursor), so a materialization in between
    that found the file fixed is not overwritten by the same old load."""
    check_key = AssetCheckKey(key, VALID_CHECK)
    passed, description, metadata = _verdict(config, checked_assets)
    state = hashlib.sha256(f"{passed}\n{description}".encode()).hexdigest()[:16]

    @sensor(
        name=f"{key.to_python_identifier()}_status",
        minimum_interval_seconds=30,
        default_status=DefaultSensorStatus.RUNNING,
        description=(
            f"Records {key.to_user_string()}'s valid check as the code location loaded the"
            " datasets, so a broken or fixed dataset shows at once."
        ),
    )
    def _status(context: SensorEvaluationContext) -> SensorResult:
        if context.cursor == state or (context.cursor is None and _recorded(context, check_key)):
            return SensorResult(cursor=state)
        evaluation = AssetCheckEvaluation(
            asset_key=key,
            check_name=VALID_CHECK,
            passed=passed,
            severity=AssetCheckSeverity.ERROR,
            description=description,
            metadata=metadata,
        )
        return SensorResult(cursor=state, asset_events=[evaluation])

    def _recorded(context: SensorEvaluationContext, check_key: AssetCheckKey) -> bool:
        latest = context.instance.event_log_storage.get_latest_asset_check_execution_by_key(
            [check_key]
        ).get(check_key)
        evaluation = latest.evaluation if latest else None
        return bool(
            evaluation and evaluation.passed == passed and evaluation.description == description
        )

    return _status


def left_out_placeholder(
    name: str, config: ProjectConfig, key_prefix: tuple[str, ...] = ()
) -> AssetSpec:
    """A left-out dataset keeps its row in the catalog, saying why it is out, instead
    of lingering there as an asset no code location defines."""
    problems = [e for e in config.errors if f"dataset {name!r}" in e]
    return AssetSpec(
        [*key_prefix, name],
        description=(
            f"Left out of the code location until {_source(config)} is fixed:\n\n"
            + "\n".join(f"- {p}" for p in problems)
        ),
        group_name="drift_datasets",
        metadata={"left_out": MetadataValue.text("; ".join(problems) or "see dataset_config")},
    )


_CHECK_DESCRIPTION = "Everything its file declares loads; fails listing what does not."


def _source(config: ProjectConfig) -> str:
    return str(config.source_file) if config.source_file else "the dataset file"


def _declared(config: ProjectConfig, checked_assets: tuple[str, ...] | None):
    """What the file declares, in words: (noun, names, what a problem leaves out)."""
    if checked_assets is None:
        names = tuple(d.name for d in config.datasets)
        return "dataset(s)", names, "the datasets named here are left out until then"
    return "asset(s) with drift checks", checked_assets, "its drift checks are left out until then"


def _status(config: ProjectConfig, checked_assets: tuple[str, ...] | None = None) -> str:
    if config.errors:
        return f"{len(config.errors)} problem(s) in {_source(config)}:\n\n" + "\n".join(
            f"- {e}" for e in config.errors
        )
    noun, names, _ = _declared(config, checked_assets)
    return f"{_source(config)} is valid: {len(names)} {noun}."


def _verdict(
    config: ProjectConfig, checked_assets: tuple[str, ...] | None = None
) -> tuple[bool, str, dict]:
    noun, names, left_out = _declared(config, checked_assets)
    if not config.errors:
        return True, f"{len(names)} {noun} valid: {', '.join(names) or 'none'}", {"errors": 0}
    return (
        False,
        "; ".join(config.errors),
        {
            "errors": len(config.errors),
            "next_step": MetadataValue.text(
                f"fix {_source(config)} and reload the code location; {left_out}"
            ),
        },
    )
