"""A dataset's freshness: how long it may go without a new materialization before
it is stale (WARN after ``warn_after``, FAIL after ``fail_after``). Dagster's own
freshness daemon judges it; ``defs/freshness.py`` hands it to Dagster."""

from __future__ import annotations

from datetime import timedelta

from pydantic import field_validator, model_validator

from drift_assets.settings.strict import Strict
from drift_assets.settings.times import Duration, show_duration

# Dagster refuses freshness windows under a minute.
_SHORTEST = timedelta(minutes=1)


class Freshness(Strict):
    # Durations in the grammar of settings/times.py: 26h, 90m, 1.5d, 2w.
    warn_after: Duration | None = None
    fail_after: Duration

    @field_validator("warn_after", "fail_after")
    @classmethod
    def _at_least_a_minute(cls, value: timedelta | None) -> timedelta | None:
        if value is not None and value < _SHORTEST:
            raise ValueError(f"{show_duration(value)} is under a minute, Dagster's shortest window")
        return value

    @model_validator(mode="after")
    def _warn_before_fail(self) -> Freshness:
        if self.warn_after is not None and self.warn_after >= self.fail_after:
            raise ValueError(
                f"warn_after ({show_duration(self.warn_after)}) must be below fail_after"
                f" ({show_duration(self.fail_after)})"
            )
        return self

    def describe(self) -> str:
        warn = f"warn after {show_duration(self.warn_after)}, " if self.warn_after else ""
        return f"{warn}fail after {show_duration(self.fail_after)} without a new materialization"
