"""Dagster's side of partitions: the dataset file's ``partitions:`` block as a
``PartitionsDefinition``, the partition a step runs for as our ``Partition``, and
the run requests a partitioned dataset's schedule makes."""

from __future__ import annotations

from datetime import datetime

from dagster import (
    DailyPartitionsDefinition,
    HourlyPartitionsDefinition,
    MonthlyPartitionsDefinition,
    PartitionsDefinition,
    RunRequest,
    StaticPartitionsDefinition,
    TimeWindowPartitionsDefinition,
    WeeklyPartitionsDefinition,
    partition_loading_context,
)

from drift_assets.settings.partitions import Partition, PartitionsConfig, parse_start

_TIME_WINDOWS = {
    "hourly": HourlyPartitionsDefinition,
    "daily": DailyPartitionsDefinition,
    "weekly": WeeklyPartitionsDefinition,
    "monthly": MonthlyPartitionsDefinition,
}


def partitions_definition(config: PartitionsConfig | None) -> PartitionsDefinition | None:
    if config is None:
        return None
    if config.static is not None:
        return StaticPartitionsDefinition(list(config.static))
    window = config.window
    assert window is not None
    return _TIME_WINDOWS[config.cadence](
        start_date=parse_start(window).replace(tzinfo=None),
        timezone=window.timezone,
        end_offset=window.end_offset,
    )


def partition_at(definition: PartitionsDefinition | None, key: str | None) -> Partition | None:
    """Our record of partition ``key``: a time window's zoned start and end too."""
    if definition is None or key is None:
        return None
    if isinstance(definition, TimeWindowPartitionsDefinition):
        window = definition.time_window_for_partition_key(key)
        return Partition(key, window.start, window.end)
    return Partition(key)


def scheduled_run_requests(
    definition: PartitionsDefinition, scheduled_at: datetime
) -> list[RunRequest]:
    """A tick's runs: the last complete time window (one run), or every static key
    (one run each, so one key's failure does not hold back the others)."""
    if isinstance(definition, TimeWindowPartitionsDefinition):
        with partition_loading_context(scheduled_at):
            key = definition.get_last_partition_key()
        return [] if key is None else [RunRequest(run_key=key, partition_key=key)]
    stamp = scheduled_at.isoformat()
    return [
        RunRequest(run_key=f"{key}@{stamp}", partition_key=key)
        for key in definition.get_partition_keys()
    ]
