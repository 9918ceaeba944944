"""Benchmark data: N x 20 baseline and current batches with known shifts, as Parquet."""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

# The shifts planted in the current batch; the runner scores every contender on them.
MEAN_SHIFTS_SD = {"f_normal": 0.5, "f_lognormal": 0.2, "f_gamma": 0.01}
NULL_INCREASE = ("f_uniform", 0.10)
NEW_CATEGORY = ("s_50", "NEW_CATEGORY", 0.02)
# What a good drift check should flag: the 0.01 SD shift is below any useful effect size.
SHOULD_FLAG = frozenset({"f_normal", "f_lognormal", "f_uniform", "s_50"})

DATA_DIR = Path(__file__).parent / "data"

# name -> (sampler of n values, its standard deviation); the SD turns "+x SD" into a shift.
_FLOATS = {
    "f_normal": (lambda r, n: r.normal(100.0, 15.0, n), 15.0),
    "f_lognormal": (lambda r, n: r.lognormal(3.0, 0.5, n), np.sqrt((np.e**0.25 - 1) * np.e**6.25)),
    "f_gamma": (lambda r, n: r.gamma(2.0, 3.0, n), np.sqrt(2.0) * 3.0),
    "f_uniform": (lambda r, n: r.uniform(-1.0, 1.0, n), 2 / np.sqrt(12)),
    "f_exponential": (lambda r, n: r.exponential(2.0, n), 2.0),
    "f_beta": (lambda r, n: r.beta(2.0, 5.0, n), None),
    "f_student_t": (lambda r, n: r.standard_t(5, n), None),
    "f_bimodal": (
        lambda r, n: np.where(r.random(n) < 0.3, r.normal(-2, 1, n), r.normal(3, 0.5, n)),
        None,
    ),
    "f_chisquare": (lambda r, n: r.chisquare(4, n), None),
    "f_weibull": (lambda r, n: r.weibull(1.5, n), None),
    "f_pareto": (lambda r, n: r.pareto(3.0, n), None),
    "f_laplace": (lambda r, n: r.laplace(0.0, 1.0, n), None),
}
_INTS = {
    "i_poisson": lambda r, n: r.poisson(3.0, n),
    "i_uniform": lambda r, n: r.integers(0, 1_000, n),
    "i_binomial": lambda r, n: r.binomial(20, 0.3, n),
    "i_negbinomial": lambda r, n: r.negative_binomial(5, 0.1, n),
}
# Category counts from 5 to 1000, with Zipf-like shares so the tail is thin.
_STRINGS = {"s_5": 5, "s_50": 50, "s_200": 200, "s_1000": 1000}
COLUMNS = (*_FLOATS, *_INTS, *_STRINGS)


def null_rate(column: str) -> float:
    """Each column's baseline null rate, fixed between 1% and 5%."""
    return 0.01 + 0.04 * (COLUMNS.index(column) / (len(COLUMNS) - 1))


def generate(rows: int, *, current: bool, seed: int = 0) -> pa.Table:
    """One batch; ``current`` batches carry the known shifts and a different seed."""
    rng = np.random.default_rng(seed * 2 + int(current))
    arrays: dict[str, pa.Array] = {}
    for name, (sample, sd) in _FLOATS.items():
        values = sample(rng, rows)
        if current and name in MEAN_SHIFTS_SD:
            values += MEAN_SHIFTS_SD[name] * sd
        arrays[name] = pa.array(values, mask=_nulls(rng, name, rows, current))
    for name, sample in _INTS.items():
        arrays[name] = pa.array(
            sample(rng, rows).astype(np.int64), mask=_nulls(rng, name, rows, current)
        )
    for name, k in _STRINGS.items():
        arrays[name] = _categories(rng, name, k, rows, current)
    return pa.table(arrays)


def _nulls(rng: np.random.Generator, column: str, rows: int, current: bool) -> np.ndarray:
    rate = null_rate(column)
    if current and column == NULL_INCREASE[0]:
        rate += NULL_INCREASE[1]
    return rng.random(rows) < rate


def _categories(
    rng: np.random.Generator, column: str, k: int, rows: int, current: bool
) -> pa.Array:
    weights = 1.0 / np.arange(1, k + 1) ** 0.8
    codes = rng.choice(k, size=rows, p=weights / weights.sum()).astype(np.int32)
    labels = [f"{column}_{i:04d}" for i in range(k)]
    if current and column == NEW_CATEGORY[0]:
        codes[rng.random(rows) < NEW_CATEGORY[2]] = k
        labels.append(NEW_CATEGORY[1])
    # Dictionary-encode then decode: building 10M Python strings would dominate the run.
    indices = pa.array(codes, mask=_nulls(rng, column, rows, current))
    return pa.DictionaryArray.from_arrays(indices, pa.array(labels)).cast(pa.string())


def parquet_paths(rows: int) -> tuple[Path, Path]:
    folder = DATA_DIR / str(rows)
    return folder / "baseline.parquet", folder / "current.parquet"


def write(rows: int, *, force: bool = False) -> tuple[Path, Path]:
    """Write both batches once; later calls reuse the files."""
    baseline, current = parquet_paths(rows)
    if force or not (baseline.exists() and current.exists()):
        baseline.parent.mkdir(parents=True, exist_ok=True)
        for path, is_current in ((baseline, False), (current, True)):
            # Row groups of 1M let DuckDB read a file with both cores.
            pq.write_table(generate(rows, current=is_current), path, row_group_size=1_000_000)
    return baseline, current


def read_frame(path: Path) -> pd.DataFrame:
    """The batch as pandas, keeping integer columns integer (nullable) rather than float."""
    return pq.read_table(path).to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="+")
    parser.add_argument("--force", action="store_true")
    args = parser.parse_args()
    for rows in args.rows:
        for path in write(rows, force=args.force):
            print(path)


if __name__ == "__main__":
    main()
