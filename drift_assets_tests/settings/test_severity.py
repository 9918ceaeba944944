"""The one severity scale: its order, and the former alert names still read."""

import pytest
from pydantic import ValidationError

from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.severity import Severity


def test_the_scale_orders_info_below_warn_below_error():
    assert sorted(Severity, key=lambda s: s.rank) == [Severity.INFO, Severity.WARN, Severity.ERROR]


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("WARN", Severity.WARN),
        ("ERROR", Severity.ERROR),
        ("INFO", Severity.INFO),
        # Earlier releases named the alert levels WARNING and CRITICAL; dataset files
        # and outbox rows written then still load.
        ("WARNING", Severity.WARN),
        ("CRITICAL", Severity.ERROR),
    ],
)
def test_a_route_minimum_accepts_current_and_former_names(written, read):
    assert AlertsConfig(min_severity=written).min_severity is read
    assert Severity(written) is read


def test_an_unknown_severity_is_refused():
    with pytest.raises(ValidationError, match="'INFO', 'WARN' or 'ERROR'"):
        AlertsConfig(min_severity="FATAL")
