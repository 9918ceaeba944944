"""Severity: the one scale checks fail on and alerts are routed by.

A check fails at WARN or ERROR (the names Dagster's ``AssetCheckSeverity`` uses);
INFO is a notice that needs no action (a resolved alert). How each one looks in
Slack is the messages' business (``alerts/message.py``).
"""

from __future__ import annotations

from enum import StrEnum

# Names of earlier releases, still accepted in dataset files and read from old
# outbox rows.
_FORMER_NAMES = {"WARNING": "WARN", "CRITICAL": "ERROR"}


class Severity(StrEnum):
    INFO = "INFO"
    WARN = "WARN"
    ERROR = "ERROR"

    @property
    def rank(self) -> int:
        """0 for INFO, 1 for WARN, 2 for ERROR: for ordering and minimums."""
        return list(Severity).index(self)

    @classmethod
    def _missing_(cls, value: object) -> Severity | None:
        former = _FORMER_NAMES.get(value) if isinstance(value, str) else None
        return cls(former) if former else None
