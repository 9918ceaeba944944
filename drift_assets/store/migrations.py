"""The store's schema as an ordered list of migrations, applied once each, on
either backend.

A migration is never edited after it has shipped; a change is a new entry. The
applied versions are recorded in ``schema_migrations`` so any older store is
brought up to date on first use. One history serves both engines: a statement
runs as written on DuckDB and on Postgres, unless the migration carries
``postgres=`` statements, which then replace ``statements`` on Postgres only
(so a DuckDB file's schema never depends on the Postgres text).
"""

from __future__ import annotations

from dataclasses import dataclass

from drift_assets.store.backends import POSTGRES, StoreConnection

# Any fixed number: it names the lock every process migrating one Postgres store takes.
_MIGRATION_LOCK = 0x64726966


@dataclass(frozen=True)
class Migration:
    version: int
    description: str
    statements: tuple[str, ...]
    postgres: tuple[str, ...] | None = None  # where Postgres needs other text

    def statements_for(self, dialect: str) -> tuple[str, ...]:
        if dialect == POSTGRES and self.postgres is not None:
            return self.postgres
        return self.statements


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
    Migration(
        2,
        "alert outbox and alert state per alert class",
        (
            "CREATE SEQUENCE alert_outbox_id_seq START 1",
            """
            -- No index on status: DuckDB rewrites indexed columns on UPDATE as
            -- delete + insert, which trips the unique key within a transaction.
            CREATE TABLE alert_outbox (
                outbox_id BIGINT PRIMARY KEY DEFAULT nextval('alert_outbox_id_seq'),
                idempotency_key VARCHAR NOT NULL UNIQUE,  -- run:asset:check:evaluation
                kind VARCHAR NOT NULL,  -- alert | repeat | resolved | digest
                status VARCHAR NOT NULL,  -- pending | delivered | dead | suppressed | dry_run
                reason VARCHAR,  -- why suppressed or dead, or the last delivery error
                severity VARCHAR NOT NULL,  -- ERROR | WARN | INFO (older: CRITICAL, WARNING)
                channel VARCHAR NOT NULL,
                asset_key VARCHAR,  -- NULL for digests
                check_name VARCHAR,
                run_id VARCHAR,
                thread_key VARCHAR,  -- the root row this one replies to
                held BOOLEAN NOT NULL,  -- kept back by a limit, for the digest
                digest_key VARCHAR,  -- held rows: the digest that listed them
                facts JSON NOT NULL,  -- what the message is built from
                created_at TIMESTAMPTZ NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                next_attempt_at TIMESTAMPTZ,
                delivered_at TIMESTAMPTZ,
                slack_channel VARCHAR,  -- where Slack put it (an id), for threads and updates
                slack_ts VARCHAR
            )
            """,
            """
            CREATE TABLE alert_state (
                asset_key VARCHAR NOT NULL,
                check_name VARCHAR NOT NULL,
                firing BOOLEAN NOT NULL,
                severity VARCHAR,
                since TIMESTAMPTZ,
                last_failed_at TIMESTAMPTZ,
                last_notified_at TIMESTAMPTZ,
                failures INTEGER NOT NULL,
                root_key VARCHAR,
                acknowledged_at TIMESTAMPTZ,
                acknowledged_by VARCHAR,
                snoozed_until TIMESTAMPTZ,
                snoozed_by VARCHAR,
                updated_at TIMESTAMPTZ NOT NULL,
                PRIMARY KEY (asset_key, check_name)
            )
            """,
        ),
    ),
    Migration(
        3,
        "audit trail of alert actions (acknowledge, snooze, unsnooze, accept baseline)",
        (
            "CREATE SEQUENCE alert_action_id_seq START 1",
            """
            CREATE TABLE alert_actions (
                action_id BIGINT PRIMARY KEY DEFAULT nextval('alert_action_id_seq'),
                -- one row per request: a replayed Slack request or a re-run CLI
                -- command finds its id and changes nothing
                request_id VARCHAR NOT NULL UNIQUE,
                source VARCHAR NOT NULL,  -- slack | cli
                action VARCHAR NOT NULL,  -- acknowledge | snooze | unsnooze | accept_baseline
                alert_key VARCHAR,  -- the outbox row acted on (NULL: CLI accept by dataset)
                asset_key VARCHAR,
                check_name VARCHAR,
                dataset VARCHAR,
                profile_id BIGINT,  -- accept_baseline: the profile accepted
                snoozed_until TIMESTAMPTZ,  -- snooze: until when
                actor VARCHAR NOT NULL,  -- slack:<name> | cli:<login>
                actor_id VARCHAR,  -- the Slack user id
                acted_at TIMESTAMPTZ NOT NULL,
                changed BOOLEAN NOT NULL,  -- false: the state already was so
                summary VARCHAR NOT NULL
            )
            """,
        ),
    ),
    Migration(
        4,
        "partitions: each profile's and result's partition; a re-materialized"
        " time-window partition supersedes its earlier profile and results",
        (
            # NULL: an unpartitioned dataset (every row written before this version).
            "ALTER TABLE profiles ADD COLUMN partition_key VARCHAR",
            # Time windows only (NULL for static keys): what baselines are ordered by.
            "ALTER TABLE profiles ADD COLUMN partition_start TIMESTAMPTZ",
            "ALTER TABLE profiles ADD COLUMN partition_end TIMESTAMPTZ",
            # The profile that replaced this one as its partition's current one.
            "ALTER TABLE profiles ADD COLUMN superseded_by BIGINT",
            "ALTER TABLE check_results ADD COLUMN partition_key VARCHAR",
            # NULL: the partition's current result (history keeps the others).
            "ALTER TABLE check_results ADD COLUMN superseded_at TIMESTAMPTZ",
        ),
    ),
    Migration(
        7,
        "escalations and snooze reminders per alert class; the sink of each outbox row",
        (
            "ALTER TABLE alert_state ADD COLUMN escalated_at TIMESTAMPTZ",
            # the snooze end whose follow-up (a reminder or a new message) went out
            "ALTER TABLE alert_state ADD COLUMN reminded_for TIMESTAMPTZ",
            # slack | the name of a sink in alerts.sinks; older rows were all Slack's
            "ALTER TABLE alert_outbox ADD COLUMN sink VARCHAR DEFAULT 'slack'",
        ),
    ),
    Migration(
        9,
        "Slack request ids the actions endpoints have received, shared between instances",
        (
            """
            -- Several serve-actions behind a load balancer: a replay sent to another
            -- instance than the original is found here. Rows older than Slack's
            -- five-minute window are deleted as new ones arrive.
            CREATE TABLE seen_requests (
                request_id VARCHAR PRIMARY KEY,  -- slack:<timestamp>:<signature>
                received_at TIMESTAMPTZ NOT NULL
            )
            """,
        ),
    ),
    Migration(
        10,
        "ids of the journaled writes already applied (each lands exactly once)",
        (
            """
            CREATE TABLE journal_applied (
                entry_id VARCHAR PRIMARY KEY,
                applied_at TIMESTAMPTZ NOT NULL
            )
            """,
        ),
    ),
)


def migrate(conn: StoreConnection, migrations: tuple[Migration, ...] = MIGRATIONS) -> int:
    """Apply the migrations the store has not seen yet, each in its own
    transaction; return the schema version now in force.

    On DuckDB the file lock already makes this process the only one; on Postgres
    many processes may open a new store at once, so they queue on an advisory lock.
    """
    if conn.dialect == POSTGRES:
        conn.execute("SELECT pg_advisory_lock(?)", [_MIGRATION_LOCK])
        try:
            return _migrate(conn, migrations)
        finally:
            conn.execute("SELECT pg_advisory_unlock(?)", [_MIGRATION_LOCK])
    return _migrate(conn, migrations)


def _migrate(conn: StoreConnection, migrations: tuple[Migration, ...]) -> int:
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
            for statement in migration.statements_for(conn.dialect):
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
