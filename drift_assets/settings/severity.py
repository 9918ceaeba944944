"""Alert severities and how each one looks in Slack (colour, emoji, word)."""

from __future__ import annotations

from enum import StrEnum


class AlertSeverity(StrEnum):
    INFO = "INFO"
    WARNING = "WARNING"
    CRITICAL = "CRITICAL"

    @property
    def rank(self) -> int:
        return _RANK[self]

    @property
    def colour(self) -> str:
        return _COLOUR[self]

    @property
    def emoji(self) -> str:
        return _EMOJI[self]

    @classmethod
    def of_check(cls, dagster_severity: str) -> AlertSeverity:
        """Dagster's ``AssetCheckSeverity`` name (WARN | ERROR) as an alert severity."""
        return cls.CRITICAL if dagster_severity == "ERROR" else cls.WARNING


_RANK = {AlertSeverity.INFO: 0, AlertSeverity.WARNING: 1, AlertSeverity.CRITICAL: 2}
_COLOUR = {
    AlertSeverity.INFO: "#36a64f",
    AlertSeverity.WARNING: "#ff9800",
    AlertSeverity.CRITICAL: "#d32f2f",
}
_EMOJI = {
    AlertSeverity.INFO: ":large_green_circle:",
    AlertSeverity.WARNING: ":large_orange_circle:",
    AlertSeverity.CRITICAL: ":red_circle:",
}
