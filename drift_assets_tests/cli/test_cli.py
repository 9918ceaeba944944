"""The drift-assets entry point: every command is reachable, and --help is instant
because no command module (Dagster, scipy, DuckDB) is imported for it."""

from __future__ import annotations

import subprocess
import sys

import click
import pytest
from click.testing import CliRunner

from drift_assets.cli import main

COMMANDS = [
    "compare",
    "demo",
    "history",
    "show",
    "trend",
    "baseline",
    "alerts",
    "serve-actions",
    "store",
]


def test_the_group_lists_every_command_and_its_help_names_them():
    assert main.list_commands(click.Context(main)) == COMMANDS
    result = CliRunner().invoke(main, ["--help"])
    assert all(f"  {name} " in result.output for name in COMMANDS), result.output


@pytest.mark.parametrize("name", COMMANDS)
def test_each_listed_command_loads_under_its_name_with_examples(name):
    command = main.get_command(click.Context(main), name)
    assert command is not None and command.name == name
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert f"Usage: main {name}" in result.output
    assert "Example" in result.output  # every command shows how it is used


@pytest.mark.parametrize(
    ("group", "subcommands"),
    [
        ("alerts", {"ack", "snooze", "unsnooze", "actions"}),
        ("baseline", {"show", "pin", "unpin", "accept"}),
        ("store", {"migrate"}),
    ],
)
def test_groups_hold_their_subcommands_from_other_modules(group, subcommands):
    command = main.get_command(click.Context(main), group)
    assert subcommands <= set(command.list_commands(click.Context(command)))


def test_top_level_help_imports_no_command_module():
    probe = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from drift_assets.cli import main\n"
        "result = CliRunner().invoke(main, ['--help'])\n"
        "assert result.exit_code == 0 and 'serve-actions' in result.output\n"
        "heavy = [m for m in ('dagster', 'scipy', 'duckdb', 'pandas') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_an_unknown_command_is_a_usage_error():
    result = CliRunner().invoke(main, ["nope"])
    assert result.exit_code == 2 and "No such command 'nope'" in result.output
