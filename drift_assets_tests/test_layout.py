"""The package's layout rules: folders are stages, and an import only points to an
earlier stage; Dagster is imported only in ``defs/`` (and the CLI, demo and code
location that sit on top of it); the README's layout block names exactly the tree."""

from __future__ import annotations

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "drift_assets"

# Stage of each top-level part of the package, in data-flow order. A module may
# import from its own stage or from a lower one, never from a higher one; parts on
# the same stage (slack and reports) do not import each other.
STAGES = {
    "settings": 0,
    "stattests": 0,
    "profiling": 1,
    "checks": 2,
    "alerts": 3,
    "store": 4,
    "slack": 5,
    "reports": 5,
    "evaluation": 6,
    "defs": 7,
    "demo": 8,
    "cli": 9,
    "definitions": 10,
    "__init__": 10,
}
DAGSTER_ALLOWED = {"defs", "cli", "demo", "definitions", "__init__"}


def _part(module: str) -> str:
    return module.split(".")[1] if "." in module else "__init__"


def _imports() -> list[tuple[str, str]]:
    """(importing module, imported module) for every import of ours or of Dagster."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        module = ".".join(relative.parts)
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module:
                found.append((module, node.module))
            elif isinstance(node, ast.Import):
                found.extend((module, alias.name) for alias in node.names)
    return found


IMPORTS = _imports()


def test_every_part_of_the_package_has_a_stage():
    parts = {_part(module) for module, _ in IMPORTS}
    assert parts <= set(STAGES), parts - set(STAGES)


def test_imports_point_to_an_earlier_stage():
    upward = sorted(
        f"{module} imports {imported}"
        for module, imported in IMPORTS
        if imported.startswith("drift_assets.")
        and _part(module) != _part(imported)
        and STAGES[_part(imported)] >= STAGES[_part(module)]
    )
    assert upward == []


def test_dagster_is_imported_only_in_defs_and_above():
    outside = sorted(
        f"{module} imports {imported}"
        for module, imported in IMPORTS
        if imported.split(".")[0] in ("dagster", "dagster_slack", "dagster_duckdb")
        and _part(module) not in DAGSTER_ALLOWED
    )
    assert outside == []


def test_private_dagster_imports_are_isolated_in_defs():
    private = sorted(
        f"{module} imports {imported}"
        for module, imported in IMPORTS
        if imported.startswith("dagster._") and _part(module) != "defs"
    )
    assert private == []


def _readme_layout() -> set[str]:
    """Every module the README's layout block names, as a path under the package:
    folders at indent 2, their modules below them (one a line, or listed)."""
    readme = (PACKAGE.parent / "README.md").read_text()
    block = readme.split("Layout, in the order data flows")[1].split("```")[1]
    named, folder = set(), ""
    for line in block.splitlines():
        indent = len(line) - len(line.lstrip())
        if indent == 2:
            first = line.split()[0]
            folder = first if first.endswith("/") else ""
            if first.endswith(".py"):
                named.add(first)
        elif indent >= 4:
            named.update(folder + name for name in re.findall(r"\b\w+\.py\b", line))
    return named


def test_the_readme_layout_names_every_module_and_no_other():
    modules = {
        path.relative_to(PACKAGE).as_posix()
        for path in PACKAGE.rglob("*.py")
        if path.name != "__init__.py"
    }
    named = _readme_layout()
    assert (sorted(modules - named), sorted(named - modules)) == ([], [])


def test_sql_runs_only_in_the_store_and_in_profiling():
    # Profiling's SQL is against the batch in an in-memory DuckDB; all else is the store's.
    outside = sorted(
        f"{path.relative_to(PACKAGE)}:{node.lineno}"
        for path in PACKAGE.rglob("*.py")
        if path.relative_to(PACKAGE).parts[0] not in ("store", "profiling")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("execute", "executemany", "sql")
    )
    assert outside == []
