"""The policy's profiling settings: what the profiler is told, and the moved key."""

from __future__ import annotations

import pandas as pd
import pytest
from pydantic import ValidationError

from drift_assets.profiling.profiler import profile_dataframe
from drift_assets.settings.policy import DriftPolicy

# 30 rows, 18 distinct values: 60% distinct.
CODES = pd.DataFrame({"code": [f"c{i % 18}" for i in range(30)]})


@pytest.mark.parametrize(
    ("policy", "id_like"),
    [
        ({}, False),  # the default ratio 0.95 is far above 60%
        ({"id_like_distinct_ratio": 0.5}, True),
    ],
)
def test_the_profiler_takes_the_policys_id_like_ratio(policy, id_like):
    options = DriftPolicy.model_validate(policy).profiler_options()
    (column,) = profile_dataframe(CODES, "d", **options).columns
    assert (column.skip_reason is not None) is id_like


def test_the_profiler_keeps_the_policys_top_k_categories():
    options = DriftPolicy(top_k=3).profiler_options()
    (column,) = profile_dataframe(CODES, "d", **options).columns
    assert len(column.categorical.top) == 3


@pytest.mark.parametrize(
    "policy",
    [
        {"distribution_shift": {"id_like_distinct_ratio": 0.9}},
        {"columns": {"code": {"distribution_shift": {"id_like_distinct_ratio": 0.9}}}},
    ],
)
def test_the_former_place_of_the_id_like_ratio_says_where_it_moved(policy):
    with pytest.raises(ValidationError, match="set it as policy.id_like_distinct_ratio"):
        DriftPolicy.model_validate(policy)
