"""Profiling: a DataFrame, a DuckDB relation or a configured source -> ``DatasetProfile``.

The entry points; the passes themselves are described in ``passes``."""

from __future__ import annotations

import os
import stat
import tempfile
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb
import numpy as np
import pyarrow as pa

from drift_assets.profiling.column_plan import (
    ColumnPlan,
)
from drift_assets.profiling.dataset_profile import (
    DatasetProfile,
)
from drift_assets.profiling.held_rows import HeldRows
from drift_assets.profiling.iso_text import iso_time_columns, typed_select
from drift_assets.profiling.numeric_pass import (
    InMemory,
)
from drift_assets.profiling.parquet_columns import parquet_columns
from drift_assets.profiling.passes import Profiler
from drift_assets.profiling.sandbox import Sandbox
from drift_assets.profiling.sources import (
    SourceError,
    describe_source,
    duckdb_reason,
    file_format,
    format_of,
    open_source,
    register_dataframe,
    source_query,
)
from drift_assets.settings.dataset_file import SourceConfig
from drift_assets.settings.partitions import Partition, sql_values

if TYPE_CHECKING:
    # Only DataFrame callers need pandas; profiling a file does not import it.
    import pandas as pd

# DuckDB's memory when profiling a source: a 10M-row, 20-column Parquet file then
# peaks at about 650 MiB of resident memory in all, instead of ~800 MiB.
_MEMORY_LIMIT = 512 << 20
# DuckDB's CSV reader reserves vectors for every column of a chunk whether it
# fills them or not (10,000 columns of 5 rows were refused at 512 MiB while
# sniffing, and read at 1 GiB with 412 MiB resident): a wide CSV's cap grows with
# its header. The first line's bytes that are read to tell the width.
_CSV_BYTES_PER_COLUMN = 100 << 10
_HEADER_PEEK = 1 << 20
# A wide CSV source runs on one DuckDB thread: copying a CSV into a table on two
# threads took more CPU and more time than on one at 1,000 columns (100k rows,
# 593 MB: 17.7 s CPU, 18.9 s wall; one thread 11.0 s, 10.6 s), as the threads' row
# groups are merged back into the file's order. A narrow, tall CSV is the other
# way round (1M x 21, 276 MB, idle 2 cores: one thread 3.9-4.5 s wall, two
# 3.2-3.5 s), and more cores widen that gap, so it keeps DuckDB's threads.
_ONE_THREAD_WIDTH = 256
# A wide Parquet file of few cells is copied into a table first, as a CSV is: each
# query over the file binds its whole schema again (0.35 s at 3,000 columns, a
# table's 0.02 s), and a profile of 10,000 columns runs about a hundred queries.
_COPIED_WIDTH = 1_000
_COPIED_CELLS = 1 << 22


def profile_dataframe(
    df: pd.DataFrame,
    dataset: str,
    *,
    reference: DatasetProfile | None = None,
    top_k: int = 50,
    bins: int = 100,
    id_like_ratio: float = 0.95,
    profiled_at: datetime | None = None,
) -> DatasetProfile:
    """Profile a DataFrame, scanned in place by a fresh in-memory DuckDB.

    A DataFrame without columns gives a profile of its row count and no columns.
    """
    if df.shape[1] == 0:
        return DatasetProfile(dataset, len(df.index), (), _timestamp(profiled_at))
    with duckdb.connect(":memory:") as conn:
        return _profile(
            conn,
            register_dataframe(conn, df),
            dataset,
            reference=reference,
            top_k=top_k,
            bins=bins,
            id_like_ratio=id_like_ratio,
            profiled_at=profiled_at,
            arrays=_numpy_columns(df),
        )


def profile_source(
    source: SourceConfig,
    base_dir: Path,
    dataset: str,
    *,
    data_roots: tuple[Path, ...] = (),
    hidden: tuple[Path, ...] = (),
    reference: DatasetProfile | None = None,
    top_k: int = 50,
    bins: int = 100,
    id_like_ratio: float = 0.95,
    profiled_at: datetime | None = None,
    partition: Partition | None = None,
) -> DatasetProfile:
    """Profile a configured source from its files, never building a DataFrame.
    For a ``partition`` the source reads that partition (``SourceConfig.for_partition``,
    SQL parameters bound).

    The source reads only below ``base_dir`` and ``data_roots`` and never the
    ``hidden`` files (the drift store): see ``sandbox``.

    Parquet is scanned in place by every query (columnar: each reads only its
    columns); its plain integer and float columns are read for the numpy pass by
    pyarrow, one column at a time, beside DuckDB's queries instead of after them
    (DuckDB decodes a row group on one thread, so at 1M rows in one row group
    streaming them out of DuckDB took longer than all its queries). CSV and SQL
    sources are read once into a temporary table first, because every query would
    parse the CSV again (about a second per million rows) or run the SQL again.
    DuckDB's memory is capped at ``_MEMORY_LIMIT``; beyond it it spills to a private
    temporary folder. Raises ``SourceError`` when the source cannot be opened or its
    rows cannot be read (say a malformed CSV line deep in the file).
    """
    source = source.for_partition(partition)
    label = describe_source(source, base_dir)
    sandbox = Sandbox.around(base_dir, data_roots, hidden)
    config = _duckdb_config(source, base_dir, sandbox)
    with (
        tempfile.TemporaryDirectory(prefix="drift_assets_spill_") as spill,
        sandbox.connect(base_dir, {**config, "temp_directory": spill}) as conn,
    ):
        params = sql_values(source.location, partition) if source.kind == "sql" else None
        reader = file_format(source, base_dir)
        table = None
        if reader == "csv":
            table = _copied_csv(conn, source, base_dir, sandbox, label)
            relation = conn.table(table)
        else:
            relation = open_source(conn, source, base_dir, sandbox, params)
        try:
            arrays: Mapping[int, InMemory] = {}
            if reader == "sql":
                table = f"__drift_rows_{uuid.uuid4().hex}"
                relation.to_table(table)
                relation = conn.table(table)
            elif reader == "parquet":
                arrays = parquet_columns(conn, source, base_dir, relation)
                rows = arrays.row_count
                width = len(relation.columns)
                if width >= _COPIED_WIDTH and rows is not None and rows * width <= _COPIED_CELLS:
                    table = f"__drift_rows_{uuid.uuid4().hex}"
                    relation.to_table(table)
                    relation = conn.table(table)
            return _profile(
                conn,
                relation,
                dataset,
                reference=reference,
                top_k=top_k,
                bins=bins,
                id_like_ratio=id_like_ratio,
                profiled_at=profiled_at,
                arrays=arrays,
                table=table,
            )
        except (
            duckdb.IOException,
            duckdb.InvalidInputException,
            duckdb.ConversionException,
            duckdb.PermissionException,
        ) as exc:
            raise SourceError(f"{label}: {duckdb_reason(exc)}") from exc
        except (pa.ArrowException, OSError) as exc:
            raise SourceError(f"{label}: {' '.join(str(exc).split())}") from exc


def profile_relation(
    conn: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    dataset: str,
    *,
    reference: DatasetProfile | None = None,
    top_k: int = 50,
    bins: int = 100,
    id_like_ratio: float = 0.95,
    profiled_at: datetime | None = None,
) -> DatasetProfile:
    """Profile a relation of ``conn`` (the queries are in the module docstring)."""
    return _profile(
        conn,
        relation,
        dataset,
        reference=reference,
        top_k=top_k,
        bins=bins,
        id_like_ratio=id_like_ratio,
        profiled_at=profiled_at,
        arrays={},
    )


def _profile(
    conn: duckdb.DuckDBPyConnection,
    relation: duckdb.DuckDBPyRelation,
    dataset: str,
    *,
    reference: DatasetProfile | None,
    top_k: int,
    bins: int,
    id_like_ratio: float,
    profiled_at: datetime | None,
    arrays: Mapping[int, InMemory],
    table: str | None = None,
) -> DatasetProfile:
    if top_k < 1:
        raise ValueError(f"top_k must be at least 1, got {top_k}")
    if bins < 2:
        raise ValueError(f"bins must be at least 2, got {bins}")
    if not 0 < id_like_ratio <= 1:
        raise ValueError(f"id_like_ratio must be in (0, 1], got {id_like_ratio}")
    # A temporary view, so parameterized SQL can read the relation while nothing is
    # written to the caller's database; a table of our own is read as it is (binding
    # a view costs a quarter of a second per query at 10,000 columns, a table 4 ms).
    view = table or f"__drift_profile_{uuid.uuid4().hex}"
    if table is None:
        conn.register(view, relation)
    # ISO date and timestamp text is measured as times (see iso_text), through a
    # second view that reads those columns as their time types.
    typed_view = f"{view}_typed"
    times = {}
    beside = None
    # A short batch of our own table is held as Arrow (see held_rows), and its
    # numbers are read from there: a copied Parquet file's columns read by pyarrow
    # one at a time cost 0.3 ms each (10,000 x 5: 2.5 s a file).
    held = HeldRows.fetch(conn, relation, table) if table is not None else None
    if held is not None:
        arrays = {}
    try:
        text = [n for n, t in zip(relation.columns, relation.types, strict=True) if t == "VARCHAR"]
        times = iso_time_columns(conn, view, text, held)
        typed = conn.sql(typed_select(view, times)) if times else relation
        if times:
            conn.register(typed_view, typed)
        columns = [
            ColumnPlan.plan(
                index, name, duckdb_type, reference, stored_as="VARCHAR" if name in times else None
            )
            for index, (name, duckdb_type) in enumerate(
                zip(typed.columns, typed.types, strict=True)
            )
        ]
        # A view registered on conn is conn's alone; our table is seen by a cursor.
        if table is not None and held is None and not times:
            beside = conn.cursor()
        profiler = Profiler(
            conn,
            typed_view if times else view,
            columns,
            arrays=arrays,
            top_k=top_k,
            bins=bins,
            id_like_ratio=id_like_ratio,
            held=held,
            beside=beside,
        )
        row_count, profiles = profiler.run()
    finally:
        if beside is not None:
            beside.close()
        if times:
            conn.unregister(typed_view)
        if table is None:
            conn.unregister(view)
    return DatasetProfile(dataset, row_count, tuple(profiles), _timestamp(profiled_at))


def _copied_csv(
    conn: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    base_dir: Path,
    sandbox: Sandbox,
    label: str,
) -> str:
    """A CSV source read into a temporary table by one statement, so its reader (and
    sniffer) runs once: opened as a relation first and then copied, the file was
    sniffed twice (0.75 s a file at 10,000 columns)."""
    select, bound = source_query(conn, source, base_dir, sandbox)
    table = f"__drift_rows_{uuid.uuid4().hex}"
    try:
        conn.execute(f"CREATE TABLE {table} AS {select}", bound)
    except duckdb.Error as exc:
        raise SourceError(f"{label}: {duckdb_reason(exc)}") from exc
    return table


def _csv_width(source: SourceConfig, base_dir: Path, sandbox: Sandbox) -> int | None:
    """At most how many columns a CSV file source has, from its first line (None for
    any other source, or a file that cannot be peeked at: the reader says why)."""
    location = str(Path(base_dir) / Path(source.location).expanduser())
    if source.kind != "csv" or format_of(location) != "csv" or sandbox.outside(location):
        return None
    try:
        # Only a regular file: opening a FIFO would wait for a writer.
        if not stat.S_ISREG(os.stat(location).st_mode):
            return None
        with open(location, "rb") as file:
            header = file.read(_HEADER_PEEK).split(b"\n", 1)[0]
    except OSError:
        return None
    # Whatever the delimiter, at most this many columns.
    return 1 + max(header.count(d) for d in (b",", b";", b"\t", b"|"))


def _duckdb_config(source: SourceConfig, base_dir: Path, sandbox: Sandbox) -> dict[str, str]:
    """DuckDB's memory cap (``_MEMORY_LIMIT``, or more for a wide CSV file) and, for
    a wide CSV, one thread."""
    width = _csv_width(source, base_dir, sandbox)
    memory = max(_MEMORY_LIMIT, (width or 0) * _CSV_BYTES_PER_COLUMN)
    config = {"memory_limit": f"{memory >> 20}MiB"}
    if width is not None and width >= _ONE_THREAD_WIDTH:
        config["threads"] = "1"
    return config


def _numpy_columns(df: pd.DataFrame) -> dict[int, InMemory]:
    """Numeric columns numpy can read in place, by position: plain numpy arrays, and
    pandas' nullable (Int64, Float64) or Arrow-backed numbers, converted a chunk at a
    time. Reading them here spares DuckDB streaming them out again."""
    arrays: dict[int, InMemory] = {}
    for index in range(df.shape[1]):
        column = df.iloc[:, index]
        if column.dtype.kind in "iuf":
            in_numpy = isinstance(column.dtype, np.dtype)
            arrays[index] = column.to_numpy() if in_numpy else column.array
    return arrays


def _timestamp(profiled_at: datetime | None) -> str:
    """ISO 8601 in UTC; a naive datetime is taken to be UTC."""
    when = profiled_at or datetime.now(UTC)
    when = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return when.isoformat()
