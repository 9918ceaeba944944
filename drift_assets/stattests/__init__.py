"""Distribution tests over plain counts and moments: no pandas, no Dagster.

Importing this package registers every count-based test (PSI, KS,
Jensen-Shannon, chi-square) in the registry; ``moments`` holds the tests over
means and standard deviations.
"""

# Summaries list a kind's tests in registration order, which is the import
# order here: PSI first, the measure people read first.
from drift_assets.stattests.psi import psi  # isort: split

from drift_assets.stattests.chi_square import chi_square
from drift_assets.stattests.jensen_shannon import jensen_shannon
from drift_assets.stattests.ks import ks
from drift_assets.stattests.moments import mean_shift_pvalue, mean_shift_sd, std_change
from drift_assets.stattests.registry import (
    ColumnKind,
    StatResult,
    StatTest,
    effect_sizes,
    for_kind,
    gate,
    get,
    register,
)

__all__ = [
    "ColumnKind",
    "StatTest",
    "StatResult",
    "chi_square",
    "effect_sizes",
    "for_kind",
    "gate",
    "get",
    "jensen_shannon",
    "ks",
    "mean_shift_pvalue",
    "mean_shift_sd",
    "psi",
    "register",
    "std_change",
]
