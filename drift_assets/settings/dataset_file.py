"""The dataset file (``datasets.yaml``): which datasets exist, where their rows
come from, when they run and how they are checked.

Loading validates everything up front and fails with one ``ConfigError`` that
names the file, the dataset and the field, so a typo never reaches a run.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from croniter import croniter
from pydantic import Field, ValidationError, field_validator, model_validator

from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.freshness import Freshness
from drift_assets.settings.partitions import (
    SEASONAL_CADENCES,
    Partition,
    PartitionsConfig,
    format_path,
    source_problem,
)
from drift_assets.settings.policy import DriftPolicy
from drift_assets.settings.strict import Strict, describe_validation_error, merge
from drift_assets.settings.yaml_file import YamlFileError, read_yaml

DEFAULT_CONFIG_FILE = "datasets.yaml"
CONFIG_ENV_VAR = "DRIFT_ASSETS_CONFIG"

# Asset names become Dagster asset keys, job names and SQL-free identifiers.
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class ConfigError(ValueError):
    """A dataset file that cannot be used, with where and why."""


class SourceConfig(Strict):
    """Exactly one of ``csv``, ``parquet``, ``glob`` or ``sql``.

    Relative paths are relative to the dataset file's folder, in SQL too. A source
    reads only below that folder and the file's ``data_roots`` (profiling.sandbox).
    """

    csv: str | None = None
    parquet: str | None = None
    glob: str | None = None
    sql: str | None = None
    # Extra reader options, passed to DuckDB's read_csv / read_parquet
    # (for example {delim: ";"}). Keys are checked against an allow-list.
    options: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _exactly_one(self) -> SourceConfig:
        given = [k for k in ("csv", "parquet", "glob", "sql") if getattr(self, k)]
        if len(given) != 1:
            raise ValueError(
                "expected exactly one of csv, parquet, glob or sql"
                + (f", got {', '.join(given)}" if given else ", got none")
            )
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("csv", "parquet", "glob", "sql") if getattr(self, k))

    @property
    def location(self) -> str:
        return getattr(self, self.kind)

    def for_partition(self, partition: Partition | None) -> SourceConfig:
        """The source of one partition: a file path template filled in. SQL is
        unchanged: it takes the partition as bound parameters (``sql_values``)."""
        if partition is None or self.kind == "sql":
            return self
        return self.model_copy(update={self.kind: format_path(self.location, partition)})


def is_valid_cron(expression: str) -> bool:
    """Whether Dagster's schedules accept ``expression``: croniter's grammar (the parser
    Dagster vendors, so ``@daily`` and ``MON-FRI`` pass), exactly five fields, and no
    day that never comes (30 or 31 February)."""
    try:
        if len(expression) > 200 or not croniter.is_valid(expression):
            return False
        fields, *_ = croniter.expand(expression)
    except Exception:  # croniter's own errors are not all CroniterError
        return False
    if len(fields) != 5:
        return False
    days, months = fields[2], fields[3]
    return not (list(months) == [2] and len(days) == 1 and days[0] in (30, 31))


class DatasetConfig(Strict):
    name: str
    description: str | None = None
    source: SourceConfig
    group: str = "drift_datasets"
    owners: tuple[str, ...] = ()
    channel: str | None = None
    # Standard five-field cron; null means "materialize by hand only".
    schedule: str | None = "0 6 * * *"
    timezone: str = "UTC"
    # None: one unpartitioned asset; else its batches are Dagster partitions.
    partitions: PartitionsConfig | None = None
    # How long the dataset may go without a new materialization (Dagster judges it).
    freshness: Freshness | None = None
    policy: DriftPolicy = DriftPolicy()

    @field_validator("name", "group")
    @classmethod
    def _identifier(cls, value: str) -> str:
        if not _NAME.fullmatch(value):
            raise ValueError(
                f"{value[:80]!r} is not usable as a Dagster name: use letters, digits and _"
                " and do not start with a digit"
            )
        return value

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        # Dagster refuses an unknown one when the schedule is built, which would
        # take the whole code location down instead of this one dataset.
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise ValueError(
                f"{value[:80]!r} is not a known IANA timezone (e.g. 'UTC', 'Europe/Berlin')"
            ) from None
        return value

    @field_validator("schedule")
    @classmethod
    def _cron(cls, value: str | None) -> str | None:
        if value is not None and not is_valid_cron(value):
            raise ValueError(f"{value[:80]!r} is not a valid cron expression (e.g. '0 6 * * *')")
        return value


class ProjectConfig(Strict):
    """The whole dataset file. ``base_dir`` is the file's folder."""

    datasets: tuple[DatasetConfig, ...] = ()
    alerts: AlertsConfig = AlertsConfig()
    base_dir: Path = Path(".")
    # Folders besides base_dir that sources may read (resolved): a source reads
    # nothing outside them (see profiling.sandbox).
    data_roots: tuple[Path, ...] = ()
    source_file: Path | None = None
    # Problems found when loading leniently (``strict=False``): the datasets
    # named here were left out, the others load as usual.
    errors: tuple[str, ...] = ()
    # The names of the datasets left out (those that have a usable name), so the
    # code location can still show them, with their problem.
    left_out: tuple[str, ...] = ()
    # The defaults' channel: where the file's own problems are announced too.
    channel: str | None = None

    def dataset(self, name: str) -> DatasetConfig:
        for dataset in self.datasets:
            if dataset.name == name:
                return dataset
        known = ", ".join(d.name for d in self.datasets) or "none"
        raise ConfigError(f"no dataset named {name!r} (known: {known})")


def config_path() -> Path:
    """Where the dataset file is: ``DRIFT_ASSETS_CONFIG`` or ./datasets.yaml."""
    return Path(os.environ.get(CONFIG_ENV_VAR) or DEFAULT_CONFIG_FILE)


def load_config(
    path: str | os.PathLike[str] | None = None, *, strict: bool = True
) -> ProjectConfig:
    """Read and validate a dataset file.

    Strict (the CLI): any problem raises ``ConfigError`` saying where it is.
    Lenient (the code location): a broken dataset is left out and its error kept
    in ``errors``, so one typo does not take every other dataset down with it.
    """
    file = Path(path) if path is not None else config_path()
    try:
        raw = read_yaml(file, what="dataset file")
    except YamlFileError as exc:
        return _fail(str(exc), file, strict)
    return parse_config(raw, file, strict=strict)


def parse_config(raw: Any, file: Path, *, strict: bool = True) -> ProjectConfig:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return _fail(f"{file}: expected a mapping with a 'datasets' list at the top", file, strict)
    unknown = set(raw) - {"datasets", "defaults", "alerts", "data_roots"}
    if unknown:
        return _fail(
            f"{file}: unknown top-level key(s) {sorted(str(k) for k in unknown)};"
            " expected datasets, defaults, alerts, data_roots",
            file,
            strict,
        )
    defaults = raw.get("defaults") or {}
    entries = raw.get("datasets") or []
    if not isinstance(defaults, dict):
        return _fail(f"{file}: 'defaults' must be a mapping of dataset fields", file, strict)
    if not isinstance(entries, list):
        return _fail(f"{file}: 'datasets' must be a list", file, strict)
    datasets, errors, seen, left_out = [], [], set(), []
    try:
        data_roots = _data_roots(raw.get("data_roots"), file)
    except ConfigError as exc:
        if strict:
            raise
        data_roots = ()
        errors.append(str(exc))
    for index, entry in enumerate(entries):
        label = _dataset_label(entry, index)
        try:
            if not isinstance(entry, dict):
                raise ConfigError(
                    f"{file}: {label}: expected a mapping, got {type(entry).__name__}"
                )
            try:
                dataset = DatasetConfig.model_validate(merge(defaults, entry))
            except ValidationError as exc:
                problems = describe_validation_error(exc, label="field ")
                raise ConfigError(f"{file}: {label}: {problems}") from exc
            problem = _partitions_problem(dataset)
            if problem:
                raise ConfigError(f"{file}: {label}: {problem}")
            if dataset.name in seen:
                raise ConfigError(f"{file}: {label}: the name is used by an earlier dataset")
        except ConfigError as exc:
            if strict:
                raise
            errors.append(str(exc))
            name = entry.get("name") if isinstance(entry, dict) else None
            if isinstance(name, str) and _NAME.fullmatch(name) and name not in seen:
                left_out.append(name)
            continue
        seen.add(dataset.name)
        datasets.append(dataset)
    try:
        alerts = _alerts(raw.get("alerts"), file, {d.name for d in datasets})
    except ConfigError as exc:
        if strict:
            raise
        alerts = AlertsConfig()
        errors.append(str(exc))
    return ProjectConfig(
        datasets=tuple(datasets),
        alerts=alerts,
        base_dir=file.parent.resolve(),
        data_roots=data_roots,
        source_file=file,
        errors=tuple(errors),
        left_out=tuple(n for n in dict.fromkeys(left_out) if n not in seen),
        channel=channel if isinstance(channel := defaults.get("channel"), str) else None,
    )


def _partitions_problem(dataset: DatasetConfig) -> str | None:
    """What the source or baseline asks of partitions that the dataset's
    partitions do not give, as 'field ...: why'."""
    source = dataset.source
    problem = source_problem(source.kind, source.location, dataset.partitions)
    if problem:
        return f"field source.{source.kind}: {problem}"
    if dataset.policy.seasonal_weeks is not None:
        cadence = dataset.partitions.cadence if dataset.partitions else None
        if cadence not in SEASONAL_CADENCES:
            return (
                f"field policy.baseline: {dataset.policy.baseline} needs hourly or daily"
                f" partitions, the dataset has {cadence or 'none'}"
            )
    return None


def _data_roots(raw: Any, file: Path) -> tuple[Path, ...]:
    """``data_roots:``: folders (relative to the file's) that sources may read too."""
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(r, str) and r for r in raw):
        raise ConfigError(f"{file}: 'data_roots' must be a list of folder paths")
    roots = []
    for root in raw:
        folder = (file.parent / Path(root).expanduser()).resolve()
        if not folder.is_dir():
            raise ConfigError(f"{file}: data_roots: {root[:200]!r} is not a folder ({folder})")
        roots.append(folder)
    return tuple(roots)


def _alerts(raw: Any, file: Path, dataset_names: set[str]) -> AlertsConfig:
    if raw is None:
        return AlertsConfig()
    if not isinstance(raw, dict):
        raise ConfigError(f"{file}: 'alerts' must be a mapping (channel, routes, ...)")
    try:
        alerts = AlertsConfig.model_validate(raw)
    except ValidationError as exc:
        problems = describe_validation_error(exc, label="field ")
        raise ConfigError(f"{file}: alerts: {problems}") from exc
    # A misspelt dataset in a route would silently never match.
    unknown = sorted(alerts.known_dataset_names() - dataset_names)
    if unknown:
        raise ConfigError(f"{file}: alerts: field routes.datasets: no dataset named {unknown}")
    return alerts


def _fail(message: str, file: Path, strict: bool) -> ProjectConfig:
    if strict:
        raise ConfigError(message)
    return ProjectConfig(base_dir=file.parent.resolve(), source_file=file, errors=(message,))


def _dataset_label(entry: Any, index: int) -> str:
    name = entry.get("name") if isinstance(entry, dict) else None
    return f"dataset {name[:80]!r}" if isinstance(name, str) and name else f"datasets[{index}]"
