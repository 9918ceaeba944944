"""Where a dataset's rows come from (CSV, Parquet, a glob of either, DuckDB SQL or a
DataFrame), opened as a lazy DuckDB relation."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from drift_assets.profiling.sandbox import Sandbox
from drift_assets.settings.dataset_file import SourceConfig

if TYPE_CHECKING:
    # Only DataFrame callers need pandas; reading a file does not import it.
    import pandas as pd


class SourceError(ValueError):
    """A source that cannot be read, with which file (or SQL) and why; one line."""


def duckdb_reason(exc: BaseException) -> str:
    """DuckDB's message as one line: its first (the sniffer adds a dozen more of
    hints and options), and a path the sandbox refused said in our words."""
    lines = str(exc).strip().splitlines()
    first = " ".join(lines[0].split()) if lines else type(exc).__name__
    if isinstance(exc, duckdb.PermissionException):
        match = _REFUSED_PATH.search(first)
        if match:
            return (
                f"cannot read {match.group(1)}: a source reads only below the dataset"
                " file's folder and its data_roots"
            )
    return first


_REFUSED_PATH = re.compile(r'Cannot access (?:file|directory) "(.*)" - ')


# Reader options a dataset file may set. Anything that adds columns (filename,
# file_row_number) is left out on purpose: it would change the schema per batch.
_CSV_OPTIONS = frozenset(
    {
        "all_varchar",
        "auto_detect",
        "comment",
        "compression",
        "dateformat",
        "decimal_separator",
        "delim",
        "encoding",
        "escape",
        "header",
        "hive_partitioning",
        "ignore_errors",
        "max_line_size",
        "new_line",
        "normalize_names",
        "null_padding",
        "nullstr",
        "quote",
        "sample_size",
        "sep",
        "skip",
        "strict_mode",
        "timestampformat",
        "types",
        "union_by_name",
    }
)
_PARQUET_OPTIONS = frozenset(
    {"binary_as_string", "hive_partitioning", "hive_types_autocast", "union_by_name"}
)
_READERS = {"csv": ("read_csv", _CSV_OPTIONS), "parquet": ("read_parquet", _PARQUET_OPTIONS)}
# The reader a file name's ending calls for; a compression ending is looked through.
FORMAT_BY_SUFFIX = {
    ".parquet": "parquet",
    ".parq": "parquet",
    ".pq": "parquet",
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
}
_COMPRESSION_SUFFIXES = (".gz", ".zst")

# pandas.api.types.infer_dtype kinds of an object column that DuckDB's pandas scan
# reads faithfully. Others ("mixed", "mixed-integer", naive and aware datetimes
# together, all-missing "empty") make it fail mid-scan or guess a type from a
# sample and drop what does not fit, so such columns are profiled as strings.
_SCANNABLE_OBJECT_KINDS = frozenset(
    {
        "string",
        "integer",
        "floating",
        "mixed-integer-float",
        "decimal",
        "boolean",
        "date",
        "time",
        "timedelta",
        "bytes",
    }
)


def describe_source(source: SourceConfig, base_dir: Path) -> str:
    """How errors name a source: the resolved file or pattern, or the SQL."""
    if source.kind == "sql":
        return f"sql source {_shorten(source.location)!r}"
    return f"{source.kind} source {_resolve(source.location, base_dir)}"


def file_format(source: SourceConfig, base_dir: Path) -> str:
    """The reader a file source uses: "csv" or "parquet" ("sql" for SQL sources).

    A glob's format comes from ``options.format`` or else from the pattern's extension.
    """
    if source.kind != "glob":
        return source.kind
    label = describe_source(source, base_dir)
    given = source.options.get("format")
    if given is not None:
        if given not in _READERS:
            raise SourceError(f"{label}: format must be 'csv' or 'parquet', got {given!r}")
        return given
    found = format_of(source.location)
    if found is not None:
        return found
    raise SourceError(
        f"{label}: cannot tell the format from the pattern;"
        " set options.format to 'csv' or 'parquet'"
    )


def format_of(name: str) -> str | None:
    """ "csv" or "parquet", as the file name (or pattern) ends; None if it says neither."""
    name = name.lower()
    for suffix in _COMPRESSION_SUFFIXES:
        name = name.removesuffix(suffix)
    return next((kind for suffix, kind in FORMAT_BY_SUFFIX.items() if name.endswith(suffix)), None)


def open_source(
    conn: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    base_dir: Path,
    sandbox: Sandbox | None = None,
    params: Mapping[str, Any] | None = None,
) -> duckdb.DuckDBPyRelation:
    """The source's rows as a relation on ``conn``; paths are relative to ``base_dir``.
    ``params`` are a SQL source's bound parameters (a partition's key, start, end).

    For SQL sources relative file names inside the query resolve like the other
    kinds' (with a ``sandbox``, whose connection is locked, they are made absolute;
    without, the connection's ``file_search_path`` is set to ``base_dir``). With a
    ``sandbox`` a file outside it is refused, naming the path. Raises
    ``SourceError`` for a missing, empty or unreadable file, an unknown reader option
    or SQL that fails.

    A CSV file of zero bytes (or only blank lines) is an error, not an empty batch: it
    has no header, so there is no schema to compare, and it usually means a failed
    export. A header-only CSV is a valid batch of 0 rows (DuckDB cannot infer types
    from no rows, so its columns are VARCHAR).
    """
    sql, bound = source_query(conn, source, base_dir, sandbox, params)
    try:
        return conn.sql(sql, params=bound)
    except duckdb.Error as exc:
        raise SourceError(f"{describe_source(source, base_dir)}: {duckdb_reason(exc)}") from exc


def source_query(
    conn: duckdb.DuckDBPyConnection,
    source: SourceConfig,
    base_dir: Path,
    sandbox: Sandbox | None = None,
    params: Mapping[str, Any] | None = None,
) -> tuple[str, Any]:
    """The SELECT that reads the source and its bound parameters, checked as
    ``open_source`` says. Copying a CSV into a table with this SELECT runs its
    reader once; a relation opened first and then copied sniffs the file twice
    (about 0.75 s a file at 10,000 columns)."""
    label = describe_source(source, base_dir)
    if source.kind == "sql":
        if source.options:
            raise SourceError(
                f"{label}: reader options {sorted(source.options)} do not apply to SQL"
            )
        try:
            statements = duckdb.extract_statements(source.location)
            # One SELECT: anything else (DDL, several statements) would run a side
            # effect on every profile rather than describe rows.
            if [s.type for s in statements] != [duckdb.StatementType.SELECT]:
                raise SourceError(f"{label}: the SQL must be a single query that returns rows")
            if sandbox is None:
                conn.execute("SET file_search_path = ?", [str(base_dir)])
                return source.location, dict(params or {}) or None
            return sandbox.absolute_sql(source.location, base_dir), dict(params or {}) or None
        except duckdb.Error as exc:
            raise SourceError(f"{label}: {duckdb_reason(exc)}") from exc

    options = dict(source.options)
    location = _resolve(source.location, base_dir)
    if sandbox is not None and (why := sandbox.outside(location)):
        raise SourceError(f"{label}: {why}")
    reader = file_format(source, base_dir)
    if source.kind == "glob":
        options.pop("format", None)  # chooses the reader; not an option of it
    else:
        _check_file(location, reader, label)
    function, allowed = _READERS[reader]
    unknown = sorted(set(options) - allowed)
    if unknown:
        raise SourceError(
            f"{label}: unknown {reader} reader option(s) {unknown}; allowed: {sorted(allowed)}"
        )
    # Option names come from the allow-list above; every value is a bound parameter.
    named = "".join(f", {name} := ?" for name in options)
    return f"SELECT * FROM {function}(?{named})", [location, *options.values()]


def load_dataframe(
    source: SourceConfig, base_dir: Path, data_roots: tuple[Path, ...] = ()
) -> pd.DataFrame:
    """The source's rows as pandas, read by the same DuckDB readers the profiler uses,
    in the same sandbox."""
    sandbox = Sandbox.around(base_dir, data_roots)
    with sandbox.connect(base_dir, {}) as conn:
        relation = open_source(conn, source, base_dir, sandbox)
        try:
            return relation.df()
        except duckdb.Error as exc:
            raise SourceError(f"{describe_source(source, base_dir)}: {duckdb_reason(exc)}") from exc


def register_dataframe(
    conn: duckdb.DuckDBPyConnection, df: pd.DataFrame
) -> duckdb.DuckDBPyRelation:
    """A relation scanning ``df`` in place (zero-copy), after making it scannable.

    Columns DuckDB cannot scan faithfully are replaced by their string form: object
    columns of mixed types (lists and dicts count as mixed), all-missing object
    columns (so they are STRING, the usual meaning of an empty ``object`` column, not
    DuckDB's untyped NULL), complex, period and interval columns. Sparse columns are
    densified. Only those columns are copied. DuckDB names the columns: non-string
    labels become their ``str()``, and duplicates are suffixed (``a``, ``a`` -> ``a``,
    ``a_1``).
    """
    if df.shape[1] == 0:
        raise SourceError("the DataFrame has no columns")
    replaced = {
        i: fixed for i in range(df.shape[1]) if (fixed := _scannable(df.iloc[:, i])) is not None
    }
    if replaced:
        df = df.copy(deep=False)
        for i, column in replaced.items():
            df.isetitem(i, column)
    return conn.from_df(df)


def _scannable(column: pd.Series) -> pd.Series | None:
    """A replacement for a column DuckDB cannot scan as it is, else None."""
    import pandas as pd  # already imported by whoever built the DataFrame

    dtype = column.dtype
    if isinstance(dtype, pd.SparseDtype):
        return column.sparse.to_dense()
    if isinstance(dtype, pd.PeriodDtype | pd.IntervalDtype) or dtype.kind == "c":
        return column.astype("str")
    if (
        pd.api.types.is_object_dtype(dtype)
        and pd.api.types.infer_dtype(column, skipna=True) not in _SCANNABLE_OBJECT_KINDS
    ):
        return column.astype("str")
    return None


def _resolve(location: str, base_dir: Path) -> str:
    if "://" in location:
        return location
    return str(Path(base_dir) / Path(location).expanduser())


def _check_file(location: str, kind: str, label: str) -> None:
    if "://" in location:
        return
    path = Path(location)
    if not path.exists():
        raise SourceError(f"{label}: file not found")
    if path.is_dir():
        raise SourceError(f"{label}: is a directory; use a glob source for a folder of files")
    if kind == "csv" and _is_blank(path):
        raise SourceError(f"{label}: the file is empty (no header, no rows)")


def _is_blank(path: Path) -> bool:
    size = path.stat().st_size
    if size == 0:
        return True
    if size > 4096 or path.suffix in _COMPRESSION_SUFFIXES:
        return False
    try:
        return not path.read_bytes().strip()
    except OSError as exc:
        raise SourceError(f"{path}: cannot read the file ({exc.strerror or exc})") from exc


def _shorten(sql: str, limit: int = 80) -> str:
    flat = " ".join(sql.split())
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."
