"""Sources: CSV, Parquet, globs and SQL open relative to the dataset file's folder, reader
options pass an allow-list as bound parameters, and every unreadable source fails with
a SourceError naming the file and the reason."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import pytest
from click.testing import CliRunner

from drift_assets.cli.compare import command as compare
from drift_assets.profiling.sources import (
    SourceError,
    file_format,
    format_of,
    load_dataframe,
    open_source,
    register_dataframe,
)
from drift_assets.settings.dataset_file import SourceConfig


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A dataset folder: one CSV, one Parquet file and a folder of daily files of each."""
    frame = pd.DataFrame({"id": [1, 2, 3], "city": ["Oslo", "Lima", None]})
    frame.to_csv(tmp_path / "orders.csv", index=False)
    frame.to_parquet(tmp_path / "orders.parquet")
    (tmp_path / "daily").mkdir()
    for day in (1, 2):
        part = frame.assign(day=day)
        part.to_parquet(tmp_path / "daily" / f"2024-01-0{day}.parquet")
        part.to_csv(tmp_path / "daily" / f"2024-01-0{day}.csv", index=False)
        part.to_csv(tmp_path / "daily" / f"2024-01-0{day}.data", index=False, sep="|")
    return tmp_path


def rows(source: SourceConfig, base_dir: Path) -> list[tuple]:
    with duckdb.connect() as conn:
        return sorted(open_source(conn, source, base_dir).fetchall(), key=repr)


@pytest.mark.parametrize(
    ("source", "expected_rows"),
    [
        # a relative CSV path
        (SourceConfig(csv="orders.csv"), 3),
        # a relative Parquet path
        (SourceConfig(parquet="orders.parquet"), 3),
        # globs take their format from the extension
        (SourceConfig(glob="daily/*.parquet"), 6),
        (SourceConfig(glob="daily/*.csv"), 6),
        # or from options.format, with reader options beside it
        (SourceConfig(glob="daily/*.data", options={"format": "csv", "delim": "|"}), 6),
        # SQL resolves relative paths against the dataset folder too
        (SourceConfig(sql="SELECT * FROM 'orders.parquet' WHERE id > 1"), 2),
        (SourceConfig(sql="SELECT * FROM read_csv('daily/*.csv')"), 6),
    ],
)
def test_sources_open_relative_to_base_dir(data_dir, source, expected_rows):
    assert len(rows(source, data_dir)) == expected_rows


def test_csv_reader_options_are_applied(tmp_path):
    (tmp_path / "semi.csv").write_text("# exported\nid;amount\n1;2,5\n2;NA\n")
    source = SourceConfig(
        csv="semi.csv",
        options={"delim": ";", "skip": 1, "decimal_separator": ",", "nullstr": "NA"},
    )
    assert rows(source, tmp_path) == [(1, 2.5), (2, None)]


def test_reader_option_values_are_parameters_not_sql(tmp_path):
    # A value that would break out of a formatted SQL string is just a bad delimiter.
    (tmp_path / "a.csv").write_text("x\n1\n")
    source = SourceConfig(csv="a.csv", options={"nullstr": "'); DROP TABLE t; --"})
    assert rows(source, tmp_path) == [(1,)]


def test_paths_with_quotes_and_spaces(tmp_path):
    folder = tmp_path / 'it\'s a "folder"'
    folder.mkdir()
    (folder / "o'brien data.csv").write_text("x\n1\n")
    assert rows(SourceConfig(csv="o'brien data.csv"), folder) == [(1,)]
    assert rows(SourceConfig(sql="SELECT * FROM 'o''brien data.csv'"), folder) == [(1,)]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        # a missing file names the resolved path
        (SourceConfig(csv="missing.csv"), "missing.csv: file not found"),
        (SourceConfig(parquet="missing.parquet"), "missing.parquet: file not found"),
        # a folder is not a file
        (SourceConfig(parquet="daily"), "is a directory; use a glob"),
        # a glob that matches nothing
        (SourceConfig(glob="nowhere/*.csv"), "No files found"),
        # a glob whose format cannot be told
        (SourceConfig(glob="daily/*.data"), "set options.format"),
        (SourceConfig(glob="daily/*.data", options={"format": "xlsx"}), "format must be"),
        # options outside the allow-list, and options that add columns
        (SourceConfig(csv="orders.csv", options={"delimiter_x": ","}), "unknown csv reader option"),
        (SourceConfig(csv="orders.csv", options={"filename": True}), "'filename'"),
        (SourceConfig(parquet="orders.parquet", options={"delim": ","}), "unknown parquet reader"),
        # format chooses a glob's reader; a file's reader is its kind
        (SourceConfig(csv="orders.csv", options={"format": "parquet"}), "'format'"),
        # an option value DuckDB cannot use
        (SourceConfig(csv="orders.csv", options={"header": "maybe"}), "header"),
        # SQL that fails, or takes reader options
        (SourceConfig(sql="SELECT * FROM 'missing.parquet'"), "missing.parquet"),
        (SourceConfig(sql="SELEC 1"), "syntax error"),
        (SourceConfig(sql="SELECT 1", options={"delim": ","}), "do not apply to SQL"),
    ],
)
def test_unusable_sources_say_which_and_why(data_dir, source, message):
    with pytest.raises(SourceError, match="source") as raised:
        rows(source, data_dir)
    assert message in str(raised.value)


def test_unreadable_parquet_names_the_file(tmp_path):
    (tmp_path / "broken.parquet").write_text("not parquet at all")
    with pytest.raises(SourceError) as raised:
        rows(SourceConfig(parquet="broken.parquet"), tmp_path)
    assert str(tmp_path / "broken.parquet") in str(raised.value)


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["zero bytes", "blank lines"])
def test_an_empty_csv_is_an_error_not_an_empty_batch(tmp_path, content):
    # No header means no schema: likely a failed export, so the run should fail.
    (tmp_path / "empty.csv").write_text(content)
    with pytest.raises(SourceError, match="empty.csv: the file is empty"):
        rows(SourceConfig(csv="empty.csv"), tmp_path)


def test_a_header_only_csv_is_a_batch_of_zero_rows(tmp_path):
    (tmp_path / "header.csv").write_text("id,city\n")
    with duckdb.connect() as conn:
        relation = open_source(conn, SourceConfig(csv="header.csv"), tmp_path)
        assert relation.columns == ["id", "city"]
        assert relation.fetchall() == []


@pytest.mark.parametrize(
    "sql",
    [
        # DDL would run on every profile
        "CREATE TABLE t (x INTEGER)",
        # so would a second statement after the query
        "SELECT 1; DROP TABLE t",
    ],
)
def test_sql_must_be_a_single_query(tmp_path, sql):
    with pytest.raises(SourceError, match="must be a single query"):
        rows(SourceConfig(sql=sql), tmp_path)


def test_load_dataframe_reads_with_the_same_readers(data_dir):
    frame = load_dataframe(SourceConfig(glob="daily/*.parquet"), data_dir)
    assert len(frame) == 6
    assert list(frame.columns) == ["id", "city", "day"]
    assert frame["city"].isna().sum() == 2


def test_odd_column_names_from_csv(tmp_path):
    # Quotes, spaces, unicode, SQL keywords and a duplicate header.
    (tmp_path / "odd.csv").write_text('"say ""hi""",with space,ünïcode,select,a,a\n1,2,3,4,5,6\n')
    frame = load_dataframe(SourceConfig(csv="odd.csv"), tmp_path)
    assert list(frame.columns) == ['say "hi"', "with space", "ünïcode", "select", "a", "a_1"]
    assert frame.iloc[0].tolist() == [1, 2, 3, 4, 5, 6]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (SourceConfig(csv="x.txt"), "csv"),
        (SourceConfig(parquet="x"), "parquet"),
        (SourceConfig(sql="SELECT 1"), "sql"),
        (SourceConfig(glob="*.PARQUET"), "parquet"),
        (SourceConfig(glob="*.pq"), "parquet"),
        # compressed CSVs keep their format
        (SourceConfig(glob="*.csv.gz"), "csv"),
        (SourceConfig(glob="*.tsv"), "csv"),
    ],
)
def test_file_format(source, expected):
    assert file_format(source, Path(".")) == expected


def test_register_dataframe_fixes_only_unscannable_columns():
    frame = pd.DataFrame(
        {
            "mixed": pd.Series([1, "a", 2.5, None], dtype=object),
            "empty": pd.Series([None] * 4, dtype=object),
            "ok": [1.0, 2.0, 3.0, 4.0],
        }
    )
    with duckdb.connect() as conn:
        relation = register_dataframe(conn, frame)
        assert [str(t) for t in relation.types] == ["VARCHAR", "VARCHAR", "DOUBLE"]
        assert relation.fetchall()[:2] == [("1", None, 1.0), ("a", None, 2.0)]
    # The caller's DataFrame is left as it was.
    assert frame["mixed"].dtype == object and frame["mixed"].iloc[0] == 1


def test_register_dataframe_names_duplicate_and_non_string_labels():
    frame = pd.DataFrame([[1, 2, 3, 4]], columns=["a", "a", 0, ("x", "y")])
    with duckdb.connect() as conn:
        assert register_dataframe(conn, frame).columns == ["a", "a_1", "0", "('x', 'y')"]


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("a.parquet", "parquet"),
        ("a.PQ", "parquet"),
        ("a.parq", "parquet"),
        ("data/*.csv", "csv"),
        ("a.tsv.gz", "csv"),  # compression is looked through
        ("a.txt.zst", "csv"),
        ("a.json", None),
        ("a.csv.bak", None),
    ],
)
def test_one_table_tells_a_files_format_from_its_name(name, kind):
    assert format_of(name) == kind


def test_compare_reads_every_format_the_table_names(tmp_path):
    # compare takes its sources' formats from the same table as the dataset file's globs.
    frame = pd.DataFrame({"x": range(40)})
    frame.to_parquet(tmp_path / "a.parq")
    frame.to_csv(tmp_path / "b.tsv", index=False)
    result = CliRunner().invoke(compare, [str(tmp_path / "a.parq"), str(tmp_path / "b.tsv")])
    assert result.exit_code == 0, result.output
    refused = CliRunner().invoke(compare, [str(tmp_path / "a.parq"), str(tmp_path / "b.json")])
    assert refused.exit_code == 2 and "expected a .csv or .parquet file" in refused.output
