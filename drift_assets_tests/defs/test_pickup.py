"""The per-check cursor when executions complete out of id order: an execution still
planned in a live run holds the watermark back without hiding later ones, a planned
one whose run ended settles without an event, and long histories are paged."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from dagster import (
    AssetCheckEvaluation,
    AssetCheckKey,
    AssetCheckSeverity,
    AssetKey,
    DagsterRunStatus,
)
from dagster._core.events import DagsterEvent, DagsterEventType
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)

from drift_assets.defs.pickup import PickupCursor, pick_up

KEY = AssetCheckKey(AssetKey("orders"), "null_rate")
NOW = datetime(2026, 3, 2, 6, 0, tzinfo=UTC)
PLANNED, FAILED = AssetCheckExecutionRecordStatus.PLANNED, AssetCheckExecutionRecordStatus.FAILED


def record(id_: int, run_id: str, status=FAILED) -> AssetCheckExecutionRecord:
    event = None
    if status is not PLANNED:
        evaluation = AssetCheckEvaluation(
            asset_key=KEY.asset_key,
            check_name=KEY.name,
            passed=False,
            severity=AssetCheckSeverity.WARN,
        )
        event = EventLogEntry(
            None,
            "INFO",
            "",
            run_id,
            NOW.timestamp(),
            dagster_event=DagsterEvent(
                DagsterEventType.ASSET_CHECK_EVALUATION.value, "job", event_specific_data=evaluation
            ),
        )
    return AssetCheckExecutionRecord(KEY, id_, run_id, status, event, NOW.timestamp(), None)


@dataclass
class Storage:
    """The two reads pick_up makes, over a list of records."""

    records: dict[int, AssetCheckExecutionRecord] = field(default_factory=dict)
    history_calls: int = 0

    def get_latest_asset_check_execution_by_key(self, keys):
        return {KEY: self.records[max(self.records)]} if self.records else {}

    def get_asset_check_execution_history(self, key, limit, cursor=None):
        self.history_calls += 1
        ids = sorted((i for i in self.records if cursor is None or i < cursor), reverse=True)
        return [self.records[i] for i in ids[:limit]]


@dataclass
class Run:
    is_finished: bool
    status: DagsterRunStatus = DagsterRunStatus.SUCCESS


@dataclass
class Instance:
    event_log_storage: Storage
    runs: dict[str, Run]

    def get_run_by_id(self, run_id):
        return self.runs.get(run_id)


def picked(instance, cursor):
    events, cursor = pick_up(
        instance,
        [KEY],
        cursor,
        now=NOW,
        initial_lookback=timedelta(hours=1),
        webserver="http://dagster",
    )
    return [e.evaluation_id for e in events], cursor


def test_a_slow_run_planned_first_and_finished_last_is_neither_missed_nor_repeated():
    storage = Storage({1: record(1, "slow", PLANNED), 2: record(2, "fast")})
    instance = Instance(storage, {"slow": Run(False), "fast": Run(True)})
    ids, cursor = picked(instance, PickupCursor())
    assert ids == [2]
    assert (
        cursor.checks["orders:null_rate"].watermark,
        cursor.checks["orders:null_rate"].seen,
    ) == (
        0,
        frozenset({2}),
    )
    cursor = PickupCursor.parse(cursor.serialize())  # as the sensor stores it
    assert picked(instance, cursor)[0] == []
    storage.records[1] = record(1, "slow")  # the slow run's check completes
    ids, cursor = picked(instance, cursor)
    assert ids == [1]
    assert cursor.checks["orders:null_rate"].watermark == 2
    calls = storage.history_calls
    assert picked(instance, cursor)[0] == []
    assert storage.history_calls == calls  # settled checks cost one batched query, not one each


def test_a_planned_execution_of_a_finished_run_settles_without_an_event():
    storage = Storage({1: record(1, "crashed", PLANNED), 2: record(2, "ok")})
    instance = Instance(storage, {"crashed": Run(True), "ok": Run(True)})
    ids, cursor = picked(instance, PickupCursor())
    assert ids == [2] and cursor.checks["orders:null_rate"].watermark == 2


def test_long_histories_are_paged_and_the_first_tick_only_looks_back():
    old = NOW - timedelta(hours=2)
    storage = Storage({i: record(i, f"r{i}") for i in range(1, 251)})
    storage.records[1] = storage.records[1]._replace(create_timestamp=old.timestamp())
    instance = Instance(storage, {})
    ids, cursor = picked(instance, PickupCursor())
    assert ids == list(range(2, 251))  # #1 is older than the first tick's lookback
    assert storage.history_calls == 3
    storage.records[251] = record(251, "r251")
    assert picked(instance, cursor)[0] == [251]


def test_a_cursor_written_before_it_kept_a_high_mark_does_not_replay_a_returning_check():
    # A version 1 cursor (no `high`) that had already dropped orders:null_rate while
    # a broken dataset file left it out: its other checks' marks are the floor.
    storage = Storage({i: record(i, f"r{i}") for i in (1, 2, 3)})
    instance = Instance(storage, {})
    old = '{"v":1,"checks":{"customers:null_rate":{"w":3,"seen":[]}}}'
    ids, cursor = picked(instance, PickupCursor.parse(old))
    assert ids == [] and cursor.high == 3
    storage.records[4] = record(4, "r4")
    ids, cursor = picked(instance, cursor)
    assert ids == [4]
    assert set(cursor.checks) == {"customers:null_rate", "orders:null_rate"}  # both kept
