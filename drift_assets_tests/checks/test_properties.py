"""Property tests of the checks: evaluating any pair of profiled frames (with and
without a row-count history) never raises and never needs containment (no
column or family "could not be evaluated"), and its compare report is valid JSON
that follows the schema."""

from __future__ import annotations

import json

import jsonschema
from hypothesis import given, settings

from drift_assets.checks.families import evaluate_all
from drift_assets.checks.outcome import CHECK_NAMES, ROW_COUNT
from drift_assets.checks.row_count import BatchVolume
from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.reports.compare_report import report_dict, report_schema
from drift_assets.settings.policy import DriftPolicy
from drift_assets.settings.times import as_utc
from drift_assets_tests.frames import frame_pairs

SCHEMA = report_schema()
# min_rows 1 puts even one-row columns through every statistical test.
POLICIES = (DriftPolicy(), DriftPolicy.model_validate({"distribution_shift": {"min_rows": 1}}))


@settings(derandomize=True, max_examples=30, deadline=None, database=None)
@given(frame_pairs())
def test_any_pair_of_frames_is_evaluated_without_an_internal_error(pair):
    baseline_frame, current_frame = pair
    baseline = profile_dataframe(baseline_frame, "t")
    current = profile_dataframe(current_frame, "t", reference=baseline)
    baseline_time = as_utc(baseline.profiled_at)
    for policy in POLICIES:
        for base in (baseline, None):
            history = [BatchVolume(baseline.row_count, baseline_time)] * (8 if base else 0)
            outcomes = evaluate_all(current, base, policy, history)
            assert tuple(o.check for o in outcomes) == CHECK_NAMES
            for outcome in outcomes:
                assert "could not be evaluated" not in outcome.description, outcome.description
                assert outcome.passed == (outcome.severity is None)
            # A comparison of two files has no history: the report holds the drift families.
            outcomes = tuple(o for o in outcomes if o.check != ROW_COUNT)
            report = report_dict(outcomes, baseline="a.csv", current="b.csv")
            # allow_nan=False: the report must be JSON, which has no NaN or inf.
            jsonschema.validate(
                json.loads(json.dumps(report, allow_nan=False, default=str)), SCHEMA
            )
