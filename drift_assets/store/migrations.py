"""The store's schema as an ordered list of migrations, applied once each.

A migration is never edited after it has shipped; a change is a new entry. The
applied versions are recorded in ``schema_migrations`` so any older store file is
brought up to date on first use.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1,
        "profiles, pinned baselines, baseline audit trail and check results",
        (
            "CREATE SEQUENCE profile_id_seq START 1",
            """
            CREATE TABLE profiles (
                profile_id BIGINT PRIMARY KEY DEFAULT nextval('profile_id_seq'),
                dataset VARCHAR NOT NULL,
                asset_key VARCHAR NOT NULL,
                run_id VARCHAR,
                profiled_at TIMESTAMPTZ NOT NULL,
                row_count BIGINT NOT NULL,
                column_count INTEGER NOT NULL,
                -- DatasetProfile.to_dict(); reference_counts are dropped (they only
                -- mean something against the baseline of that evaluation)
                profile JSON NOT NULL
            )
            """,
            "CREATE INDEX profiles_by_dataset ON profiles (dataset, profile_id)",
            """
            CREATE TABLE pinned_baselines (
                dataset VARCHAR PRIMARY KEY,
                profile_id BIGINT NOT NULL,
                pinned_at TIMESTAMPTZ NOT NULL,
                pinned_by VARCHAR NOT NULL,
                reason VARCHAR
            )
            """,
            "CREATE SEQUENCE baseline_event_id_seq START 1",
            """
            CREATE TABLE baseline_events (
                event_id BIGINT PRIMARY KEY DEFAULT nextval('baseline_event_id_seq'),
                dataset VARCHAR NOT NULL,
                action VARCHAR NOT NULL,  -- pin | unpin
                profile_id BIGINT,
                actor VARCHAR NOT NULL,
                acted_at TIMESTAMPTZ NOT NULL,
                reason VARCHAR
            )
            """,
            "CREATE SEQUENCE check_result_id_seq START 1",
            """
            CREATE TABLE check_results (
                result_id BIGINT PRIMARY KEY DEFAULT nextval('check_result_id_seq'),
                evaluated_at TIMESTAMPTZ NOT NULL,
                run_id VARCHAR,
                dataset VARCHAR NOT NULL,
                asset_key VARCHAR NOT NULL,
                check_name VARCHAR NOT NULL,
                passed BOOLEAN NOT NULL,
                severity VARCHAR,  -- WARN | ERROR | NULL when passed
                description VARCHAR NOT NULL,
                profile_id BIGINT NOT NULL,
                baseline_strategy VARCHAR NOT NULL,
                baseline_profile_ids BIGINT[] NOT NULL,  -- empty: no baseline yet
                metrics JSON NOT NULL,
                columns JSON NOT NULL,
                thresholds JSON NOT NULL
            )
            """,
            "CREATE INDEX check_results_by_dataset"
            " ON check_results (dataset, check_name, result_id)",
        ),
    ),
)


def migrate(conn: duckdb.DuckDBPyConnection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply the migrations the store has not seen yet, each in its own
    transaction; return the schema version now in force."""
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version INTEGER PRIMARY KEY,
            description VARCHAR NOT NULL,
            applied_at TIMESTAMPTZ NOT NULL DEFAULT now()
        )
        """
    )
    applied = {row[0] for row in conn.execute("SELECT version FROM schema_migrations").fetchall()}
    for migration in sorted(migrations, key=lambda m: m.version):
        if migration.version in applied:
            continue
        conn.execute("BEGIN TRANSACTION")
        try:
            for statement in migration.statements:
                conn.execute(statement)
            conn.execute(
                "INSERT INTO schema_migrations (version, description) VALUES (?, ?)",
                [migration.version, migration.description],
            )
            conn.execute("COMMIT")
        except Exception:
            conn.execute("ROLLBACK")
            raise
    return max((m.version for m in migrations), default=0)
