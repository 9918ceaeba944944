"""Check history as people and scripts read it: an aligned terminal table, JSON
and CSV, built from the store's ``StoredCheckResult`` rows (newest first)."""

from __future__ import annotations

import csv
import io
import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from drift_assets.settings.times import as_utc, show_time
from drift_assets.store import StoredCheckResult

CSV_FIELDS = (
    "time",
    "dataset",
    "check",
    "result",
    "severity",
    "description",
    "profile_id",
    "run_id",
    "partition",
)
_TABLE_HEADER = ("TIME (UTC)", "DATASET", "CHECK", "RESULT", "SEVERITY", "DESCRIPTION")


def result_word(result: StoredCheckResult) -> str:
    return "PASS" if result.passed else "FAIL"


def history_records(results: Sequence[StoredCheckResult]) -> list[dict[str, Any]]:
    """One JSON-ready mapping per evaluation; ``metrics`` keep the stored names."""
    return [
        {
            "time": as_utc(r.evaluated_at).isoformat(),
            "dataset": r.dataset,
            "check": r.check_name,
            "result": result_word(r),
            "passed": r.passed,
            "severity": r.severity,
            "description": r.description,
            "profile_id": r.profile_id,
            "run_id": r.run_id,
            "baseline_strategy": r.baseline_strategy,
            "baseline_profile_ids": list(r.baseline_profile_ids),
            "metrics": r.metrics,
            "partition": r.partition_key,
            # A later materialization of the same partition replaced this result.
            "superseded": r.superseded,
        }
        for r in results
    ]


def history_json(results: Sequence[StoredCheckResult]) -> str:
    return json.dumps(history_records(results), indent=2, default=str) + "\n"


def history_csv(results: Sequence[StoredCheckResult]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for record in history_records(results):
        writer.writerow({**record, "severity": record["severity"] or ""})
    return out.getvalue()


def history_table(results: Sequence[StoredCheckResult], width: int | None = None) -> str:
    """Columns aligned to their widest cell; with ``width`` (a terminal's), each
    description is cut to fit the line, ending in an ellipsis. A PARTITION column
    appears when a result has one (a replaced result is marked so)."""
    partitioned = any(r.partition_key is not None for r in results)
    rows = [
        (
            show_time(r.evaluated_at),
            r.dataset,
            *([_partition_cell(r)] if partitioned else []),
            r.check_name,
            result_word(r),
            r.severity or "-",
            r.description,
        )
        for r in results
    ]
    header = (*_TABLE_HEADER[:2], "PARTITION", *_TABLE_HEADER[2:]) if partitioned else _TABLE_HEADER
    lead_count = len(header) - 1
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(lead_count)]
    lines = []
    for row in [header, *rows]:
        lead = "  ".join(cell.ljust(w) for cell, w in zip(row[:-1], widths, strict=True))
        description = row[-1]
        room = (width or 0) - len(lead) - 2
        # Too narrow a terminal wraps the whole line rather than keep a stub of it.
        if room >= 10 and len(description) > room:
            description = description[: room - 1] + "…"
        lines.append(f"{lead}  {description}")
    return "\n".join(lines) + "\n"


def _partition_cell(result: StoredCheckResult) -> str:
    key = result.partition_key or "-"
    return f"{key} (replaced)" if result.superseded else key


def history_summary(results: Sequence[StoredCheckResult]) -> str:
    """For example "27 evaluations, 4 failed (3 ERROR, 1 WARN)"."""
    failed = Counter(r.severity or "FAIL" for r in results if not r.passed)
    total = len(results)
    line = f"{total:,} evaluation{'' if total == 1 else 's'}"
    if not failed:
        return line + ", all passed"
    detail = ", ".join(f"{n} {sev}" for sev, n in sorted(failed.items()))
    return f"{line}, {sum(failed.values())} failed ({detail})"
