"""The dg components: drift monitoring added to any Dagster project in a ``defs.yaml``.

``DriftDatasets`` (datasets declared in its defs.yaml, with the fields and errors
of ``datasets.yaml``), ``DriftChecks`` (the checks on assets the project already
has, by asset selection) and ``DriftAlerts`` (the alert router). They are thin:
their attributes are plain mappings handed to the settings models and to the
builders of ``location`` and ``drift_checks``, so a mistake in one dataset is
that dataset's error, never the whole location's. Editors still get the settings
models' JSON schema for every attribute. Several instances live side by side:
each binds the one shared store resource, a ``key_prefix`` keeps their keys
apart, and relative paths are relative to the component's folder.
"""

from pathlib import Path
from typing import Annotated, Any

import dagster as dg
from dagster._core.definitions.assets.graph.asset_graph import AssetGraph
from pydantic import Field, ValidationError, WithJsonSchema

from drift_assets.checks.containment import reason
from drift_assets.defs.config_status import build_config_status_asset, build_config_status_sensor
from drift_assets.defs.dataset_assets import STORE_RESOURCE_KEY
from drift_assets.defs.drift_checks import build_drift_checks
from drift_assets.defs.location import (
    STORE,
    build_alert_definitions,
    build_dataset_definitions,
    build_halted_alert_definitions,
)
from drift_assets.settings.alert_routes import AlertsConfig
from drift_assets.settings.dataset_file import (
    DatasetConfig,
    ProjectConfig,
    load_config,
    parse_config,
)
from drift_assets.settings.policy import DriftPolicy
from drift_assets.settings.strict import describe_validation_error


def _inlined(schema: dict[str, Any]) -> dict[str, Any]:
    """A model's JSON schema with its ``$defs`` written in place, so it can sit
    inside the component's schema."""
    defs = schema.pop("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref", "")
            if ref.startswith("#/$defs/"):
                return walk(defs[ref.removeprefix("#/$defs/")])
            return {k: walk(v) for k, v in node.items()}
        return [walk(v) for v in node] if isinstance(node, list) else node

    return walk(schema)


def _as(schema: dict[str, Any], description: str) -> Any:
    """Any value, validated by our own loader, advertised with ``schema``."""
    return Annotated[Any, WithJsonSchema({**schema, "description": description})]


_DATASET = _inlined(DatasetConfig.model_json_schema())
_ALERTS = _inlined(AlertsConfig.model_json_schema())
_POLICY = _inlined(DriftPolicy.model_json_schema())
# The status asset of a DriftChecks instance, under the instance's folder path.
DRIFT_CHECKS_STATUS = "drift_checks_config"
_PREFIX = "Asset-key prefix of every asset this instance defines (keeps instances apart)."


def _here(context: dg.ComponentLoadContext, path: str) -> Path:
    return Path(path) if Path(path).is_absolute() else context.path / path


class DriftDatasetsScaffolder(dg.Scaffolder):
    """Writes a defs.yaml with one example dataset and the CSV it reads, so
    ``dg launch`` works at once; replace both with your own."""

    def scaffold(self, request: dg.ScaffoldRequest) -> None:
        if request.scaffold_format != "yaml" or request.append:
            dg.scaffold_component(request, {"datasets": []})
            return
        request.target_path.mkdir(parents=True, exist_ok=True)
        (request.target_path / "defs.yaml").write_text(_SCAFFOLD.format(type=request.type_name))
        (request.target_path / "example.csv").write_text(
            "id,amount,country\n"
            + "".join(f"{i},{10 + (i * 7) % 23}.5,{['DE', 'FR', 'US'][i % 3]}\n" for i in range(60))
        )


_SCAFFOLD = """\
type: {type}
attributes:
  # The fields of a datasets.yaml (README, "Declaring datasets"); paths are
  # relative to this folder.
  defaults:
    channel: "#data-alerts"
  datasets:
    - name: example
      description: An example dataset; replace it and example.csv with your own.
      source:
        csv: example.csv
      schedule: "0 6 * * *"
"""


@dg.scaffold_with(DriftDatasetsScaffolder)
class DriftDatasets(dg.Component, dg.Model, dg.Resolvable):
    """Datasets watched for drift: one asset, job and schedule each with the four
    drift checks, and a ``dataset_config`` asset whose ``valid`` check fails while
    a dataset cannot be loaded."""

    datasets: _as({"type": "array", "items": _DATASET}, "The datasets.") = Field(
        default_factory=list
    )
    defaults: _as(
        {"type": "object", "properties": _DATASET["properties"]},
        "Fields merged into every dataset (datasets win).",
    ) = Field(default_factory=dict)
    data_roots: list[str] = Field(
        default_factory=list, description="Folders besides this one that sources may read."
    )
    file: str | None = Field(
        default=None,
        description="A dataset file to read instead of declaring datasets here.",
    )
    key_prefix: list[str] = Field(default_factory=list, description=_PREFIX)

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        load = self._loader(context)
        return build_dataset_definitions(load(), key_prefix=self.key_prefix, reload=load)

    def _loader(self, context: dg.ComponentLoadContext):
        if self.file is not None:
            if self.datasets or self.defaults or self.data_roots:
                raise ValueError(
                    f"{context.path / 'defs.yaml'}: give either file or datasets/defaults/"
                    "data_roots, not both"
                )
            path = _here(context, self.file)
            return lambda: load_config(path, strict=False)
        raw = {"datasets": self.datasets, "defaults": self.defaults}
        raw |= {"data_roots": self.data_roots} if self.data_roots else {}
        return lambda: parse_config(raw, context.path / "defs.yaml", strict=False)


class DriftChecksScaffolder(dg.Scaffolder):
    """Writes a defs.yaml selecting Dagster's default asset group; narrow it down."""

    def scaffold(self, request: dg.ScaffoldRequest) -> None:
        if request.scaffold_format != "yaml" or request.append:
            dg.scaffold_component(request, {"assets": "group:default"})
            return
        request.target_path.mkdir(parents=True, exist_ok=True)
        (request.target_path / "defs.yaml").write_text(
            f"type: {request.type_name}\n"
            "attributes:\n"
            "  # Which assets get the four drift checks (Dagster's selection syntax:\n"
            "  # group:NAME, key:a/b*, kind:polars, ...). Their values may be pandas or\n"
            "  # Polars DataFrames, Polars LazyFrames, Arrow tables or DuckDB relations.\n"
            '  assets: "group:default"\n'
            "  # The keys of a dataset's policy block, e.g. {baseline: rolling:7}.\n"
            "  policy: {}\n"
        )


@dg.scaffold_with(DriftChecksScaffolder)
class DriftChecks(dg.Component, dg.Model, dg.Resolvable):
    """The four drift checks on assets the project already has (pandas or Polars
    DataFrames, Arrow tables, DuckDB relations), chosen by an asset selection, and
    a ``drift_checks_config`` asset (under the instance's folder) whose ``valid``
    check fails while the policy or the selection cannot be used."""

    assets: str = Field(
        description="Asset selection, e.g. 'group:analytics' or 'key:sales/*' (Dagster syntax).",
        examples=["group:analytics", "key:sales/orders", "kind:polars"],
    )
    policy: _as(_POLICY, "The checks' policy: the keys of a dataset's policy block.") = Field(
        default_factory=dict
    )
    defs: list[str] | None = Field(
        default=None,
        description=(
            "The defs folders (relative to the defs root) holding those assets. Default:"
            " every other entry of the defs root."
        ),
    )

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        # A mistake here is this instance's red ``valid`` check (as a dataset file's
        # is), never a code location that fails to load.
        here = context.path / "defs.yaml"
        try:
            policy, keys = self._policy(here), self._selected(context, here)
            problem = None
        except _Mistake as exc:
            policy, keys, problem = None, [], str(exc)
        state = ProjectConfig(source_file=here, errors=(problem,) if problem else ())
        names = tuple(k.to_user_string() for k in keys)
        # Under the instance's folder; a second instance in the same defs.yaml (a
        # YAML document after the first) gets its number.
        instance = context.component_path.instance_key
        name = DRIFT_CHECKS_STATUS + (f"_{instance}" if instance not in (None, 0) else "")
        status_key = dg.AssetKey([*context.path.relative_to(context.defs_module_path).parts, name])
        return dg.Definitions(
            assets=[build_config_status_asset(state, key=status_key, checked_assets=names)],
            asset_checks=build_drift_checks(keys, policy) if keys else [],
            sensors=[build_config_status_sensor(state, key=status_key, checked_assets=names)],
            resources={STORE_RESOURCE_KEY: STORE},
        )

    def _policy(self, here: Path) -> DriftPolicy:
        try:
            return DriftPolicy.model_validate(self.policy or {})
        except ValidationError as exc:
            raise _Mistake(f"{here}: policy: {describe_validation_error(exc)}") from None

    def _selected(self, context: dg.ComponentLoadContext, here: Path) -> list[dg.AssetKey]:
        folders = self._folders(context)
        missing = [str(f) for f in folders if not f.exists()]
        if missing:
            raise _Mistake(f"{here}: defs: no such folder: {', '.join(missing)}")
        found = [
            a
            for p in folders
            for a in context.build_defs(p).assets or ()
            if isinstance(a, dg.AssetsDefinition | dg.AssetSpec)
        ]
        # The graph only: the assets' resources are their own folders' business.
        specs = [a for a in found if isinstance(a, dg.AssetSpec)]
        graph = AssetGraph.from_assets(
            [a for a in found if a not in specs] + [dg.AssetsDefinition(specs=[s]) for s in specs]
        )
        try:
            keys = dg.AssetSelection.from_string(self.assets).resolve(graph)
        except Exception as exc:
            raise _Mistake(f"{here}: assets: {self.assets!r}: {reason(exc)}") from None
        if not keys:
            raise _Mistake(f"{here}: assets: {self.assets!r} selects no asset")
        return sorted(keys)

    def _folders(self, context: dg.ComponentLoadContext) -> list[Path]:
        root = context.defs_module_path
        if self.defs is not None:
            return [root / d for d in self.defs]
        own = context.path.relative_to(root).parts[0]
        return [
            entry
            for entry in sorted(root.iterdir())
            if entry.name != own
            and not entry.name.startswith(("_", "."))
            and (entry.is_dir() or entry.suffix == ".py")
            # Another DriftChecks would search this one's folder in turn.
            and "drift_assets.DriftChecks" not in _text(entry / "defs.yaml")
        ]


class _Mistake(ValueError):
    """A DriftChecks attribute that cannot be used, in one line naming the field."""


def _text(path: Path) -> str:
    return path.read_text() if path.is_file() else ""


def _alerts_field(name: str) -> Any:
    schema = _ALERTS["properties"][name]
    return _as(schema, schema.get("description") or f"alerts.{name} (docs/alerts.md).")


class DriftAlerts(dg.Component, dg.Model, dg.Resolvable):
    """The alert router: a sensor that routes every failed asset check of the code
    location to Slack (dry-run without credentials) through the store's outbox,
    and its health check. One per project; the fields of an ``alerts:`` section."""

    file: str | None = Field(
        default=None, description="Use the alerts: section of this dataset file instead."
    )
    channel: _alerts_field("channel") = None
    min_severity: _alerts_field("min_severity") = None
    mentions: _alerts_field("mentions") = None
    sink: _alerts_field("sink") = None
    sinks: _alerts_field("sinks") = None
    routes: _alerts_field("routes") = None
    owners: _alerts_field("owners") = None
    owner_channels: _alerts_field("owner_channels") = None
    baseline_approvers: _alerts_field("baseline_approvers") = None
    escalate_after: _alerts_field("escalate_after") = None
    escalate_to: _alerts_field("escalate_to") = None
    escalate_mentions: _alerts_field("escalate_mentions") = None
    repeat_interval: _alerts_field("repeat_interval") = None
    per_asset_limit: _alerts_field("per_asset_limit") = None
    channel_limit: _alerts_field("channel_limit") = None
    window: _alerts_field("window") = None
    webserver_url: _alerts_field("webserver_url") = None
    stale_after: _alerts_field("stale_after") = None
    tick_budget: _alerts_field("tick_budget") = None
    initial_lookback: _alerts_field("initial_lookback") = None

    def build_defs(self, context: dg.ComponentLoadContext) -> dg.Definitions:
        given = {
            name: value
            for name in AlertsConfig.model_fields
            if (value := getattr(self, name)) is not None
        }
        here = context.path / "defs.yaml"
        # A mistake here halts the router, saying why, and leaves the location up:
        # the datasets still run and their checks are routed once it is fixed.
        if self.file is not None:
            if given:
                problem = f"{here}: give either file or the alerts fields, not both"
                return build_halted_alert_definitions(problem)
            # Lenient: a broken dataset is its DriftDatasets status, not a dead location.
            config = load_config(_here(context, self.file), strict=False)
        else:
            try:
                config = ProjectConfig(alerts=AlertsConfig.model_validate(given))
            except ValidationError as exc:
                problem = f"{here}: {describe_validation_error(exc)}"
                return build_halted_alert_definitions(problem)
        return build_alert_definitions(config)
