"""The ``drift-assets`` command line: one click group, one module per command family.

Command modules are imported only when their command runs: importing all of them
pulls in Dagster, scipy and DuckDB, which made ``drift-assets --help`` take
seconds. The one-line help of each command is therefore kept here.
"""

from __future__ import annotations

import importlib

import click

# name -> (module whose `command` it is, one-line help shown by `drift-assets --help`)
_COMMANDS: dict[str, tuple[str, str]] = {
    "compare": ("compare", "Compare two CSV or Parquet files once."),
    "demo": ("demo", "Play the demo datasets' days through Dagster."),
    "history": ("history", "The check history, newest first."),
    "show": ("show", "A dataset's baseline, latest profile and latest results."),
    "trend": ("trend", "Chart a metric of a dataset over time."),
    "baseline": ("baseline", "See, pin, unpin and accept baselines."),
    "alerts": ("alerts", "The alert outbox; ack, snooze, unsnooze."),
    "serve-actions": ("serve_actions", "Serve the Slack actions endpoint."),
    "store": ("store", "Move the store to Postgres (store migrate --to URL)."),
}
# Subcommands kept in a module of their own: group -> {subcommand: module}. Each is
# a plain click command, added to its group here.
_SUBCOMMANDS: dict[str, dict[str, str]] = {
    "baseline": {"accept": "baseline_accept"},
    "alerts": {name: "alert_actions" for name in ("ack", "snooze", "unsnooze", "actions")},
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(_COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in _COMMANDS:
            return None
        command = _module(_COMMANDS[name][0]).command
        for subcommand, module in _SUBCOMMANDS.get(name, {}).items():
            command.add_command(getattr(_module(module), subcommand))
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        with formatter.section("Commands"):
            formatter.write_dl([(name, help_) for name, (_, help_) in _COMMANDS.items()])


def _module(name: str):
    return importlib.import_module(f"drift_assets.cli.{name}")


@click.group(
    cls=_LazyGroup,
    context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
)
def main() -> None:
    """drift_assets: schema, null-rate and distribution drift checks for datasets.

    \b
    Examples:
      drift-assets demo run --days 14
      drift-assets history --failed --since 7d
      drift-assets show orders
      drift-assets trend customers --metric null_rate --column email
      drift-assets compare old.csv new.csv
    """
