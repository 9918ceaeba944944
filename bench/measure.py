"""Wall time and resident memory of the work a contender process does, as one JSON line."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MIB = 1024 * 1024


def _status_kib(field: str) -> int:
    return int(re.search(rf"{field}:\s+(\d+)", Path("/proc/self/status").read_text()).group(1))


@contextmanager
def measured(result: dict[str, Any]):
    """Time the block and record the peak RSS reached inside it above the RSS at its start.

    Writing 5 to clear_refs resets the kernel's peak-RSS mark, so what loading the
    input cost does not hide what the work itself costs.
    """
    Path("/proc/self/clear_refs").write_text("5")
    start_kib = _status_kib("VmRSS")
    start = time.perf_counter()
    yield
    result["seconds"] = time.perf_counter() - start
    result["rss_at_start_mib"] = start_kib / 1024
    result["work_peak_above_start_mib"] = (_status_kib("VmHWM") - start_kib) / 1024


def report(result: dict[str, Any]) -> None:
    print("BENCH_RESULT " + json.dumps(result), flush=True)


def frame_mib(frame: Any) -> float:
    return float(frame.memory_usage(deep=True).sum()) / MIB


def run_timed(work: Callable[[], dict[str, str]], result: dict[str, Any]) -> None:
    """Run ``work`` (which returns the columns it flags, with why) and report."""
    with measured(result):
        result["flags"] = work()
    report(result)
