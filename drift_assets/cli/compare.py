"""``drift-assets compare``: two files, the same engine and defaults as the assets.

It never shows a traceback: it exits 0 or 1 with a report, or 2 with one line on
stderr. The engine is imported when the command runs, not when it is listed, so
``--help`` costs only click; and nothing here imports Dagster, or pandas for CSV
and Parquet files.
"""

from __future__ import annotations

import json
import math
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from drift_assets.settings.dataset_file import SourceConfig
    from drift_assets.settings.policy import DriftPolicy

EXIT_PASSED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


class BadInput(click.ClickException):
    """Unreadable input or bad usage: one line on stderr and exit status 2."""

    exit_code = EXIT_BAD_INPUT

    def show(self, file=None) -> None:
        click.echo(f"drift-assets compare: {self.format_message()}", err=True)


class _OneLineErrors(click.Command):
    """Click's own usage errors (a missing file argument, an unknown option) as
    one line too; click would print the usage text around them."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:
            raise BadInput(f"{exc.format_message()} (see drift-assets compare --help)") from exc


def _source_for(path: str) -> SourceConfig:
    from drift_assets.profiling.sources import format_of
    from drift_assets.settings.dataset_file import SourceConfig

    if kind := format_of(path):
        return SourceConfig(**{kind: path})
    raise BadInput(f"{path}: expected a .csv or .parquet file")


def _policy(
    config: str | None, null: float | None, mean: float | None, std: float | None
) -> DriftPolicy:
    from pydantic import ValidationError

    from drift_assets.settings.policy import DriftPolicy
    from drift_assets.settings.strict import describe_validation_error
    from drift_assets.settings.yaml_file import YamlFileError, read_yaml

    raw = {}
    if config:
        try:
            raw = read_yaml(config, what="policy file") or {}
        except YamlFileError as exc:
            raise BadInput(str(exc)) from exc
        if not isinstance(raw, dict):
            raise BadInput(f"{config}: expected a mapping (a dataset's policy: block)")
        raw = raw.get("policy", raw)
    for flag, value in (("--null-thresh", null), ("--mean-thresh", mean), ("--std-thresh", std)):
        if value is not None and not math.isfinite(value):
            raise BadInput(f"{flag}: expected a finite number, got {value}")
    try:
        data = DriftPolicy.model_validate(raw).model_dump()
        # Each flag sets a warn tier; the error tier (from the file or the default)
        # is kept, or raised to the warn tier when it was below it.
        for value, family, measure in (
            (null, "null_rate", "max_increase_pp"),
            (mean, "distribution_shift", "mean_shift_sd"),
            (std, "distribution_shift", "std_change"),
        ):
            if value is not None:
                tiers = data[family][measure]
                tiers["warn"] = value
                if tiers["error"] is not None:
                    tiers["error"] = max(tiers["error"], value)
        return DriftPolicy.model_validate(data)
    except ValidationError as exc:
        where = config or "the command-line thresholds"
        raise BadInput(f"{where}: {describe_validation_error(exc)}") from exc


@click.command("compare", cls=_OneLineErrors)
@click.argument("baseline", type=click.Path(dir_okay=False))
@click.argument("current", type=click.Path(dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="Report format.",
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="Write the report to this file instead of standard output.",
)
@click.option(
    "--config",
    type=click.Path(dir_okay=False),
    help="A YAML policy (the same keys as a dataset's policy: block).",
)
@click.option(
    "--null-thresh",
    type=float,
    metavar="PP",
    help="Warn when a column's null rate rises by this many percentage points.",
)
@click.option(
    "--mean-thresh",
    type=float,
    metavar="REL",
    help="Warn when a column's mean moves by this many baseline standard deviations.",
)
@click.option(
    "--std-thresh",
    type=float,
    metavar="REL",
    help="Warn when a column's standard deviation changes by this fraction.",
)
def command(baseline, current, fmt, out, config, null_thresh, mean_thresh, std_thresh) -> None:
    """Compare CURRENT with BASELINE (CSV or Parquet files) once, with the same
    engine and defaults as the dataset assets.

    Exit status: 0 when every check passes, 1 when any fails, 2 for bad usage or
    unreadable input.

    \b
    Examples:
      drift-assets compare last_week.csv today.csv
      drift-assets compare a.parquet b.parquet --format json --out report.json
      drift-assets compare a.csv b.csv --null-thresh 2 --mean-thresh 0.2
    """
    policy = _policy(config, null_thresh, mean_thresh, std_thresh)
    sources = {"baseline": _source_for(baseline), "current": _source_for(current)}
    try:
        outcomes = _compare(sources, policy)
        text = _report(outcomes, fmt, baseline, current)
    except BadInput:
        raise
    except Exception as exc:
        # A fault of ours, not of the input: still one line, never a traceback.
        from drift_assets.checks.containment import reason

        raise BadInput(f"internal error: {reason(exc)}") from exc
    if out:
        try:
            Path(out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise BadInput(f"{out}: cannot write the report ({exc.strerror or exc})") from exc
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_PASSED if all(o.passed for o in outcomes) else EXIT_FAILED)


def _compare(sources: dict[str, SourceConfig], policy: DriftPolicy):
    """Both files profiled (the current one against the baseline's bins) and
    checked; a file that cannot be profiled is ``BadInput``."""
    from drift_assets.checks.containment import reason
    from drift_assets.checks.families import evaluate_all
    from drift_assets.profiling.profiler import profile_source
    from drift_assets.profiling.sources import SourceError

    cwd = Path.cwd()
    # compare reads the two files it is given and nothing else.
    folders = tuple(Path(os.path.realpath(s.location)).parent for s in sources.values())
    # A bar on stderr while each file is profiled (the slow part on big files);
    # hidden in pipes and CI so reports and logs stay clean.
    with click.progressbar(
        list(sources.items()),
        label="Profiling",
        file=sys.stderr,
        hidden=not sys.stderr.isatty(),
        item_show_func=lambda item: item[1].location if item else "",
    ) as files:
        profiles = {}
        for role, source in files:
            try:
                profiles[role] = profile_source(
                    source,
                    cwd,
                    role,
                    data_roots=folders,
                    reference=profiles.get("baseline"),
                    **policy.profiler_options(),
                )
            except SourceError as exc:
                raise BadInput(str(exc)) from exc
            except Exception as exc:
                raise BadInput(f"{source.location}: could not be profiled: {reason(exc)}") from exc
    return evaluate_all(profiles["current"], profiles["baseline"], policy)


def _report(outcomes, fmt: str, baseline: str, current: str) -> str:
    from drift_assets.reports.compare_report import report_dict, report_text

    if fmt == "json":
        report = report_dict(outcomes, baseline=baseline, current=current)
        return json.dumps(report, indent=2, allow_nan=False, default=str) + "\n"
    return report_text(outcomes, baseline, current)
