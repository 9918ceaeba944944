"""Fresh edges' quantiles: cut from one sort, they are numpy's inverted_cdf ones."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from drift_assets.profiling.numeric_pass import quantile_cuts

QUANTILES = [i / 100 for i in range(1, 100)]


@pytest.mark.parametrize(
    "values",
    [
        np.random.default_rng(0).normal(0, 1, 100_000),  # continuous
        np.random.default_rng(1).integers(0, 100, 98_765).astype(float),  # heavy ties
        np.arange(7, dtype=float),  # fewer values than quantiles
        np.array([3.5]),  # one value
        # signed zeros tie: numpy decides which one a cut holds
        np.random.default_rng(2).choice([-0.0, 0.0, 1.0, -1.0], 5_000),
    ],
)
def test_quantile_cuts_are_numpys_inverted_cdf(values):
    expected = np.quantile(values, QUANTILES, method="inverted_cdf")
    cuts = quantile_cuts(values, QUANTILES)
    assert cuts == expected.tolist()
    assert np.signbit(cuts).tolist() == np.signbit(expected).tolist()


# Any finite values, few and many, with ties and both signed zeros.
_FINITE = st.floats(allow_nan=False, allow_infinity=False, width=64)
_TIED = st.sampled_from([-0.0, 0.0, 1.0, -1.0, 2.5])


@given(arrays(np.float64, st.integers(1, 600), elements=_FINITE | _TIED))
def test_quantile_cuts_are_numpys_for_any_finite_values(values):
    expected = np.quantile(values, QUANTILES, method="inverted_cdf")
    cuts = quantile_cuts(values, QUANTILES)
    assert cuts == expected.tolist()
    assert np.signbit(cuts).tolist() == np.signbit(expected).tolist()
