"""``drift-assets trend``: a chart of one drift metric over time, thresholds drawn."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from drift_assets.cli.history_options import db_option, opened_store, require_dataset, since_option
from drift_assets.reports.trend_chart import CHART_FORMATS, save_chart, trend_chart
from drift_assets.reports.trends import TrendError, build_trend
from drift_assets.settings.times import as_utc, show_time, when
from drift_assets.store.partition_history import PartitionHistory

# Enough profiles for an hourly dataset's quarter; --since narrows it.
MAX_PROFILES = 5_000


@click.command("trend")
@click.argument("dataset")
@click.option(
    "--metric",
    required=True,
    help="What to chart: a dataset metric (row_count, worst_psi, drifted_columns,"
    " max_null_rate_increase_pp, ...) or, with --column, a column metric (null_rate, psi,"
    " ks_distance, mean, std, ...). A wrong name lists them all.",
)
@click.option("--column", help="The column, for a column metric.")
@click.option(
    "--partition",
    metavar="KEY",
    help="A static partition's key: chart that key's batches only.",
)
@since_option
@click.option(
    "--out",
    type=click.Path(dir_okay=False, writable=True),
    help="Where to write the chart: .png, .svg or .html (interactive, works offline)."
    " Default: DATASET_METRIC[_COLUMN].png in the working folder.",
)
@db_option
def command(dataset, metric, column, partition, since, out, db) -> None:
    """Chart METRIC of DATASET over time from the drift store: one point per
    batch, coloured by the result of the check that judged it, with the warn and
    error thresholds of the dataset's latest policy drawn as dashed lines. A
    time-partitioned dataset is charted by partition date, one point per
    partition (its current result).

    \b
    Examples:
      drift-assets trend orders --metric worst_psi
      drift-assets trend customers --metric null_rate --column email --out email.html
      drift-assets trend web_events --metric row_count --since 2d --out rows.svg
    """
    path = Path(out or "_".join(filter(None, (dataset, metric, column))) + ".png")
    if path.suffix.lower() not in CHART_FORMATS:
        raise click.BadParameter(f"{path}: choose a .png, .svg or .html file", param_hint="--out")
    with opened_store(db) as store:
        require_dataset(store, dataset)
        partitioned = PartitionHistory(store).current(dataset, key=partition, limit=MAX_PROFILES)
        if partitioned:
            # By partition date: when the rows are from, not when they were profiled.
            dated = {p.profile_id: part.start for p, part in partitioned if part.start}
            profiles = [
                replace(p, profiled_at=dated.get(p.profile_id, p.profiled_at))
                for p, _ in partitioned
            ]
            results = [
                replace(r, evaluated_at=dated.get(r.profile_id, r.evaluated_at))
                for r in store.check_history(
                    dataset=dataset, partition=partition, current_only=True
                )
            ]
        else:
            if partition is not None:
                raise click.ClickException(f"{dataset} has no stored partition {partition!r}")
            profiles = store.recent_profiles(dataset, MAX_PROFILES)
            results = store.check_history(dataset=dataset, since=since)
    if since is not None:
        profiles = [p for p in profiles if as_utc(p.profiled_at) >= since]
    try:
        trend = build_trend(dataset, metric, column, profiles, results)
    except TrendError as exc:
        raise click.ClickException(str(exc)) from exc
    if not trend.points:
        raise click.ClickException(
            f"no values of {trend.title} in the store" + (" since then" if since else "")
        )
    save_chart(trend_chart(trend), path)
    first, last = trend.points[0], trend.points[-1]
    failed = sum(p.result in ("WARN", "ERROR") for p in trend.points)
    click.echo(
        f"wrote {path}: {trend.title}, {len(trend.points)} points from"
        f" {show_time(first.at)} to {when(last.at)},"
        f" latest {last.value:.4g}, {failed} judged WARN or ERROR"
    )
