"""A Parquet source's plain numeric columns, read by pyarrow for the numpy pass."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from functools import cached_property
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from drift_assets.profiling.dataset_profile import (
    LogicalType,
)
from drift_assets.profiling.logical_types import logical_type
from drift_assets.profiling.numeric_pass import arrow_floats
from drift_assets.settings.dataset_file import SourceConfig

# Files of a source kept open while its columns are read (a glob may match thousands).
_KEPT_OPEN = 16
# A Parquet source's reader options that change which columns or values a file gives.
_PARQUET_REMAPPING_OPTIONS = ("hive_partitioning", "hive_types_autocast")


def parquet_columns(
    conn: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    base_dir: Path,
    relation: duckdb.DuckDBPyRelation,
) -> ParquetColumns:
    """The relation's integer and float columns that pyarrow reads as DuckDB does: the
    same plain integer or float type, under the same name, in every local file.
    Anything else (a column missing from a file or typed differently in another,
    which DuckDB would fill or cast; hive partition columns; remote files) is left to
    DuckDB."""
    location = str(Path(base_dir) / Path(source.location).expanduser())
    if "://" in location or any(source.options.get(o) for o in _PARQUET_REMAPPING_OPTIONS):
        return ParquetColumns([], {})
    if source.kind == "glob":
        rows = conn.execute("SELECT file FROM glob(?)", [location]).fetchall()
        files = sorted(file for (file,) in rows)
    else:
        files = [location]
    schemas = [pq.read_schema(file) for file in files]
    names = {}
    for index, (name, duckdb_type) in enumerate(zip(relation.columns, relation.types, strict=True)):
        # pyarrow reads a dotted name as a path into nested columns.
        if logical_type(duckdb_type) not in (LogicalType.INTEGER, LogicalType.FLOAT) or "." in name:
            continue
        found = {
            schema.field(name).type if schema.get_field_index(name) >= 0 else None
            for schema in schemas
        }
        if len(found) == 1 and _plain_number(found.pop()):
            names[index] = name
    return ParquetColumns(files, names)


def _plain_number(arrow_type: pa.DataType | None) -> bool:
    return arrow_type is not None and (
        pa.types.is_integer(arrow_type)
        or pa.types.is_float32(arrow_type)
        or pa.types.is_float64(arrow_type)
    )


class ParquetColumns(Mapping[int, np.ndarray]):
    """Parquet columns by position as float64 (NaN for nulls), each read from the
    files when asked for and a row group at a time, so memory holds one column and
    one row group of it per scanning thread, never the whole batch."""

    def __init__(self, files: list[str], names: dict[int, str]) -> None:
        self.files = files
        self.names = names
        # Each scanning thread reads through its own open files.
        self._threads = threading.local()

    @cached_property
    def _footers(self) -> list[pq.FileMetaData]:
        # Parsed once: parsing a file's footer per column cost 20 ms a column at
        # 1,000 columns (its footer describes them all), 23 of the 36 s profiling took.
        return [pq.read_metadata(file) for file in self.files]

    @property
    def row_count(self) -> int | None:
        """The files' rows from their footers; None when DuckDB reads them alone."""
        return sum(footer.num_rows for footer in self._footers) if self.files else None

    def __getitem__(self, index: int) -> np.ndarray:
        name = self.names[index]
        values = np.empty(sum(footer.num_rows for footer in self._footers))
        start = 0
        for parquet in self._opened():
            for group in range(parquet.num_row_groups):
                chunk = parquet.read_row_group(group, columns=[name]).column(0)
                # Integers are widened to float64 as DuckDB casts them to DOUBLE.
                floats = arrow_floats(chunk.cast(pa.float64(), safe=False))
                values[start : start + len(chunk)] = floats
                start += len(chunk)
        return values

    def _opened(self) -> Iterator[pq.ParquetFile]:
        """The files, opened. A few stay open for every column of the thread reading
        them (opening one costs 4 ms at 1,000 columns, per column); a glob of many
        is opened one file at a time."""
        pairs = zip(self.files, self._footers, strict=True)
        if len(self.files) > _KEPT_OPEN:
            for file, footer in pairs:
                with pq.ParquetFile(file, metadata=footer) as parquet:
                    yield parquet
            return
        kept = getattr(self._threads, "files", None)
        if kept is None:
            kept = self._threads.files = [pq.ParquetFile(f, metadata=m) for f, m in pairs]
        yield from kept

    def __contains__(self, index: object) -> bool:
        return index in self.names

    def __iter__(self) -> Iterator[int]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)
