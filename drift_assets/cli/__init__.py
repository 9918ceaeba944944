"""The ``drift-assets`` command line: one click group, one module per command family."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
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


def _register() -> None:
    # Imported here so each command module can import `main`-independent code freely.
    from drift_assets.cli import (
        alerts,
        baseline,
        compare,
        demo,
        history,
        serve_actions,
        show,
        trend,
    )

    for module in (compare, demo, history, show, baseline, trend, alerts, serve_actions):
        main.add_command(module.command)
    # Importing these adds subcommands to the groups above: alerts
    # ack|snooze|unsnooze|actions and baseline accept.
    from drift_assets.cli import alert_actions, baseline_accept  # noqa: F401


_register()
