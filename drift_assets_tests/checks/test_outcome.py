"""Which metric values count as numbers wherever metrics are charted or compared."""

from __future__ import annotations

import math

import numpy as np
import pytest

from drift_assets.checks.outcome import is_finite_number


@pytest.mark.parametrize(
    ("value", "finite"),
    [
        (0, True),
        (-3, True),
        (0.25, True),
        (10**400, True),  # too large for a float, still a finite int
        (np.float64(2.5), True),  # numpy floats are floats
        (True, False),  # a flag, not a measurement
        (math.nan, False),
        (math.inf, False),
        (-math.inf, False),
        ("1.5", False),
        (None, False),
    ],
)
def test_a_finite_number_is_an_int_or_float_that_is_neither_nan_nor_infinite(value, finite):
    assert is_finite_number(value) is finite
