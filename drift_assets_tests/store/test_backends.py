"""One SQL text for both backends: placeholders translated for psycopg outside
quotes and comments, URLs chosen by scheme, and a password that never reaches a
message, whether the server refuses it or cannot be reached."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from dagster import EnvVar, asset, materialize

from drift_assets.defs.resources import DriftStoreResource
from drift_assets.store import DriftStore
from drift_assets.store.backends import StoreUnavailableError, redact, to_psycopg
from drift_assets_tests.postgres_server import PASSWORD


@pytest.mark.parametrize(
    ("duckdb_sql", "psycopg_sql"),
    [
        # positional marks
        (
            "SELECT a FROM t WHERE b = ? AND c = ANY(?)",
            "SELECT a FROM t WHERE b = %s AND c = ANY(%s)",
        ),
        # named parameters, the way DuckDB spells them
        ("WHERE d = $dataset LIMIT $limit", "WHERE d = %(dataset)s LIMIT %(limit)s"),
        # a literal percent sign is not a placeholder for psycopg either, even quoted
        ("WHERE name LIKE 'a%' OR x = ?", "WHERE name LIKE 'a%%' OR x = %s"),
        ("SELECT 5 % 2, ?", "SELECT 5 %% 2, %s"),
        # quoted text, identifiers and comments keep their question marks
        (
            "SELECT 'why?', \"odd?col\" -- really?\n, ?",
            "SELECT 'why?', \"odd?col\" -- really?\n, %s",
        ),
        ("SELECT 'it''s ?' , ?", "SELECT 'it''s ?' , %s"),
    ],
)
def test_placeholders_translate_outside_quotes_and_comments(duckdb_sql, psycopg_sql):
    assert to_psycopg(duckdb_sql) == psycopg_sql


def test_a_url_is_postgres_and_anything_else_a_file(tmp_path):
    assert DriftStore("postgresql://u@h/db").path is None
    assert DriftStore(tmp_path / "x.duckdb").path == tmp_path / "x.duckdb"
    assert DriftStore("postgresql://ana:pw@db.example:5432/drift").location == (
        "postgresql://ana@db.example:5432/drift"
    )
    assert redact("postgres://h/db?user=ana&password=pw&sslmode=require") == (
        "postgres://h/db?user=ana&password=***&sslmode=require"
    )


def test_a_refused_password_is_one_line_without_the_password(postgres):
    wrong = postgres.password_url(password="not-the-" + PASSWORD)
    with pytest.raises(StoreUnavailableError) as caught:
        DriftStore(wrong, lock_timeout=5).datasets()
    message = str(caught.value)
    assert "password authentication failed" in message
    assert PASSWORD not in message and "not-the-" not in message
    assert "\n" not in message and caught.value.__cause__ is None
    # and the right one opens the store
    assert DriftStore(postgres.password_url(), lock_timeout=5).datasets() == []


def test_an_unreachable_server_is_one_line_without_the_password(postgres):
    closed = f"postgresql://ana:{PASSWORD}@127.0.0.1:1/drift"
    with pytest.raises(StoreUnavailableError) as caught:
        DriftStore(closed, lock_timeout=2).datasets()
    assert str(caught.value).startswith(
        "cannot connect to the drift store postgresql://ana@127.0.0.1:1/drift:"
    )
    assert PASSWORD not in str(caught.value)


def test_the_resource_takes_the_url_with_its_password_from_the_environment(postgres, monkeypatch):
    postgres.create_database("from_env")
    url = postgres.password_url("from_env")
    monkeypatch.setenv("DRIFT_STORE_URL", url)
    seen = []

    @asset
    def uses_store(drift_store: DriftStoreResource) -> None:
        store = drift_store.get_store()
        seen.append(store.location)
        store.datasets()

    result = materialize(
        [uses_store],
        resources={"drift_store": DriftStoreResource(database=EnvVar("DRIFT_STORE_URL"))},
    )
    assert result.success
    assert seen == [url.replace(f":{PASSWORD}", "")]
    # Dagster's record of the run holds the variable's name, never its value.
    assert PASSWORD not in str(result.dagster_run.run_config)


def test_timestamps_and_json_read_back_alike_on_both(store_target):
    store = DriftStore(store_target)
    with store.transaction() as conn:
        conn.execute("CREATE TABLE probe (stamped TIMESTAMPTZ, doc JSON)")
        conn.execute(
            "INSERT INTO probe VALUES (?, ?)", [datetime(2026, 3, 2, 6, tzinfo=UTC), '{"a": [1]}']
        )
        at, doc = conn.execute("SELECT stamped, doc FROM probe").fetchone()
    assert at == datetime(2026, 3, 2, 6, tzinfo=UTC) and at.tzinfo is not None
    assert doc == '{"a": [1]}'
