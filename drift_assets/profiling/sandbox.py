"""What a source may read: the files below its roots (the dataset file's folder and
the ``data_roots:`` it names), never a hidden file such as the drift store.

DuckDB enforces it: a profiling connection runs with ``enable_external_access``
off and the roots as ``allowed_directories`` (DuckDB checks the real path, so a
symlink out of a root or a ``..`` is refused), installs and autoloads no
extension, and locks its configuration before any source SQL runs, so a query
cannot ``SET`` its way out. File sources are also checked here first, for an
error that names the path.

DuckDB checks a relative path as written, before its ``file_search_path``, so
the file names a SQL source gives to a file-reading function (``read_parquet('raw/x')``,
``FROM 'raw/x.csv'``) are made absolute against the dataset file's folder
first; every other string in the query is left as it is.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import duckdb

# Table functions whose first argument names files (DuckDB's own and its
# extensions'); a path given to anything else must be absolute, or is refused.
_FILE_FUNCTIONS = frozenset(
    {
        "glob",
        "parquet_scan",
        "parquet_metadata",
        "parquet_schema",
        "parquet_file_metadata",
        "parquet_kv_metadata",
        "sniff_csv",
    }
)
_STRING = duckdb.token_type.string_const
_DIRECT_FILE_KEYWORDS = frozenset({"from", "join"})


def _real(path: Path) -> Path:
    # A folder that does not exist yet still resolves; DuckDB compares real paths.
    return Path(os.path.realpath(path))


@dataclass(frozen=True)
class Sandbox:
    """The folders a source may read below (real paths) and the files it may not."""

    roots: tuple[Path, ...]
    hidden: tuple[Path, ...] = ()

    @classmethod
    def around(
        cls, base_dir: Path, data_roots: tuple[Path, ...] = (), hidden: tuple[Path, ...] = ()
    ) -> Sandbox:
        roots = dict.fromkeys(_real(Path(base_dir) / root) for root in (Path("."), *data_roots))
        hidden_files = {_real(h) for h in hidden}
        # DuckDB writes a store's changes beside it first.
        hidden_files |= {f.with_name(f.name + ".wal") for f in hidden_files}
        return cls(tuple(roots), tuple(sorted(hidden_files)))

    def outside(self, location: str) -> str | None:
        """Why a file source's path may not be read, or None when it may."""
        if "://" in location:
            return "remote files are not readable from a source"
        real = _real(Path(location))
        # A hidden folder (the store's journal) hides everything below it.
        if any(real.is_relative_to(h) for h in self.hidden):
            return "the drift store is not readable from a source"
        if not any(real.is_relative_to(root) for root in self.roots):
            return (
                f"outside the dataset file's folder and data_roots ({_show(self.roots)});"
                " add its folder to data_roots to read it"
            )
        return None

    def connect(self, base_dir: Path, config: dict[str, str]) -> duckdb.DuckDBPyConnection:
        """An in-memory connection that can read only what this sandbox allows,
        its configuration locked. ``config``'s ``temp_directory`` stays writable."""
        conn = duckdb.connect(
            ":memory:",
            config={
                **config,
                "autoinstall_known_extensions": False,
                "autoload_known_extensions": False,
            },
        )
        try:
            conn.execute("SET file_search_path = ?", [str(base_dir)])
            directories, files = self._allowed()
            spill = config.get("temp_directory")
            if spill:
                directories.append(_as_folder(_real(Path(spill))))
            conn.execute("SET allowed_directories = ?", [directories])
            conn.execute("SET allowed_paths = ?", [files])
            # DuckDB draws a progress bar on stdout for a query over 2 s: it landed
            # in the middle of `compare --format json`'s report.
            conn.execute("SET enable_progress_bar = false")
            conn.execute("SET enable_external_access = false")
            conn.execute("SET lock_configuration = true")
        except BaseException:
            conn.close()
            raise
        return conn

    def _allowed(self) -> tuple[list[str], list[str]]:
        """The roots as DuckDB's allowed folders and files. DuckDB has no deny list,
        so a root that holds a hidden file is opened entry by entry on the way down
        to it, leaving the hidden file out (a glob directly in such a folder cannot
        list it: keep the store out of data folders)."""
        directories, files = [], []
        for root in self.roots:
            inside = [h for h in self.hidden if h.is_relative_to(root)]
            if not inside:
                directories.append(_as_folder(root))
                continue
            on_the_way = {p for h in inside for p in h.parents if p.is_relative_to(root)}
            for folder in on_the_way:
                try:
                    entries = list(os.scandir(folder))
                except OSError:
                    continue
                for entry in entries:
                    # DuckDB follows links, so an entry counts as where it leads.
                    real = _real(Path(entry.path))
                    if real in on_the_way or real in self.hidden or not real.is_relative_to(root):
                        continue
                    if real.is_dir():
                        directories.append(_as_folder(real))
                    else:
                        files.append(str(real))
        return directories, files

    def absolute_sql(self, sql: str, base_dir: Path) -> str:
        """``sql`` with the relative file names it gives file-reading functions made
        absolute against ``base_dir`` (the rest of the query is unchanged)."""
        tokens = duckdb.tokenize(sql)
        pieces, last = [], 0
        for i, (start, kind) in enumerate(tokens):
            if (
                kind != _STRING
                or not sql.startswith("'", start)
                or not _names_a_file(sql, tokens, i)
            ):
                continue
            end = _string_end(sql, start)
            name = sql[start + 1 : end - 1].replace("''", "'")
            if "://" in name or os.path.isabs(os.path.expanduser(name)):
                continue
            absolute = str(Path(base_dir) / name).replace("'", "''")
            pieces += [sql[last:start], f"'{absolute}'"]
            last = end
        return "".join(pieces) + sql[last:]


def _names_a_file(sql: str, tokens: list, i: int) -> bool:
    """Whether string token ``i`` is a file name: right after FROM or JOIN, or the
    first argument (or an item of a list that is the first argument) of a file
    function."""

    def text(j: int) -> str:
        start = tokens[j][0]
        end = tokens[j + 1][0] if j + 1 < len(tokens) else len(sql)
        return sql[start:end].strip().lower()

    j = i - 1
    # Inside a list literal: walk back over the earlier items to its '['.
    while j >= 1 and text(j) == "," and tokens[j - 1][1] == _STRING:
        j -= 2
    if j >= 0 and text(j) == "[":
        j -= 1
    if j < 0:
        return False
    if text(j) in _DIRECT_FILE_KEYWORDS:
        return True
    if text(j) == "(" and j >= 1:
        function = text(j - 1)
        return function.startswith("read_") or function in _FILE_FUNCTIONS
    return False


def _string_end(sql: str, start: int) -> int:
    """The index after the single-quoted string that starts at ``start``."""
    i = start + 1
    while i < len(sql):
        if sql[i] == "'":
            if sql.startswith("''", i):
                i += 2
                continue
            return i + 1
        i += 1
    return len(sql)


def _as_folder(path: Path) -> str:
    # DuckDB matches allowed folders by prefix: the slash keeps /data from /data2.
    return str(path).rstrip("/") + "/"


def _show(roots: tuple[Path, ...]) -> str:
    return ", ".join(str(r) for r in roots)
