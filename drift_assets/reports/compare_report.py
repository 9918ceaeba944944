"""The comparison report of ``drift-assets compare``: outcomes as JSON-ready data
and as text for a terminal. Its JSON shape is ``compare_report.schema.json``
beside this module (JSON Schema 2020-12), described in README.md."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from drift_assets.checks.outcome import CheckOutcome

SCHEMA_PATH = Path(__file__).with_name("compare_report.schema.json")


def report_schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def report_dict(outcomes: Sequence[CheckOutcome], **context: Any) -> dict[str, Any]:
    """The report as JSON-ready data. A number that is not finite (the mean of a
    column holding inf) is null: JSON has no NaN or Infinity."""
    return _finite(
        {
            "passed": all(o.passed for o in outcomes),
            **context,
            "checks": [
                {
                    "check": o.check,
                    "passed": o.passed,
                    "severity": o.severity.value if o.severity else None,
                    "description": o.description,
                    "metrics": o.metrics,
                    "thresholds": o.thresholds,
                    "columns": [f.to_dict() for f in o.columns],
                }
                for o in outcomes
            ],
        }
    )


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value


def report_text(outcomes: Sequence[CheckOutcome], baseline: str, current: str) -> str:
    lines = [f"drift_assets compare: {current} against {baseline}", ""]
    for outcome in outcomes:
        verdict = "PASS" if outcome.passed else f"FAIL ({outcome.severity.value})"
        lines.append(f"{outcome.check:<20} {verdict:<13} {outcome.description}")
        for finding in outcome.failed_columns:
            severity = finding.severity.value if finding.severity else ""
            lines.append(f"    {severity:<6} {finding.column}: {finding.summary}")
    passed = all(o.passed for o in outcomes)
    failed = sum(not o.passed for o in outcomes)
    lines += ["", "All checks passed." if passed else f"{failed} of {len(outcomes)} checks failed."]
    return "\n".join(lines) + "\n"
