"""The ``drift-assets`` command line: one click group, one module per command family."""

from __future__ import annotations

import click


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
def main() -> None:
    """drift_assets: schema, null-rate and distribution drift checks for datasets.

    \b
    Examples:
      drift-assets compare old.csv new.csv
      drift-assets demo run --days 14
    """


def _register() -> None:
    # Imported here so each command module can import `main`-independent code freely.
    from drift_assets.cli import compare, demo

    for module in (compare, demo):
        main.add_command(module.command)


_register()
