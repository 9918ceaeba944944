"""The hand-written alternative: the same three checks in plain pandas + scipy."""

from __future__ import annotations

import argparse

import numpy as np
import pandas as pd
from scipy import stats
from scipy.spatial.distance import jensenshannon

from bench.generate import parquet_paths, read_frame
from bench.measure import frame_mib, run_timed

# The same thresholds as drift_assets' default policy, so both answer the same question.
NULL_INCREASE_PP = 5.0
SIGNIFICANCE = 0.01
KS_DISTANCE = 0.1
MEAN_SHIFT_SD = 0.1
JS_DISTANCE = 0.1
NEW_CATEGORY_SHARE = 0.01


def check(baseline: pd.DataFrame, current: pd.DataFrame) -> dict[str, str]:
    flags: dict[str, list[str]] = {}
    for name in baseline.columns.symmetric_difference(current.columns):
        flags.setdefault(name, []).append("added" if name in current else "removed")
    shared = [c for c in baseline.columns if c in current.columns]
    for name in shared:
        if baseline[name].dtype != current[name].dtype:
            flags.setdefault(name, []).append(f"{baseline[name].dtype} -> {current[name].dtype}")
    increase_pp = (current[shared].isna().mean() - baseline[shared].isna().mean()) * 100
    for name, pp in increase_pp.items():
        if pp >= NULL_INCREASE_PP:
            flags.setdefault(name, []).append(f"nulls +{pp:.1f} pp")
    for name in shared:
        b, c = baseline[name].dropna(), current[name].dropna()
        why = _numeric(b, c) if pd.api.types.is_numeric_dtype(b) else _categorical(b, c)
        if why:
            flags.setdefault(name, []).append(why)
    return {name: "; ".join(reasons) for name, reasons in flags.items()}


def _numeric(b: pd.Series, c: pd.Series) -> str | None:
    b, c = b.to_numpy(dtype=np.float64), c.to_numpy(dtype=np.float64)
    ks = stats.ks_2samp(b, c)
    shift_sd = abs(c.mean() - b.mean()) / b.std()
    if ks.pvalue < SIGNIFICANCE and (ks.statistic >= KS_DISTANCE or shift_sd >= MEAN_SHIFT_SD):
        return f"KS {ks.statistic:.3f}, mean {shift_sd:.2f} SD"
    return None


def _categorical(b: pd.Series, c: pd.Series) -> str | None:
    counts = pd.concat([b.value_counts(), c.value_counts()], axis=1).fillna(0)
    base, cur = counts.iloc[:, 0].to_numpy(), counts.iloc[:, 1].to_numpy()
    pvalue = stats.chi2_contingency(np.vstack([base, cur])).pvalue
    js = jensenshannon(base / base.sum(), cur / cur.sum(), base=2)
    new_share = cur[base == 0].sum() / cur.sum()
    if pvalue < SIGNIFICANCE and (js >= JS_DISTANCE or new_share >= NEW_CATEGORY_SHARE):
        return f"JS {js:.3f}, new {new_share:.1%}"
    return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, required=True)
    args = parser.parse_args()
    baseline_path, current_path = parquet_paths(args.rows)
    baseline, current = read_frame(baseline_path), read_frame(current_path)
    result = {"input_mib": frame_mib(baseline) + frame_mib(current)}
    run_timed(lambda: check(baseline, current), result)


if __name__ == "__main__":
    main()
