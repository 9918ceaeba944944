"""What a source may read: the file names a SQL source gives its file functions are
taken from the dataset folder, nothing else in the query changes, and the locked
connection refuses what lies outside."""

from __future__ import annotations

import duckdb
import pytest

from drift_assets.profiling.sandbox import Sandbox

BASE = "/data/project"


@pytest.mark.parametrize(
    ("sql", "expected"),
    [
        # file functions, lists and replacement scans: made absolute
        ("SELECT * FROM read_csv('a.csv')", f"SELECT * FROM read_csv('{BASE}/a.csv')"),
        (
            "SELECT * FROM read_parquet(['a.parquet', 'raw/b.parquet'], union_by_name=true)",
            f"SELECT * FROM read_parquet(['{BASE}/a.parquet', '{BASE}/raw/b.parquet'],"
            " union_by_name=true)",
        ),
        (
            "SELECT * FROM 'x.csv' JOIN 'y.csv' USING (id)",
            f"SELECT * FROM '{BASE}/x.csv' JOIN '{BASE}/y.csv' USING (id)",
        ),
        ("select * from GLOB('*.csv')", f"select * from GLOB('{BASE}/*.csv')"),
        # a quote inside a name stays escaped
        (
            "SELECT * FROM read_csv('o''brien.csv')",
            f"SELECT * FROM read_csv('{BASE}/o''brien.csv')",
        ),
        # left alone: other strings, absolute paths, URLs, home, other functions' arguments
        (
            "SELECT * FROM read_csv('/abs/a.csv') WHERE c <> 'raw/x'",
            "SELECT * FROM read_csv('/abs/a.csv') WHERE c <> 'raw/x'",
        ),
        ("SELECT lower('a.csv') AS x", "SELECT lower('a.csv') AS x"),
        (
            "SELECT * FROM read_csv('https://e.com/a.csv')",
            "SELECT * FROM read_csv('https://e.com/a.csv')",
        ),
        ("SELECT * FROM read_text('~/.bashrc')", "SELECT * FROM read_text('~/.bashrc')"),
        (
            "SELECT * FROM read_csv('a.csv', delim=';')",
            f"SELECT * FROM read_csv('{BASE}/a.csv', delim=';')",
        ),
    ],
)
def test_relative_file_names_are_taken_from_the_dataset_folder(sql, expected):
    assert Sandbox(roots=()).absolute_sql(sql, BASE) == expected


def test_a_root_holding_the_store_opens_everything_in_it_but_the_store(tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data/a.csv").write_text("x\n1\n")
    (tmp_path / "notes.csv").write_text("x\n2\n")
    store = tmp_path / "drift.duckdb"
    duckdb.connect(str(store)).close()
    sandbox = Sandbox.around(tmp_path, hidden=(store,))
    with sandbox.connect(tmp_path, {}) as conn:
        assert conn.sql(f"SELECT x FROM read_csv('{tmp_path}/data/*.csv')").fetchall() == [(1,)]
        assert conn.sql(f"SELECT x FROM read_csv('{tmp_path}/notes.csv')").fetchall() == [(2,)]
        for path in (store, f"{store}.wal", "/etc/passwd"):
            with pytest.raises(duckdb.PermissionException):
                conn.sql(f"SELECT * FROM read_blob('{path}')").fetchall()
    assert sandbox.outside(str(store)) == "the drift store is not readable from a source"
    assert sandbox.outside(str(tmp_path / "data/a.csv")) is None
    assert "outside" in sandbox.outside(str(tmp_path / "../elsewhere.csv"))


def test_the_stores_journal_folder_is_hidden_with_everything_in_it(tmp_path):
    # Journaled results wait beside the store (store.journal): no source reads them.
    store = tmp_path / "drift.duckdb"
    duckdb.connect(str(store)).close()
    journal = tmp_path / "drift.duckdb.journal"
    journal.mkdir()
    (journal / "entry.json").write_text('{"x": 1}\n')
    (tmp_path / "a.csv").write_text("x\n1\n")
    sandbox = Sandbox.around(tmp_path, hidden=(store, journal))
    with sandbox.connect(tmp_path, {}) as conn:
        assert conn.sql(f"SELECT x FROM read_csv('{tmp_path}/a.csv')").fetchall() == [(1,)]
        with pytest.raises(duckdb.PermissionException):
            conn.sql(f"SELECT * FROM read_blob('{journal}/entry.json')").fetchall()
    assert sandbox.outside(str(journal / "entry.json")) == (
        "the drift store is not readable from a source"
    )
