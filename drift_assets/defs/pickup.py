"""New completed check evaluations from the Dagster instance, behind a per-check cursor.

Why per check: a global event-record cursor is rejected on the default run-sharded
SQLite event log, but every storage keeps asset check executions in one indexed
table (``asset_check_executions``), read through the public
``event_log_storage.get_asset_check_execution_history``. Its row id is assigned
when a check is *planned* and the row is completed later, so ids do not complete
in order: the cursor keeps a watermark below which every execution is settled,
plus the ids above it already handed out. Executions still planned in a live run
hold the watermark back; planned ones of finished runs never produced a result:
in a failed run the check errored or was skipped because of the failure, which is
an alert (``run_failures``); in a run that succeeded it was left out on purpose,
and settles without an event.

Old evaluations are never new. Execution ids are global and increasing, so the
cursor also keeps the highest id it has looked at (``high``): a check it has no
entry for (added to the location, or back after a broken dataset file left its
dataset out) starts there, not at the beginning of its history. Entries of checks
missing from the location are kept, so a dataset that returns resumes where it
was. (Re-reading a returning check's history from the start once announced an
old failure as new and an older pass as its recovery.)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from dagster import AssetCheckKey, DagsterInstance, DagsterRun, DagsterRunStatus

# The record type and its status enum are not exported at the top level; this
# module is the only place that touches them.
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

from drift_assets.alerts.events import CheckEvent, ColumnLine
from drift_assets.checks.outcome import is_finite_number
from drift_assets.defs.freshness_states import FreshnessMark
from drift_assets.defs.run_failures import RunCursor, RunFacts, check_not_run_event, run_facts

_PAGE = 100
_MAX_TEXT = 200  # longer text metadata is left to the Dagster UI


@dataclass(frozen=True)
class CheckCursor:
    watermark: int = 0  # every execution id <= watermark is settled
    seen: frozenset[int] = frozenset()  # completed ids above the watermark, already picked up


@dataclass(frozen=True)
class PickupCursor:
    checks: Mapping[str, CheckCursor] = field(default_factory=dict)
    started: bool = False  # False until the first tick: then only a lookback is read
    high: int = 0  # the highest execution id of any check looked at so far
    runs: RunCursor = RunCursor()
    freshness: Mapping[str, FreshnessMark] | None = None  # None: not read yet

    def serialize(self) -> str:
        data = {
            "v": 2,
            "high": self.high,
            "checks": {
                k: {"w": c.watermark, "seen": sorted(c.seen)} for k, c in self.checks.items()
            },
            "runs": {"failure": self.runs.failure, "success": self.runs.success},
        }
        if self.freshness is not None:
            data["freshness"] = {k: [m.state, m.at] for k, m in self.freshness.items()}
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def parse(cls, text: str | None) -> PickupCursor:
        if not text:
            return cls()
        data = json.loads(text)
        checks = {k: CheckCursor(v["w"], frozenset(v["seen"])) for k, v in data["checks"].items()}
        # A version 1 cursor had no `high`: what its checks had reached is a floor.
        ids = [i for c in checks.values() for i in (c.watermark, *c.seen)]
        fresh = data.get("freshness")
        return cls(
            checks=checks,
            started=True,
            high=data.get("high", max(ids, default=0)),
            runs=RunCursor(**data.get("runs", {})),
            freshness=None if fresh is None else {k: FreshnessMark(*v) for k, v in fresh.items()},
        )


def pick_up(
    instance: DagsterInstance,
    check_keys: Iterable[AssetCheckKey],
    cursor: PickupCursor,
    *,
    now: datetime,
    initial_lookback: timedelta,
    webserver: str,
) -> tuple[list[CheckEvent], PickupCursor]:
    """Completed evaluations and checks of failed runs that left none, not picked
    up before, oldest first, and the next cursor."""
    keys = sorted(check_keys, key=lambda k: k.to_user_string())
    storage = instance.event_log_storage
    latest = storage.get_latest_asset_check_execution_by_key(keys)
    cutoff = None if cursor.started else (now - initial_lookback).timestamp()
    events: list[CheckEvent] = []
    checks = dict(cursor.checks)  # checks missing from the location keep their place
    runs: dict[str, DagsterRun | None] = {}
    facts: dict[str, RunFacts | None] = {}
    high = max([cursor.high, *(r.id for r in latest.values())])
    for key in keys:
        name = key.to_user_string()
        state = cursor.checks.get(name) or CheckCursor(cursor.high if cursor.started else 0)
        newest = latest.get(key)
        if newest is None or newest.id <= state.watermark:
            checks[name] = state
            continue
        watermark, seen, holding = state.watermark, set(state.seen), False
        for record in _records_after(storage, key, state.watermark):
            if record.status == AssetCheckExecutionRecordStatus.PLANNED:
                run = _run(instance, record.run_id, runs)
                if run is not None and not run.is_finished:
                    holding = True
                    continue
                failed = run is not None and run.status == DagsterRunStatus.FAILURE
                if failed and record.id not in seen:
                    seen.add(record.id)
                    if cutoff is None or record.create_timestamp >= cutoff:
                        events += _not_run(instance, record, facts, webserver)
            elif record.id not in seen:
                seen.add(record.id)
                if cutoff is None or record.create_timestamp >= cutoff:
                    events.append(to_event(record))
            if not holding:
                watermark = record.id
        checks[name] = CheckCursor(watermark, frozenset(i for i in seen if i > watermark))
    events.sort(key=lambda e: (e.evaluated_at, e.evaluation_id))
    return events, replace(cursor, checks=checks, started=True, high=high)


def _records_after(storage, key: AssetCheckKey, watermark: int) -> list[AssetCheckExecutionRecord]:
    """Executions with id > watermark, oldest first (the API pages newest first)."""
    found: list[AssetCheckExecutionRecord] = []
    before = None
    while True:
        page = storage.get_asset_check_execution_history(key, limit=_PAGE, cursor=before)
        fresh = [r for r in page if r.id > watermark]
        found.extend(fresh)
        if len(page) < _PAGE or len(fresh) < len(page):
            return sorted(found, key=lambda r: r.id)
        before = page[-1].id


def _run(instance: DagsterInstance, run_id: str, memo: dict[str, DagsterRun | None]):
    """The run, None when deleted (its planned checks settle without an event)."""
    if run_id not in memo:
        memo[run_id] = instance.get_run_by_id(run_id)
    return memo[run_id]


def _not_run(
    instance: DagsterInstance,
    record: AssetCheckExecutionRecord,
    memo: dict[str, RunFacts | None],
    webserver: str,
) -> list[CheckEvent]:
    if record.run_id not in memo:
        memo[record.run_id] = run_facts(instance, record.run_id)
    run = memo[record.run_id]
    if run is None:
        return []
    event = record.event.dagster_event if record.event else None
    not_run = check_not_run_event(
        run,
        asset_key=record.key.asset_key.to_user_string(),
        check_name=record.key.name,
        step=event.step_key if event else None,
        evaluation_id=record.id,
        partition=record.partition,
        webserver=webserver,
    )
    return [not_run] if not_run is not None else []


def to_event(record: AssetCheckExecutionRecord) -> CheckEvent:
    evaluation = record.evaluation
    assert evaluation is not None and record.event is not None  # completed records carry it
    baseline, columns, metrics = None, (), {}
    for label, value in evaluation.metadata.items():
        raw = value.value
        if label == "baseline" and isinstance(raw, str):
            baseline = raw
        elif label == "columns" and hasattr(raw, "records"):
            columns = _column_lines(raw.records)
        elif _is_scalar(raw):
            metrics[label] = raw
    return CheckEvent(
        evaluation_id=record.id,
        run_id=record.run_id,
        asset_key=record.key.asset_key.to_user_string(),
        check_name=record.key.name,
        passed=evaluation.passed,
        dagster_severity=evaluation.severity.value,
        evaluated_at=datetime.fromtimestamp(record.event.timestamp, UTC),
        description=evaluation.description,
        partition=record.partition,
        baseline=baseline,
        columns=columns,
        metrics=metrics,
    )


def _is_scalar(raw: object) -> bool:
    return (
        isinstance(raw, bool)
        or is_finite_number(raw)
        or (isinstance(raw, str) and len(raw) <= _MAX_TEXT)
    )


def _column_lines(records) -> tuple[ColumnLine, ...]:
    """Our checks' column table; any table with a ``column`` field will do."""
    lines = []
    for record in records:
        data = record.data
        if "column" in data:
            lines.append(
                ColumnLine(
                    column=str(data["column"]),
                    result=str(data.get("result") or "?"),
                    summary=str(data.get("summary") or ""),
                )
            )
    return tuple(lines)
