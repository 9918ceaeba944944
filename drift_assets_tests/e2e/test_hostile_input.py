"""Hostile input, as a tester would throw it: malformed dataset and policy files,
unreadable or strange data files, and sources that try to read outside their
folders. Each one gets its exit status or step result and one line saying why;
the code location still loads, and the store's earlier results are untouched."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner
from dagster import DagsterInstance, Definitions, materialize

from drift_assets.cli.compare import command as compare
from drift_assets.defs.dataset_assets import build_dataset_asset
from drift_assets.defs.location import build_definitions
from drift_assets.defs.resources import DriftStoreResource
from drift_assets.settings.dataset_file import ConfigError, load_config
from drift_assets.settings.yaml_file import MAX_BYTES

GOOD = "  - {name: orders, source: {csv: data/orders.csv}}\n"
WITH_GOOD = "datasets:\n" + GOOD


def _one_line(text: str) -> str:
    lines = text.strip().splitlines()
    assert len(lines) == 1, f"expected one line, got {len(lines)}:\n{text}"
    assert len(lines[0]) < 1_000, lines[0][:300]
    return lines[0]


# --- the workspace: a dataset folder holding the store, an outside folder, a data root


@dataclass
class Workspace:
    root: Path  # the dataset file's folder; the store lives in it too
    outside: Path  # a sibling folder no source may read
    shared: Path  # a folder named in data_roots
    store: DriftStoreResource

    @property
    def store_file(self) -> Path:
        return Path(self.store.database)

    def snapshot(self):
        store = self.store.get_store()
        return store.check_history(dataset="orders"), store.recent_profiles("orders", 10)


def _orders(rows: int = 60) -> pd.DataFrame:
    return pd.DataFrame(
        {"amount": [float(i % 17) for i in range(rows)], "country": ["DE", "FR"] * (rows // 2)}
    )


@pytest.fixture(scope="module")
def ws(tmp_path_factory) -> Workspace:
    base = tmp_path_factory.mktemp("hostile")
    root, outside, shared = base / "project", base / "outside", base / "shared"
    for folder in (root / "data", outside, shared):
        folder.mkdir(parents=True)
    _orders().to_csv(root / "data/orders.csv", index=False)
    _orders().to_parquet(root / "data/orders.parquet")
    _orders().to_csv(root / "data/ragged.csv", index=False)
    with (root / "data/ragged.csv").open("a") as f:
        f.write("1,DE,extra,fields\n")
    (outside / "secret.csv").write_text("secret\nhunter2\n")
    _orders().to_csv(shared / "shared.csv", index=False)
    (root / "data/link_out.csv").symlink_to(outside / "secret.csv")
    (root / "linkdir").symlink_to(outside)
    store = DriftStoreResource(database=str(root / "drift.duckdb"))
    (root / "data/store_link.csv").symlink_to(root / "drift.duckdb")
    workspace = Workspace(root, outside, shared, store)
    # Earlier results the hostile inputs must leave as they are.
    (root / "datasets.yaml").write_text("datasets:\n" + GOOD)
    config = load_config(root / "datasets.yaml")
    with DagsterInstance.ephemeral() as instance:
        assets = build_dataset_asset(config.datasets[0], config.base_dir)
        for _ in range(2):
            materialize([assets], instance=instance, resources={"drift_store": store})
    assert len(workspace.snapshot()[0]) == 8  # two batches, four checks
    return workspace


@pytest.fixture(scope="module")
def before(ws):
    return ws.snapshot()


@pytest.fixture
def intact(ws, before):
    yield
    assert ws.snapshot() == before, "the store's earlier results changed"


# --- 1. dataset files: each is reported in one line, the location still loads


def _deep(levels: int) -> str:
    return "datasets:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(levels)) + "\n"


# (id, the file's content, a pattern its one line must match; None: loads cleanly)
DATASET_FILES = [
    # Dagster used to refuse it while building the schedule: the location went down.
    (
        "timezone_mars",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, timezone: Mars/Olympus}\n",
        r"dataset 'bad': field timezone: 'Mars/Olympus' is not a known IANA timezone",
    ),
    (
        "timezone_path",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, timezone: ../../etc/passwd}\n",
        r"dataset 'bad': field timezone: .* is not a known IANA timezone",
    ),
    (
        "timezone_number",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, timezone: 5}\n",
        r"dataset 'bad': field timezone: Input should be a valid string",
    ),
    (
        "cron_minute_61",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, schedule: '61 * * * *'}\n",
        r"dataset 'bad': field schedule: '61 \* \* \* \*' is not a valid cron expression",
    ),
    (
        "cron_six_fields",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, schedule: '0 0 6 * * *'}\n",
        r"dataset 'bad': field schedule: .* is not a valid cron expression",
    ),
    (
        "cron_30_february",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, schedule: '0 0 30 2 *'}\n",
        r"dataset 'bad': field schedule: .* is not a valid cron expression",
    ),
    (
        "cron_words",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, schedule: every day}\n",
        r"dataset 'bad': field schedule: 'every day' is not a valid cron expression",
    ),
    (
        "cron_list",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, schedule: [1, 2]}\n",
        r"dataset 'bad': field schedule: Input should be a valid string",
    ),
    (
        "cron_huge",
        WITH_GOOD
        + "  - {name: bad, source: {csv: x.csv}, schedule: '"
        + "1," * 20_000
        + "1 * * * *'}\n",
        r"dataset 'bad': field schedule: '1,1,1.*' is not a valid cron",
    ),
    (
        "nested_5000_flow",
        "datasets: " + "[" * 5000 + "]" * 5000 + "\n",
        r"datasets\.yaml: line 1, column \d+: (nested deeper than 64 levels|.*nesting depth)",
    ),
    ("nested_100_block", _deep(100), r"datasets\.yaml: line 65, column \d+: nested deeper than 64"),
    (
        "over_the_size_limit",
        "datasets:\n" + "#" * (MAX_BYTES + 10) + "\n",
        r"datasets\.yaml: the dataset file is 1,048,\d+ bytes; the limit is 1,048,576",
    ),
    (
        "binary_bytes",
        b"\x89PNG\r\n\x1a\n\x00\x00\xff\xfe",
        r"datasets\.yaml: not UTF-8 text \(byte 0x89 at offset 0\)",
    ),
    ("nul_byte", b"datasets:\n\x00\n", r"datasets\.yaml:.* not valid YAML: unacceptable character"),
    (
        "latin1",
        "datasets:\n  - {name: caf\xe9, source: {csv: x.csv}}\n".encode("latin-1"),
        r"datasets\.yaml: not UTF-8 text \(byte 0xe9 at offset \d+\)",
    ),
    ("utf8_bom", "\ufeffdatasets:\n" + GOOD, None),
    (
        "duplicate_top_key",
        "datasets:\n" + GOOD + "datasets: []\n",
        r"datasets\.yaml: line 3, column 1: key 'datasets' is given twice",
    ),
    (
        "duplicate_dataset_key",
        WITH_GOOD + "  - {name: a, name: b, source: {csv: x.csv}}\n",
        r"datasets\.yaml: line 3, column \d+: key 'name' is given twice",
    ),
    (
        "python_tag",
        WITH_GOOD + "  - !!python/object/apply:os.system ['touch /tmp/pwned']\n",
        r"datasets\.yaml: line 3, column \d+: tags \(.*python/object/apply:os\.system\) are not",
    ),
    (
        "str_tag",
        WITH_GOOD + "  - {name: !!str a, source: {csv: x.csv}}\n",
        r"tags \(.*:str\) are not",
    ),
    (
        "billion_laughs",
        'a: &a ["x","x"]\nb: &b [*a,*a]\nc: &c [*b,*b]\ndatasets: [*c]\n',
        r"datasets\.yaml: line 2, column \d+: anchors and aliases \(\*name\) are not supported",
    ),
    (
        "unclosed_bracket",
        "datasets: [\n  {name: a\n",
        r"datasets\.yaml: line \d+, column \d+: not valid",
    ),
    (
        "tab_indent",
        "datasets:\n\t- {name: a}\n",
        r"datasets\.yaml: line 2, column 1: not valid YAML",
    ),
    ("top_is_a_list", "- a\n- b\n", r"expected a mapping with a 'datasets' list at the top"),
    ("datasets_is_text", "datasets: many\n", r"'datasets' must be a list"),
    ("dataset_is_a_number", WITH_GOOD + "  - 42\n", r"datasets\[1\]: expected a mapping, got int"),
    (
        "name_with_quotes_and_sql",
        WITH_GOOD + '  - {name: "x\'; DROP TABLE profiles; --", source: {csv: x.csv}}\n',
        r"field name: .* is not usable as a Dagster name",
    ),
    (
        "name_with_newline",
        WITH_GOOD + '  - {name: "bad\\n", source: {csv: x.csv}}\n',
        r"field name: 'bad\\n' is not usable as a Dagster name",
    ),
    (
        "name_is_a_mapping",
        WITH_GOOD + "  - {name: {a: 1}, source: {csv: x.csv}}\n",
        r"datasets\[1\]: field name: Input should be a valid string",
    ),
    (
        "name_is_huge",
        WITH_GOOD + "  - {name: '" + "é" * 300_000 + "', source: {csv: x.csv}}\n",
        r"field name: .* is not usable as a Dagster name",
    ),
    (
        "misspelt_field",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, scheduel: '@daily'}\n",
        r"dataset 'bad': field scheduel: unknown field",
    ),
    (
        "two_source_kinds",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv, sql: 'select 1'}}\n",
        r"dataset 'bad': field source: expected exactly one of csv, parquet, glob or sql",
    ),
    (
        "top_k_is_text",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, policy: {top_k: many}}\n",
        r"dataset 'bad': field policy\.top_k: Input should be a valid integer",
    ),
    (
        "threshold_inf",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, policy: {null_rate: "
        "{max_increase_pp: {warn: .inf}}}}\n",
        r"field policy\.null_rate\.max_increase_pp\.warn: Input should be a finite number",
    ),
    (
        "threshold_nan",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, policy: {distribution_shift: "
        "{psi: {error: .nan}}}}\n",
        r"field policy\.distribution_shift\.psi\.error: Input should be",
    ),
    (
        "policy_is_a_list",
        WITH_GOOD + "  - {name: bad, source: {csv: x.csv}, policy: [1]}\n",
        r"dataset 'bad': field policy: Input should be .*",
    ),
    (
        "own_asset_name",
        WITH_GOOD + "  - {name: dataset_config, source: {csv: x.csv}}\n",
        r"dataset 'dataset_config': .*the code location's own asset",
    ),
    (
        "duplicate_name",
        WITH_GOOD + GOOD,
        r"dataset 'orders': the name is used by an earlier dataset",
    ),
    (
        "data_roots_missing",
        "data_roots: [nowhere]\ndatasets:\n" + GOOD,
        r"data_roots: 'nowhere' is not a folder",
    ),
    (
        "data_roots_not_a_list",
        "data_roots: {a: 1}\ndatasets:\n" + GOOD,
        r"'data_roots' must be a list of folder paths",
    ),
    ("unknown_top_key", "datasetz: []\n", r"unknown top-level key\(s\) \['datasetz'\]"),
    ("number_key", "1: x\n", r"unknown top-level key\(s\) \['1'\]"),
    ("empty_file", "", None),
]


# Valid as a dataset file; refused when the location is built.
ONLY_DAGSTER_REFUSES = {"own_asset_name"}


def _dataset_case(ws, case_id, content):
    folder = ws.root / "files" / case_id
    folder.mkdir(parents=True)
    path = folder / "datasets.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(
    ("content", "expected"),
    [pytest.param(c, e, id=i) for i, c, e in DATASET_FILES],
)
def test_a_dataset_file_mistake_is_one_line_and_the_location_loads(
    ws, request, intact, content, expected
):
    path = _dataset_case(ws, request.node.callspec.id, content)
    config = load_config(path, strict=False)
    defs = build_definitions(config)
    Definitions.validate_loadable(defs)
    keys = {k.to_user_string() for k in defs.resolve_all_asset_keys()}
    assert "dataset_config" in keys
    status = defs.resolve_assets_def("dataset_config").descriptions_by_key
    description = next(iter(status.values()))
    if expected is None:
        assert "is valid" in description, description
        return
    problems = [line for line in description.splitlines() if line.startswith("- ")]
    assert len(problems) == 1, description
    line = _one_line(problems[0])
    assert str(path) in line
    assert re.search(expected, line), line
    # The good dataset beside a broken one is still there.
    if "dataset '" in line or "datasets[" in line:
        assert "orders" in keys, "one broken dataset took the others down"
    if request.node.callspec.id in ONLY_DAGSTER_REFUSES:
        return
    # The command line refuses the same file with the same line.
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert re.search(expected, _one_line(str(refused.value)))


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        pytest.param(lambda p: p.mkdir(), r"not a regular file", id="a_folder"),
        pytest.param(lambda p: os.mkfifo(p), r"not a regular file", id="a_fifo"),
        pytest.param(
            lambda p: p.symlink_to(p),
            r"cannot read the dataset file \(.*symbolic",
            id="symlink_loop",
        ),
        pytest.param(lambda p: None, r"cannot read the dataset file \(No such file", id="missing"),
    ],
)
def test_a_dataset_file_that_is_not_a_file_is_one_line(ws, request, intact, make, expected):
    path = ws.root / "files" / request.node.callspec.id / "datasets.yaml"
    path.parent.mkdir(parents=True)
    make(path)
    defs = build_definitions(load_config(path, strict=False))
    Definitions.validate_loadable(defs)
    description = next(iter(defs.resolve_assets_def("dataset_config").descriptions_by_key.values()))
    (problem,) = [line for line in description.splitlines() if line.startswith("- ")]
    assert re.search(expected, _one_line(problem)), problem


# --- 2. the command line: exit 2 with one line, or a report in strict JSON


def run_compare(*args):
    result = CliRunner().invoke(compare, [str(a) for a in args])
    assert not isinstance(result.exception, Exception) or isinstance(
        result.exception, SystemExit
    ), result.exception
    return result


POLICY_FILES = [
    ("binary", b"\x00\x01\xff\xfe\x89", r"not UTF-8 text \(byte 0xff at offset 2\)"),
    (
        "over_the_limit",
        b"top_k: 5\n" + b"#" * (MAX_BYTES + 1),
        r"the policy file is 1,048,\d+ bytes",
    ),
    ("nested_5000", ("a: " + "[" * 5000 + "]" * 5000).encode(), r"nest"),
    ("invalid_yaml", b"top_k: [1,\n", r"line \d+, column \d+: not valid YAML"),
    ("duplicate_key", b"top_k: 5\ntop_k: 6\n", r"line 2, column 1: key 'top_k' is given twice"),
    ("a_list", b"- 1\n", r"expected a mapping \(a dataset's policy: block\)"),
    ("wrong_type", b"top_k: lots\n", r"top_k: Input should be a valid integer"),
    (
        "infinite_tier",
        b"distribution_shift: {psi: {warn: .inf}}\n",
        r"psi\.warn: Input should be a finite",
    ),
    ("tag", b"top_k: !!python/name:os.system\n", r"tags \(.*\) are not supported"),
    ("unknown_key", b"policy: {topk: 5}\n", r"topk: unknown field"),
]


@pytest.mark.parametrize(
    ("content", "expected"), [pytest.param(c, e, id=i) for i, c, e in POLICY_FILES]
)
def test_a_bad_policy_file_exits_2_with_one_line(ws, intact, tmp_path, content, expected):
    config = tmp_path / "policy.yaml"
    config.write_bytes(content)
    orders = ws.root / "data/orders.csv"
    result = run_compare(orders, orders, "--config", config)
    assert result.exit_code == 2, result.output
    line = _one_line(result.stderr)
    assert line.startswith(f"drift-assets compare: {config}") or str(config) in line, line
    assert re.search(expected, line), line


@pytest.mark.parametrize(
    ("flags", "expected"),
    [
        pytest.param(
            ["--std-thresh", "inf"], r"--std-thresh: expected a finite number, got inf", id="inf"
        ),
        pytest.param(
            ["--mean-thresh", "nan"], r"--mean-thresh: expected a finite number, got nan", id="nan"
        ),
        pytest.param(
            ["--null-thresh", "-inf"], r"--null-thresh: expected a finite number", id="minus_inf"
        ),
        pytest.param(["--null-thresh", "lots"], r"'lots' is not a valid float", id="not_a_number"),
        pytest.param(["--null-thresh", "-1"], r"greater than or equal to 0", id="negative"),
        pytest.param(["--format", "xml"], r"'xml' is not one of", id="unknown_format"),
    ],
)
def test_a_bad_threshold_flag_is_a_usage_error(ws, intact, flags, expected):
    orders = ws.root / "data/orders.csv"
    result = run_compare(orders, orders, *flags)
    assert result.exit_code == 2, result.output
    assert re.search(expected, _one_line(result.stderr)), result.stderr


def _write(path: Path, data: bytes | str) -> Path:
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def _nested_parquet(path: Path) -> Path:
    table = pa.table(
        {
            "id": list(range(40)),
            "tags": [["a", "b"]] * 40,
            "point": [{"x": 1.0, "y": 2.0}] * 40,
            "attrs": pa.array([[("k", 1)]] * 40, type=pa.map_(pa.string(), pa.int64())),
        }
    )
    pq.write_table(table, path)
    return path


def _truncated_parquet(path: Path, ws) -> Path:
    data = (ws.root / "data/orders.parquet").read_bytes()
    return _write(path, data[: len(data) // 2])


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _loop(path: Path) -> Path:
    path.symlink_to(path)
    return path


def _odd_names(path: Path) -> Path:
    names = ["select", 'a"b', "x'); DROP TABLE t; --", "from", "", "   ", "naïve ✓", "a", "a"]
    header = ",".join('"' + n.replace('"', '""') + '"' for n in names)
    rows = "\n".join(",".join(str(i + j) for j in range(len(names))) for i in range(40))
    return _write(path, header + "\n" + rows + "\n")


# (id, how the current file is made from a path, its exit status, a pattern for
# its one line on stderr (exit 2) or None for a report)
DATA_FILES = [
    ("garbage_bytes", lambda p, ws: _write(p, os.urandom(4096)), 2, r"\.csv: .*"),
    (
        "truncated_parquet",
        lambda p, ws: _truncated_parquet(p.with_suffix(".parquet"), ws),
        2,
        r"parquet source .*: .*",
    ),
    (
        "csv_named_parquet",
        lambda p, ws: _write(p.with_suffix(".parquet"), "a,b\n1,2\n"),
        2,
        r"parquet source .*: .*",
    ),
    (
        "latin1",
        lambda p, ws: _write(p, ("amount,country\n" + "1.0,Bogot\xe1\n" * 40).encode("latin-1")),
        2,
        r"csv source .*: .*",
    ),
    (
        "utf8_bom",
        lambda p, ws: _write(p, "\ufeff" + (ws.root / "data/orders.csv").read_text()),
        0,
        None,
    ),
    # DuckDB pads the short rows: a report with the extra columns as added.
    ("ragged_rows", lambda p, ws: _write(p, (ws.root / "data/ragged.csv").read_text()), 1, None),
    ("nested_parquet_types", lambda p, ws: _nested_parquet(p.with_suffix(".parquet")), 1, None),
    (
        "one_megabyte_cell",
        lambda p, ws: _write(p, "amount,country\n" + f"1.0,{'x' * 1_000_000}\n" * 3),
        0,
        None,
    ),
    ("symlink_loop", lambda p, ws: _loop(p), 2, r"file not found"),
    ("fifo", lambda p, ws: _fifo(p), 2, r"the file is empty|not a regular file"),
    ("quotes_and_sql_keywords_in_names", lambda p, ws: _odd_names(p), 1, None),
    ("empty_file", lambda p, ws: _write(p, ""), 2, r"the file is empty \(no header, no rows\)"),
    ("blank_lines_only", lambda p, ws: _write(p, "\n\n\n"), 2, r"the file is empty"),
    ("header_only", lambda p, ws: _write(p, "amount,country\n"), 1, None),
    ("a_folder", lambda p, ws: (p.mkdir(), p)[1], 2, r"is a directory"),
    ("missing", lambda p, ws: p, 2, r"file not found"),
    (
        "unknown_suffix",
        lambda p, ws: _write(p.with_suffix(".json"), "{}"),
        2,
        r"expected a \.csv or \.parquet file",
    ),
    (
        "nul_bytes_in_csv",
        lambda p, ws: _write(p, "amount,country\n" + "1.0,a\x00b\n" * 40),
        1,
        None,
    ),
    (
        "ten_thousand_rows_of_one_column",
        lambda p, ws: _write(p, "amount\n" + "1\n" * 10_000),
        1,
        None,
    ),
]


@pytest.mark.parametrize(
    ("make", "code", "expected"), [pytest.param(m, c, e, id=i) for i, m, c, e in DATA_FILES]
)
def test_a_hostile_data_file_gets_a_report_or_one_line(ws, request, intact, make, code, expected):
    folder = ws.root / "compare" / request.node.callspec.id
    folder.mkdir(parents=True)
    current = make(folder / "current.csv", ws)
    result = run_compare(ws.root / "data/orders.csv", current, "--format", "json")
    assert result.exit_code == code, (result.stdout, result.stderr)
    if code == 2:
        line = _one_line(result.stderr)
        assert line.startswith("drift-assets compare: "), line
        assert re.search(expected, line), line
        return
    # Strict JSON: no NaN or Infinity anywhere.
    json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the JSON report"))


def test_a_constant_column_still_gives_strict_json(ws, intact, tmp_path):
    constant = _write(tmp_path / "c.csv", "amount\n" + "5\n" * 50)
    result = run_compare(constant, constant, "--format", "json", "--std-thresh", "0")
    assert result.exit_code in (0, 1)
    json.loads(result.stdout, parse_constant=lambda c: pytest.fail(f"{c} in the JSON report"))


# --- 3. sources stay inside the dataset file's folder and its data roots

REFUSED = r"a source reads only below the dataset file's folder and its data_roots"
OUTSIDE = r"outside the dataset file's folder and data_roots"

# (id, source, None when it must read, else a pattern for the step's one line)
SOURCES = [
    (
        "sql_read_text_passwd",
        {"sql": "SELECT * FROM read_text('/etc/passwd')"},
        r"cannot read /etc/passwd: " + REFUSED,
    ),
    (
        "sql_read_environ",
        {"sql": "SELECT * FROM read_text('/proc/self/environ')"},
        r"cannot read /proc/self/environ",
    ),
    (
        "sql_read_blob_store",
        {"sql": "SELECT * FROM read_blob('{store}')"},
        r"cannot read .*drift\.duckdb",
    ),
    (
        "sql_read_blob_store_relative",
        {"sql": "SELECT * FROM read_blob('drift.duckdb')"},
        r"cannot read .*drift\.duckdb",
    ),
    (
        "sql_read_blob_store_wal",
        {"sql": "SELECT * FROM read_blob('drift.duckdb.wal')"},
        r"cannot read .*drift\.duckdb\.wal",
    ),
    (
        "sql_glob_the_store_folder",
        {"sql": "SELECT * FROM read_blob('*.duckdb')"},
        r"cannot read .*",
    ),
    (
        "sql_symlink_to_store",
        {"sql": "SELECT * FROM read_blob('data/store_link.csv')"},
        r"cannot read .*store_link\.csv",
    ),
    (
        "sql_dotdot",
        {"sql": "SELECT * FROM read_csv('../outside/secret.csv')"},
        r"cannot read .*secret",
    ),
    (
        "sql_absolute_outside",
        {"sql": "SELECT * FROM read_csv('{outside}/secret.csv')"},
        r"cannot read .*outside/secret\.csv",
    ),
    (
        "sql_symlink_out",
        {"sql": "SELECT * FROM read_csv('data/link_out.csv')"},
        r"cannot read .*link_out",
    ),
    (
        "sql_symlinked_folder",
        {"sql": "SELECT * FROM read_csv('linkdir/secret.csv')"},
        r"cannot read .*linkdir/secret",
    ),
    (
        "sql_replacement_scan_outside",
        {"sql": "SELECT * FROM '{outside}/secret.csv'"},
        r"cannot read .*secret",
    ),
    ("sql_home", {"sql": "SELECT * FROM read_text('~/.bashrc')"}, r"cannot read ~/\.bashrc"),
    (
        "sql_url",
        {"sql": "SELECT * FROM read_csv('https://example.com/x.csv')"},
        r"cannot read https://example\.com/x\.csv",
    ),
    ("sql_getenv", {"sql": "SELECT getenv('HOME') AS home"}, r"getenv"),
    (
        "sql_set_external_access",
        {"sql": "SET enable_external_access = true"},
        r"the SQL must be a single query that returns rows",
    ),
    ("sql_install", {"sql": "INSTALL httpfs"}, r"the SQL must be a single query"),
    ("sql_load", {"sql": "LOAD httpfs"}, r"the SQL must be a single query"),
    ("sql_attach_store", {"sql": "ATTACH '{store}' AS s"}, r"the SQL must be a single query"),
    (
        "sql_two_statements",
        {"sql": "SELECT 1; SELECT * FROM read_text('/etc/passwd')"},
        r"the SQL must be a single query",
    ),
    (
        "sql_copy_out",
        {"sql": "COPY (SELECT 1) TO 'data/out.csv'"},
        r"the SQL must be a single query",
    ),
    ("sql_syntax_error", {"sql": "SELEC 1"}, r"Parser Error: syntax error at or near \"SELEC\""),
    # DuckDB's message is twenty lines (the line, hints, every sniffed option).
    (
        "sql_conversion_error",
        {"sql": "SELECT * FROM read_csv('data/orders.csv', columns={'a': 'INTEGER'}, header=true)"},
        r"sql source .*: Conversion Error: CSV Error on Line: 2$",
    ),
    ("csv_absolute_passwd", {"csv": "/etc/passwd"}, r"csv source /etc/passwd: " + OUTSIDE),
    ("csv_dotdot", {"csv": "../outside/secret.csv"}, r"secret\.csv: " + OUTSIDE),
    ("csv_symlink_out", {"csv": "data/link_out.csv"}, r"link_out\.csv: " + OUTSIDE),
    ("csv_home", {"csv": "~/.bashrc"}, OUTSIDE),
    ("csv_the_store", {"csv": "drift.duckdb"}, r"the drift store is not readable from a source"),
    (
        "parquet_symlink_to_store",
        {"parquet": "data/store_link.csv"},
        r"the drift store is not readable",
    ),
    ("glob_dotdot", {"glob": "../outside/*.csv"}, OUTSIDE),
    ("glob_symlinked_folder", {"glob": "linkdir/*.csv"}, OUTSIDE),
    ("csv_url", {"csv": "https://example.com/x.csv"}, r"remote files are not readable"),
    # What must still work: relative names in SQL, lists, replacement scans, data roots.
    ("sql_relative_read", {"sql": "SELECT * FROM read_csv('data/orders.csv')"}, None),
    (
        "sql_relative_list",
        {"sql": "SELECT * FROM read_parquet(['data/orders.parquet', 'data/orders.parquet'])"},
        None,
    ),
    (
        "sql_relative_replacement_scan",
        {"sql": "SELECT * FROM 'data/orders.csv' WHERE country <> 'data/x'"},
        None,
    ),
    ("sql_data_root", {"sql": "SELECT * FROM read_csv('{shared}/shared.csv')"}, None),
    ("csv_data_root", {"csv": "{shared}/shared.csv"}, None),
    ("glob_in_a_subfolder", {"glob": "data/orders*.csv"}, None),
]


@pytest.fixture(scope="module")
def materialized(ws):
    """Every source above as a dataset of one dataset file, materialized in one run."""

    def fill(value):
        for name, path in (
            ("store", ws.store_file),
            ("outside", ws.outside),
            ("shared", ws.shared),
        ):
            value = value.replace("{" + name + "}", str(path))
        return value

    entries = [
        {"name": case_id, "source": {k: fill(v) for k, v in source.items()}, "schedule": None}
        for case_id, source, _ in SOURCES
    ]
    path = ws.root / "sources.yaml"
    path.write_text(
        f"data_roots: [{json.dumps(str(ws.shared))}]\n"
        + "datasets:\n"
        + "".join(f"  - {json.dumps(e)}\n" for e in entries)
        + GOOD
    )
    config = load_config(path)
    defs = build_definitions(config)
    Definitions.validate_loadable(defs)
    assets = [
        build_dataset_asset(d, config.base_dir, config.data_roots)
        for d in config.datasets
        if d.name != "orders"
    ]
    with DagsterInstance.ephemeral() as instance:
        result = materialize(
            assets, instance=instance, resources={"drift_store": ws.store}, raise_on_error=False
        )
    failures = {}
    for event in result.all_events:
        if event.is_step_failure:
            data = event.step_failure_data
            message = (data.user_failure_data and data.user_failure_data.description) or (
                data.error.message
            )
            failures[event.step_key] = message
    return failures, defs


@pytest.mark.parametrize(("expected",), [pytest.param(e, id=i) for i, _, e in SOURCES])
def test_a_source_reads_only_inside_its_roots(ws, request, intact, materialized, expected):
    case_id = request.node.callspec.id
    failures, defs = materialized
    assert defs.resolve_assets_def(case_id) is not None
    if expected is None:
        assert case_id not in failures, failures.get(case_id)
        assert ws.store.get_store().recent_profiles(case_id, 1)
        return
    line = _one_line(failures[case_id])
    assert line.startswith(f"dataset {case_id}: "), line
    assert re.search(expected, line), line
    assert "hunter2" not in line and "root:x:" not in line
    assert not ws.store.get_store().recent_profiles(case_id, 1), "a refused source stored a profile"


def test_the_store_holds_nothing_read_from_outside(ws, materialized):
    with ws.store.get_store().connection() as conn:
        (dump,) = conn.execute(
            "SELECT string_agg(CAST(p AS VARCHAR), '') FROM profiles p"
        ).fetchone()
    assert "hunter2" not in dump and "root:x:0:0" not in dump


def test_the_sandbox_is_locked_before_the_source_runs(ws, tmp_path):
    # Read through the sandboxed connection itself: every setting is what the
    # profiler promised, and none can be changed back by a query.
    from drift_assets.profiling.sandbox import Sandbox

    with Sandbox.around(ws.root, (ws.shared,), (ws.store_file,)).connect(ws.root, {}) as conn:
        settings = dict(
            conn.execute(
                "SELECT name, value FROM duckdb_settings() WHERE name IN ('enable_external_access',"
                " 'lock_configuration', 'autoload_known_extensions', 'autoinstall_known_extensions')"
            ).fetchall()
        )
        assert settings == {
            "enable_external_access": "false",
            "lock_configuration": "true",
            "autoload_known_extensions": "false",
            "autoinstall_known_extensions": "false",
        }
        with pytest.raises(Exception, match="the configuration has been locked"):
            conn.execute("SET enable_external_access = true")
