"""The values an existing asset may hold, profiled: pandas and Polars DataFrames,
Polars LazyFrames, Arrow tables and record batches, and DuckDB relations.

Everything but pandas goes through Arrow: Polars hands its columns over without
copying them (``to_arrow``), and DuckDB scans an Arrow table in place, so the
profile reads the asset's own buffers. A DuckDB relation is read out of the
connection that made it as Arrow, because that connection may be closed or busy
by the time the check runs. Polars is never imported here: a value is recognised
by its type only when the asset's own code already imported its library.
"""

from __future__ import annotations

import sys
from typing import Any

import duckdb
import pyarrow as pa

from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.profiling.profiler import profile_dataframe, profile_relation
from drift_assets.profiling.sources import SourceError

ACCEPTED = (
    "pandas.DataFrame, polars.DataFrame, polars.LazyFrame, pyarrow.Table,"
    " pyarrow.RecordBatch or a duckdb relation"
)


class UnsupportedValue(SourceError, TypeError):
    """A value the drift checks cannot profile, named with what they accept."""


def profile_frame(value: Any, dataset: str, **options: Any) -> DatasetProfile:
    """Profile ``value`` (any of ``ACCEPTED``); ``options`` are ``profile_dataframe``'s."""
    pandas = sys.modules.get("pandas")
    if pandas is not None and isinstance(value, pandas.DataFrame):
        return profile_dataframe(value, dataset, **options)
    table = as_arrow(value)
    if table.num_columns == 0:
        # No column to scan: the same record as an empty DataFrame gives.
        return profile_dataframe(table.to_pandas(), dataset, **options)
    with duckdb.connect(":memory:") as conn:
        return profile_relation(conn, conn.from_arrow(table), dataset, **options)


def as_arrow(value: Any) -> pa.Table:
    """``value`` as an Arrow table, without copying its columns where its library allows."""
    if isinstance(value, pa.Table):
        return value
    if isinstance(value, pa.RecordBatch):
        return pa.Table.from_batches([value])
    polars = sys.modules.get("polars")
    if polars is not None:
        if isinstance(value, polars.LazyFrame):
            return value.collect().to_arrow()
        if isinstance(value, polars.DataFrame):
            return value.to_arrow()
    if isinstance(value, duckdb.DuckDBPyRelation):
        return value.to_arrow_table()
    kind = type(value)
    raise UnsupportedValue(
        f"cannot profile a {kind.__module__}.{kind.__qualname__}; the value must be a {ACCEPTED}"
    )
