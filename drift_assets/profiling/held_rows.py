"""A short batch's rows held as Arrow, so wide passes need no query per column group.

A query's cost in DuckDB grows with the columns it binds, whatever the rows: at
10,000 columns of 5 rows, query 1 unpivoting a projection of 2,048 columns took
~0.5 s of binding, and fetching the numeric columns or probing the text columns a
group at a time cost more than reading the file. A short batch (CSV, SQL or copied
Parquet, already in a table of our own) is fetched once instead (0.45 s at 10,000
columns), and its columns of one kind are stacked into (column, value) rows in
Arrow: DuckDB then aggregates two columns, grouped by column, with the same
aggregates over the same values of the same type (so the same counts, bounds and
HyperLogLog estimates), and numpy reads its numbers without a query.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

# A batch is held when it has at most this many rows and cells: the short batches
# whose queries cost more binding than scanning (as for query 1's stacking).
HELD_ROWS = 1 << 14
HELD_CELLS = 1 << 22


class HeldRows:
    """The rows of a table, by column position."""

    def __init__(self, table: pa.Table) -> None:
        self.table = table

    @classmethod
    def fetch(
        cls, conn: duckdb.DuckDBPyConnection, relation: duckdb.DuckDBPyRelation, table: str
    ) -> HeldRows | None:
        """The rows of ``relation`` (our table named ``table``) when it is short
        enough to hold, else None."""
        ((rows,),) = conn.execute(f'SELECT count(*) FROM "{table}"').fetchall()
        if rows > HELD_ROWS or rows * len(relation.columns) > HELD_CELLS:
            return None
        return cls(relation.to_arrow_table())

    def column(self, index: int) -> pa.ChunkedArray:
        return self.table.column(index)

    @contextmanager
    def stacked(
        self, conn: duckdb.DuckDBPyConnection, indexes: list[int], *, nan_is_null: bool = False
    ) -> Iterator[str]:
        """A view of (col, value) rows: the columns' values one after the other, nulls
        kept (every aggregate used skips them, as UNPIVOT leaves them out), ``col``
        the column's position as an INTEGER. The columns share one Arrow type.
        With ``nan_is_null`` NaN is made null, as the float columns' c{i} does."""
        # Arrays built from buffers: pa.array and pa.scalar import pandas (half a
        # second of a compare run that never needs it).
        chunks = [chunk for i in indexes for chunk in self.column(i).chunks]
        kind = self.table.schema.field(indexes[0]).type
        values = pa.concat_arrays(chunks) if chunks else pa.nulls(0, kind)
        if nan_is_null:
            values = pc.if_else(pc.is_nan(values), pa.nulls(len(values), kind), values)
        positions = np.repeat(np.asarray(indexes, dtype=np.int32), self.table.num_rows)
        col = pa.Array.from_buffers(pa.int32(), len(positions), [None, pa.py_buffer(positions)])
        cells = pa.Table.from_arrays([col, values], names=["col", "value"])
        name = f"__drift_stacked_{uuid.uuid4().hex}"
        conn.register(name, cells)
        try:
            yield f'"{name}"'
        finally:
            conn.unregister(name)
