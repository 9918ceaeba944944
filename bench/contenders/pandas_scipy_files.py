"""The pandas + scipy script on two files given by path (CSV or Parquet), as a user runs it."""

from __future__ import annotations

import argparse
import json

import pandas as pd

from bench.contenders.pandas_scipy import check


def read(path: str) -> pd.DataFrame:
    return pd.read_parquet(path) if path.endswith(".parquet") else pd.read_csv(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("baseline")
    parser.add_argument("current")
    args = parser.parse_args()
    flags = check(read(args.baseline), read(args.current))
    print(json.dumps(flags))


if __name__ == "__main__":
    main()
