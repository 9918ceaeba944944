"""``drift-assets compare``: two files, the same engine and defaults as the assets."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
import yaml
from pydantic import ValidationError

from drift_assets.checks.families import evaluate_all
from drift_assets.profiling.dataset_profile import DatasetProfile
from drift_assets.profiling.profiler import profile_source
from drift_assets.profiling.sources import SourceError, format_of
from drift_assets.reports.compare_report import report_dict, report_text
from drift_assets.settings.dataset_file import SourceConfig
from drift_assets.settings.policy import DriftPolicy
from drift_assets.settings.strict import describe_validation_error

EXIT_PASSED, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def _source_for(path: str) -> SourceConfig:
    if kind := format_of(path):
        return SourceConfig(**{kind: path})
    raise click.UsageError(f"{path}: expected a .csv or .parquet file")


def _policy(config: str | None, null: float | None, mean: float | None, std: float | None):
    raw = {}
    if config:
        try:
            raw = yaml.safe_load(Path(config).read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError) as exc:
            raise click.UsageError(f"{config}: cannot read the policy file ({exc})") from exc
        if not isinstance(raw, dict):
            raise click.UsageError(f"{config}: expected a mapping (a dataset's policy: block)")
        raw = raw.get("policy", raw)
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
        raise click.UsageError(f"{where}: {describe_validation_error(exc)}") from exc


@click.command("compare")
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
    cwd = Path.cwd()
    profile_options = policy.profiler_options()
    # A bar on stderr while each file is profiled (the slow part on big files);
    # hidden in pipes and CI so reports and logs stay clean.
    with click.progressbar(
        [("baseline", baseline), ("current", current)],
        label="Profiling",
        file=sys.stderr,
        hidden=not sys.stderr.isatty(),
        item_show_func=lambda item: item[1] if item else "",
    ) as files:
        try:
            profiles: dict[str, DatasetProfile] = {}
            for role, path in files:
                profiles[role] = profile_source(
                    _source_for(path),
                    cwd,
                    role,
                    reference=profiles.get("baseline"),
                    **profile_options,
                )
        except SourceError as exc:
            click.echo(f"drift-assets compare: {exc}", err=True)
            sys.exit(EXIT_BAD_INPUT)
    reference, profile = profiles["baseline"], profiles["current"]
    outcomes = evaluate_all(profile, reference, policy)
    if fmt == "json":
        text = (
            json.dumps(
                report_dict(outcomes, baseline=baseline, current=current), indent=2, default=str
            )
            + "\n"
        )
    else:
        text = report_text(outcomes, baseline, current)
    if out:
        Path(out).write_text(text, encoding="utf-8")
    else:
        click.echo(text, nl=False)
    sys.exit(EXIT_PASSED if all(o.passed for o in outcomes) else EXIT_FAILED)
