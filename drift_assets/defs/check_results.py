"""Dagster's view of an evaluation: check specs, ``AssetCheckResult``s and the
materialization metadata that Dagster's UI charts and understands."""

from __future__ import annotations

import warnings
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    Failure,
    MetadataValue,
    PartitionsDefinition,
    PreviewWarning,
    TableColumn,
    TableRecord,
    TableSchema,
)

from drift_assets.checks.outcome import (
    DISTRIBUTION_SHIFT,
    NULL_RATE,
    ROW_COUNT,
    SCHEMA_CHANGE,
    CheckOutcome,
    Severity,
    is_finite_number,
)
from drift_assets.checks.row_count import compared_batches
from drift_assets.checks.verdict import accept_hint
from drift_assets.evaluation import Evaluation
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.settings.policy import DriftPolicy
from drift_assets.settings.times import as_utc, when

CHECK_DESCRIPTIONS = {
    SCHEMA_CHANGE: "Columns added, removed or retyped since the baseline (order changes noted).",
    NULL_RATE: "Per-column null rate and its increase over the baseline, in percentage points.",
    DISTRIBUTION_SHIFT: (
        "Value distributions against the baseline: PSI, KS distance, mean/std change for"
        " numbers; PSI, Jensen-Shannon and new categories for categories."
    ),
    ROW_COUNT: (
        "Row count against the median and MAD of recent healthy batches (optionally the same"
        " weekday), with an absolute floor; still learning during the first batches."
    ),
}

# How many columns get their own null-rate series on the asset's Plots tab.
_MAX_NULL_RATE_SERIES = 20


def drift_check_specs(
    asset_key: AssetKey, policy: DriftPolicy, partitions_def: PartitionsDefinition | None = None
) -> list[AssetCheckSpec]:
    """Our checks' specs; with ``partitions_def`` each partition has its own results.

    ``AssetCheckSpec(partitions_def=...)`` is a preview API in Dagster 1.13 (it warns
    once): this is the one place that uses it. Without it a partitioned asset's
    checks record one result for the whole asset and the partitions' health bar
    cannot show which day failed which check."""
    blocking = _blocking(policy)
    with warnings.catch_warnings():
        # Said once, in the README, rather than at every load of every dataset.
        warnings.simplefilter("ignore", PreviewWarning)
        return [
            AssetCheckSpec(
                name,
                asset=asset_key,
                description=f"{description} A wanted change: accept it as the new baseline.",
                blocking=blocking[name],
                metadata={"drift_assets/family": name},
                **({"partitions_def": partitions_def} if partitions_def is not None else {}),
            )
            for name, description in CHECK_DESCRIPTIONS.items()
            if name != ROW_COUNT or policy.row_count.enabled
        ]


STORE_WRITE_KEY = "drift_store_write"


def check_results(evaluation: Evaluation, asset_key: AssetKey) -> list[AssetCheckResult]:
    baseline = describe_baseline(
        evaluation.baseline, evaluation.policy, evaluation.baseline_partitions
    )
    hint = accept_hint(evaluation.profile.dataset, _partition_key(evaluation))
    return [
        AssetCheckResult(
            asset_key=asset_key,
            check_name=outcome.check,
            passed=outcome.passed,
            severity=_severity(outcome.severity),
            description=outcome.description,
            metadata={
                **_check_metadata(
                    outcome,
                    evaluation.profile,
                    describe_history(evaluation) if outcome.check == ROW_COUNT else baseline,
                ),
                **_store_write(evaluation),
                **({} if outcome.passed else {"next_step": MetadataValue.text(hint)}),
            },
        )
        for outcome in evaluation.outcomes
    ]


def _store_write(evaluation: Evaluation) -> dict[str, MetadataValue]:
    """Whether the results reached the store at once or wait in its journal."""
    text = f"journaled: {evaluation.journaled}" if evaluation.journaled else "stored"
    return {STORE_WRITE_KEY: MetadataValue.text(text)}


def check_evaluations(evaluation: Evaluation, asset_key: AssetKey) -> list[AssetCheckEvaluation]:
    """A re-evaluated partition's results as events reported outside its run, so
    the partition's checks in the UI and the alert router see the new verdict."""
    assert evaluation.partition is not None
    return [
        AssetCheckEvaluation(
            asset_key=asset_key,
            check_name=result.check_name,
            passed=result.passed,
            metadata=result.metadata,
            severity=result.severity,
            description=result.description,
            partition=evaluation.partition.key,
        )
        for result in check_results(evaluation, asset_key)
    ]


def blocking_failure(evaluation: Evaluation, asset_key: AssetKey) -> Failure | None:
    """The step's failure when a blocking check failed at ERROR: what changed and
    what to do, where Dagster's own error says only how many checks blocked."""
    blocking = _blocking(evaluation.policy)
    failed = [
        o
        for o in evaluation.outcomes
        if not o.passed and o.severity == Severity.ERROR and blocking.get(o.check)
    ]
    if not failed:
        return None
    hint = accept_hint(evaluation.profile.dataset, _partition_key(evaluation))
    changes = "; ".join(f"{o.check}: {o.description}" for o in failed)
    return Failure(
        description=(
            f"{asset_key.to_user_string()} is blocked, downstream assets do not run: {changes}."
            f" {hint[0].upper()}{hint[1:]}; otherwise fix the source and run it again."
        ),
        metadata={
            "blocking_checks": MetadataValue.text(", ".join(o.check for o in failed)),
            "next_step": MetadataValue.text(hint),
        },
        allow_retries=False,
    )


def _blocking(policy: DriftPolicy) -> dict[str, bool]:
    return {
        SCHEMA_CHANGE: policy.schema_change.blocking,
        NULL_RATE: policy.null_rate.blocking,
        DISTRIBUTION_SHIFT: policy.distribution_shift.blocking,
        ROW_COUNT: policy.row_count.blocking,
    }


def describe_baseline(
    baseline: DatasetProfile | None, policy: DriftPolicy, partitions: tuple[str, ...] = ()
) -> str:
    if baseline is None:
        return "none yet (this profile becomes the baseline)"
    if baseline.pooled_from:
        ids = ", ".join(f"#{i}" for i in baseline.pooled_from)
        where = f"partitions {', '.join(partitions)}: " if partitions else ""
        return f"{policy.baseline}: {where}profiles {ids} pooled ({baseline.row_count:,} rows)"
    if partitions:
        return (
            f"{policy.baseline}: partition {partitions[0]}, profile #{baseline.profile_id}"
            f" ({baseline.row_count:,} rows)"
        )
    return (
        f"{policy.baseline}: profile #{baseline.profile_id} of {when(baseline.profiled_at)}"
        f" ({baseline.row_count:,} rows)"
    )


def describe_history(evaluation: Evaluation) -> str:
    """What row_count compared with: the healthy batches, by profile id and time."""
    start = evaluation.partition.start if evaluation.partition else None
    at = as_utc(start or evaluation.profile.profiled_at)
    compared = compared_batches(evaluation.history, at, evaluation.policy.row_count)
    if not compared:
        return "no healthy batches yet"
    newest, oldest = compared[0], compared[-1]
    span = f"profile #{newest.profile_id} of {when(newest.at)}"
    if len(compared) > 1:
        span = f"profiles #{oldest.profile_id} of {when(oldest.at)} to #{newest.profile_id}"
        span += f" of {when(newest.at)}"
    return f"{len(compared):,} healthy batch{'' if len(compared) == 1 else 'es'}: {span}"


def materialization_metadata(evaluation: Evaluation) -> dict[str, Any]:
    """Row count and schema in Dagster's own keys, plus the drift figures people
    want charted across materializations."""
    profile = evaluation.profile
    by_check = {o.check: o for o in evaluation.outcomes}
    metadata: dict[str, Any] = {
        "dagster/row_count": MetadataValue.int(profile.row_count),
        "dagster/column_schema": MetadataValue.table_schema(
            TableSchema(
                columns=[
                    TableColumn(name=c.name, type=c.logical_type.value) for c in profile.columns
                ]
            )
        ),
        "profile_id": _profile_id(profile),
        "column_count": MetadataValue.int(len(profile.columns)),
        "checks_failed": MetadataValue.int(sum(not o.passed for o in evaluation.outcomes)),
        **_store_write(evaluation),
    }
    for check, keys in _CHARTED.items():
        outcome = by_check.get(check)
        for key in keys:
            value = outcome.metrics.get(key) if outcome else None
            if is_finite_number(value):
                metadata[key] = _number(value)
    for column in _null_rate_columns(profile, evaluation.baseline):
        metadata[f"null_rate:{column.name}"] = _number(column.null_rate(profile.row_count))
    return metadata


# Per-check metrics repeated on the materialization so the Plots tab charts them.
_CHARTED = {
    SCHEMA_CHANGE: ("columns_added", "columns_removed", "columns_retyped"),
    NULL_RATE: ("max_null_rate", "max_null_rate_increase_pp"),
    DISTRIBUTION_SHIFT: ("worst_psi", "worst_ks_distance", "drifted_columns"),
    ROW_COUNT: ("expected_row_count", "row_count_change", "row_count_deviation"),
}


def _null_rate_columns(profile: DatasetProfile, baseline: DatasetProfile | None):
    """Columns with nulls now or in the baseline: the ones whose null rate matters."""
    had_nulls = {c.name for c in baseline.columns if c.null_count} if baseline else set()
    chosen = [c for c in profile.columns if c.null_count or c.name in had_nulls]
    return chosen[:_MAX_NULL_RATE_SERIES]


def _check_metadata(
    outcome: CheckOutcome, profile: DatasetProfile, baseline: str
) -> dict[str, Any]:
    metadata: dict[str, Any] = {
        key: _number(value) for key, value in outcome.metrics.items() if is_finite_number(value)
    }
    metadata["baseline"] = MetadataValue.text(baseline)
    metadata["profile_id"] = _profile_id(profile)
    metadata["thresholds"] = MetadataValue.json(outcome.thresholds)
    if outcome.columns:
        metadata["columns"] = _column_table(outcome)
    return metadata


def _column_table(outcome: CheckOutcome) -> MetadataValue:
    metric_names = sorted(
        {k for f in outcome.columns for k, v in f.metrics.items() if v is not None}
    )
    schema = TableSchema(
        columns=[
            TableColumn("column", "string"),
            TableColumn("result", "string"),
            TableColumn("summary", "string"),
            *(TableColumn(name, "float") for name in metric_names),
        ]
    )
    records = [
        TableRecord(
            {
                "column": finding.column,
                "result": finding.severity.value if finding.failed and finding.severity else "ok",
                "summary": finding.summary,
                **{name: _cell(finding.metrics.get(name)) for name in metric_names},
            }
        )
        for finding in sorted(outcome.columns, key=lambda f: (not f.failed, f.column))
    ]
    return MetadataValue.table(records=records, schema=schema)


def _profile_id(profile: DatasetProfile) -> MetadataValue:
    """Text, so the Plots tab does not chart an id that only ever grows; it is the
    id `drift-assets baseline pin --profile` takes."""
    return MetadataValue.text(str(profile.profile_id or ""))


def _number(value: int | float) -> MetadataValue:
    """Counts stay whole; measurements keep four significant digits, which is what a
    person compares with a threshold (the store keeps full precision)."""
    if isinstance(value, int):
        return MetadataValue.int(value)
    return MetadataValue.float(float(f"{value:.4g}"))


def _cell(value: Any) -> float | str | None:
    if is_finite_number(value):
        return round(float(value), 6)
    return None if value is None else str(value)


def _severity(severity: Severity | None) -> AssetCheckSeverity:
    return AssetCheckSeverity.WARN if severity == Severity.WARN else AssetCheckSeverity.ERROR


def _partition_key(evaluation: Evaluation) -> str | None:
    return evaluation.partition.key if evaluation.partition is not None else None
