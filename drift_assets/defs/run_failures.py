"""Broken pipelines as alert events: a run that failed to materialize a monitored
asset, and a check that errored or was skipped because its run failed.

One breakage is one alert: the checks of an asset that was not materialized are
named in the materialization's alert, not sent as alerts of their own (each of
which would then also send its own "resolved"), and keep their own state until
they run again.

A failed run leaves no check evaluation behind (its checks stay planned), so the
router would see nothing while the UI says "Execution failed". These events say
what broke: the error's first line, the run and a link to it. A materialization
failure has its own alert class per asset, ``(asset, "(materialization)")``, which
the asset's next successful materialization resolves; a check that could not run
is an alert of that check's own class, which its next evaluation resolves.

Finished runs are read through ``fetch_run_status_changes``, which both SQLite
storages mirror into their index, behind one storage-id cursor per status.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from dagster import DagsterEventType, DagsterInstance, DagsterRunStatus
from dagster._core.event_api import RunStatusChangeRecordsFilter

from drift_assets.alerts.events import MATERIALIZATION, CheckEvent
from drift_assets.alerts.message import run_url
from drift_assets.checks.verdict import plural

_PAGE = 100
_FACT_TYPES = {
    DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    DagsterEventType.ASSET_MATERIALIZATION,
    DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
    DagsterEventType.STEP_FAILURE,
    DagsterEventType.RUN_FAILURE,
}


@dataclass(frozen=True)
class RunFacts:
    """What one finished run planned, materialized and where it failed."""

    run_id: str
    failed: bool
    ended_at: datetime
    planned: dict[str, tuple[str | None, str | None]]  # asset -> (step key, partition)
    materialized: frozenset[str]
    planned_checks: dict[str, tuple[str, ...]]  # asset -> its checks the run planned
    step_errors: dict[str, str]  # failed step -> its error's first line, in order
    run_error: str | None  # the run's own error, when no step failed (a crash, a launch error)

    def first_error(self) -> tuple[str | None, str]:
        """(step, error line) of the first failure."""
        for step, line in self.step_errors.items():
            return step, line
        return None, self.run_error or "the run failed"


def run_facts(instance: DagsterInstance, run_id: str) -> RunFacts | None:
    """One query over the run's events; None while the run is not finished."""
    record = instance.get_run_record_by_id(run_id)
    if record is None or not record.dagster_run.is_finished:
        return None
    planned: dict[str, tuple[str | None, str | None]] = {}
    materialized: set[str] = set()
    planned_checks: dict[str, set[str]] = {}
    step_errors: dict[str, str] = {}
    run_error = None
    for event_record in instance.get_records_for_run(run_id, of_type=_FACT_TYPES).records:
        event = event_record.event_log_entry.dagster_event
        assert event is not None  # the records asked for are Dagster events
        data = event.event_specific_data
        kind = event.event_type
        if kind is DagsterEventType.ASSET_MATERIALIZATION_PLANNED:
            asset = data.asset_key.to_user_string()
            # A run over several partitions of an asset is one outcome, of no one partition.
            partition = data.partition if asset not in planned else None
            planned[asset] = (event.step_key, partition)
        elif kind is DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED:
            planned_checks.setdefault(data.asset_key.to_user_string(), set()).add(data.check_name)
        elif kind is DagsterEventType.ASSET_MATERIALIZATION:
            materialized.add(event.asset_key.to_user_string())
        elif kind is DagsterEventType.STEP_FAILURE:
            step_errors.setdefault(event.step_key or "?", _first_line(data.error, event.message))
        elif data is not None and data.error is not None:  # the run's own failure
            run_error = _first_line(data.error, event.message)
    end = record.end_time or record.update_timestamp.timestamp()
    return RunFacts(
        run_id=run_id,
        failed=record.dagster_run.status == DagsterRunStatus.FAILURE,
        ended_at=datetime.fromtimestamp(end, UTC),
        planned=planned,
        materialized=frozenset(materialized),
        planned_checks={a: tuple(sorted(n)) for a, n in planned_checks.items()},
        step_errors=step_errors,
        run_error=run_error,
    )


def materialization_events(
    facts: RunFacts, monitored: Collection[str], evaluation_id: int, webserver: str
) -> list[CheckEvent]:
    """Per monitored asset the run planned: materialized (a pass, which resolves an
    earlier failure) or, in a failed run, not (an ERROR saying what broke)."""
    events = []
    for asset, (step, partition) in sorted(facts.planned.items()):
        if asset not in monitored:
            continue
        done = asset in facts.materialized
        if not done and not facts.failed:
            continue  # an optional output left out: nothing broke
        description, metrics = None, {}
        if not done:
            own = facts.step_errors.get(step or "")
            failed_step, line = (step, own) if own else facts.first_error()
            where = "" if own else f" (step {failed_step} failed)"
            description = f"materialization failed in run {facts.run_id[:8]}{where}: {line}"
            if skipped := facts.planned_checks.get(asset):
                description += f" ({plural(len(skipped), 'check')} not run: {', '.join(skipped)})"
            metrics = _run_metrics(facts, failed_step, line, webserver)
        events.append(
            CheckEvent(
                evaluation_id=evaluation_id,
                run_id=facts.run_id,
                asset_key=asset,
                check_name=MATERIALIZATION,
                passed=done,
                dagster_severity="ERROR",
                evaluated_at=facts.ended_at,
                description=description,
                partition=partition,
                metrics=metrics,
            )
        )
    return events


def check_not_run_event(
    facts: RunFacts,
    *,
    asset_key: str,
    check_name: str,
    step: str | None,
    evaluation_id: int,
    partition: str | None,
    webserver: str,
) -> CheckEvent | None:
    """A check of a failed run that left no result: it errored (its own step
    failed: ERROR) or it was skipped because the run failed before it (WARN).
    None when its asset was not materialized: the materialization's alert names it."""
    own = facts.step_errors.get(step or "")
    run = facts.run_id[:8]
    if asset_key in facts.planned and asset_key not in facts.materialized:
        return None
    if own:
        failed_step, line = step, own
        description, severity = f"errored in run {run}: {line}", "ERROR"
    else:
        failed_step, line = facts.first_error()
        where = f" at step {failed_step}" if failed_step else ""
        description = f"skipped: run {run} failed{where}: {line}"
        severity = "WARN"
    return CheckEvent(
        evaluation_id=evaluation_id,
        run_id=facts.run_id,
        asset_key=asset_key,
        check_name=check_name,
        passed=False,
        dagster_severity=severity,
        evaluated_at=facts.ended_at,
        description=description,
        partition=partition,
        metrics=_run_metrics(facts, failed_step, line, webserver),
    )


@dataclass(frozen=True)
class RunCursor:
    """The storage id of the last run-status event read, per status; None until the
    first read (which then looks back only ``lookback``)."""

    failure: int | None = None
    success: int | None = None


def pick_up_runs(
    instance: DagsterInstance,
    monitored: Collection[str],
    cursor: RunCursor,
    *,
    now: datetime,
    lookback: timedelta,
    webserver: str,
) -> tuple[list[CheckEvent], RunCursor]:
    """Materialization events of the runs finished since the cursor, oldest first."""
    events: list[CheckEvent] = []
    marks = {}
    for status, after in (
        (DagsterEventType.RUN_FAILURE, cursor.failure),
        (DagsterEventType.RUN_SUCCESS, cursor.success),
    ):
        since = (now - lookback).timestamp() if after is None else None
        while True:
            records = instance.fetch_run_status_changes(
                RunStatusChangeRecordsFilter(status, after_storage_id=after, after_timestamp=since),
                limit=_PAGE,
                ascending=True,
            ).records
            for record in records:
                facts = run_facts(instance, record.run_id)
                if facts is not None:
                    events += materialization_events(facts, monitored, record.storage_id, webserver)
                after = record.storage_id
            if len(records) < _PAGE:
                break
        marks[status] = after if after is not None else _newest(instance, status)
    events.sort(key=lambda e: (e.evaluated_at, e.evaluation_id))
    return events, RunCursor(
        marks[DagsterEventType.RUN_FAILURE], marks[DagsterEventType.RUN_SUCCESS]
    )


def _newest(instance: DagsterInstance, status: DagsterEventType) -> int:
    """Where a first read that found nothing leaves the cursor: after everything
    older than its lookback."""
    records = instance.fetch_run_status_changes(status, limit=1).records
    return records[0].storage_id if records else 0


def _run_metrics(facts: RunFacts, step: str | None, line: str, webserver: str) -> dict:
    metrics = {"error": line, "run_id": facts.run_id, "run_url": run_url(webserver, facts.run_id)}
    if step:
        metrics["step"] = step
    return metrics


def _first_line(error, fallback: str | None) -> str:
    """The user's error, not Dagster's wrapper around it ("Error occurred while
    executing op ..."): its first line, as ``ValueError: ...``. A ``Failure`` is
    raised on purpose with a message for people: that message alone."""
    while error is not None and error.cause is not None and error.cls_name.startswith("Dagster"):
        error = error.cause
    text = error.message if error is not None else (fallback or "")
    line = (text.strip().splitlines() or ["(no message)"])[0]
    if error is not None:
        qualified, sep, rest = line.partition(": ")
        if sep and qualified.split(".")[-1] == error.cls_name:
            line = rest if error.cls_name == "Failure" else f"{error.cls_name}: {rest}"
    return line
