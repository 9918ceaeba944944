"""`drift-assets store migrate --to postgresql://...`: the 14 demo days' store moves
into an empty Postgres database whole (every table, same ids, counts verified),
keeps working there, and a second run changes nothing; a target holding other
data and an unreachable server are one line, never with the password."""

from __future__ import annotations

from click.testing import CliRunner

from drift_assets.cli import main
from drift_assets.store import DriftStore
from drift_assets.store.action_log import ActionLog
from drift_assets.store.outbox import Outbox
from drift_assets_tests.builders import outcome, profile
from drift_assets_tests.postgres_server import PASSWORD

TABLES = (
    "profiles",
    "check_results",
    "pinned_baselines",
    "baseline_events",
    "alert_outbox",
    "alert_state",
    "alert_actions",
)


def migrate(source: DriftStore, to: str):
    return CliRunner().invoke(main, ["store", "migrate", "--to", to, "--db", str(source.path)])


def counts(store: DriftStore) -> dict[str, int]:
    with store.connection() as conn:
        return {t: conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def test_the_demo_store_moves_whole_and_a_second_run_changes_nothing(played_demo, postgres):
    source = played_demo[1].get_store()
    url = postgres.create_database("moved")
    first = migrate(source, url)
    assert first.exit_code == 0, first.output
    assert first.output.startswith(f"copied {source.path} -> {url}\n")
    assert "verified:" in first.output
    target = DriftStore(url)
    assert counts(target) == counts(source) and all(counts(source).values())
    # Read back through the store's own API, the same on both sides.
    assert target.check_history() == source.check_history()
    assert Outbox(target).rows(limit=10_000) == Outbox(source).rows(limit=10_000)
    assert ActionLog(target).trail() == ActionLog(source).trail()
    assert [target.pinned(d) for d in target.datasets()] == [
        source.pinned(d) for d in source.datasets()
    ]

    again = migrate(source, url)
    assert again.exit_code == 0, again.output
    assert again.output.endswith("nothing copied\n")
    assert counts(target) == counts(source)

    # The moved store goes on: new rows get new ids after the copied ones.
    newest = max(p.profile_id for d in source.datasets() for p in source.recent_profiles(d, 1))
    added = target.record_evaluation(
        profile=profile("orders"),
        asset_key="orders",
        run_id="after-the-move",
        baseline=None,
        baseline_strategy="previous",
        outcomes=[outcome("schema_change")],
    )
    assert added.profile_id == newest + 1


def test_a_target_with_other_data_is_refused_in_one_line(played_demo, postgres):
    url = postgres.create_database("occupied")
    DriftStore(url).record_evaluation(
        profile=profile("elsewhere"),
        asset_key="elsewhere",
        run_id="r",
        baseline=None,
        baseline_strategy="previous",
        outcomes=[outcome("schema_change")],
    )
    result = migrate(played_demo[1].get_store(), url)
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith(f"Error: {url} already holds other data than ")
    assert "profiles 1 rows (source " in line
    assert DriftStore(url).datasets() == ["elsewhere"]  # untouched


def test_an_unreachable_target_is_one_line_without_the_password(played_demo):
    result = migrate(played_demo[1].get_store(), f"postgresql://ana:{PASSWORD}@127.0.0.1:1/drift")
    assert result.exit_code == 1
    (line,) = result.output.splitlines()
    assert line.startswith(
        "Error: cannot connect to the drift store postgresql://ana@127.0.0.1:1/drift:"
    )
    assert PASSWORD not in result.output


def test_the_target_must_be_a_postgres_url(played_demo, tmp_path):
    result = migrate(played_demo[1].get_store(), str(tmp_path / "other.duckdb"))
    assert result.exit_code == 1
    assert "--to takes a postgresql:// URL" in result.output
