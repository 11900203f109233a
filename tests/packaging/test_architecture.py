"""The product's shape, read from its source with `ast` (README.md, How it is built).

Product modules: every `.py` file of parsers/, rules/, matching/, error_glossary/, pipeline/
and jobs/, except the migrations (pipeline/migrations/, generated schema history).

An import counts wherever it is written: at module level, inside a function, or under
`if TYPE_CHECKING:`. `from a.b import c` is an import of the module `a.b.c` when that is a
product module, otherwise of `a.b`; the packages above the named module are not counted.

A module builds or runs SQL when it does any of:
- imports `sqlalchemy` or `sqlmodel` (or a module of theirs) as a module, or imports from them
  anything but `Engine` and `Connection`, the types the other modules only pass around (and
  import from `pipeline.database`, which re-exports them);
- calls `execute`, `executemany` or `exec_driver_sql` on anything (runs a statement);
- calls one of the store's helpers that take a table or a statement (`table`, `frame`,
  `insert_rows`, `bulk_insert`, `bulk_update`, `bulk_upsert`) imported from `pipeline.store`.
Opening a connection or a transaction on an engine it was given (`engine.begin()`) is not
building SQL. `pipeline/models.py` declares the tables: it is not counted among them, and a
test of its own checks that it only declares.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = ("parsers", "rules", "matching", "error_glossary", "pipeline", "jobs")
PURE = ("parsers", "rules", "matching", "error_glossary")
EXCLUDED = ("pipeline/migrations/",)
MAX_LINES = 400
MAX_SQL_MODULES = 8
DATABASE_LIBRARIES = ("sqlalchemy", "sqlmodel")
PASSED_AROUND = frozenset({"Engine", "Connection"})
RUNS_A_STATEMENT = frozenset({"execute", "executemany", "exec_driver_sql"})
STORE_SQL_HELPERS = frozenset(
    {"table", "frame", "insert_rows", "bulk_insert", "bulk_update", "bulk_upsert"}
)
STORE = ("pipeline.store", "pipeline.store.core")
TABLES = "pipeline.models"
# What declaring tables takes (pipeline/models.py), and nothing that builds a statement.
DECLARATIONS = frozenset(
    {"Column", "Index", "String", "UniqueConstraint", "Field", "SQLModel", "DateTime"}
)
# The command line: pipeline/cli.py, pipeline/cli_*.py, pipeline/*_cli.py, pipeline/cli/.
COMMAND_LINE = re.compile(r"pipeline\.(cli(_\w+)?|\w+_cli|cli\..+)")


@dataclass(frozen=True)
class Import:
    """One import statement's target module and the names it takes from it."""

    module: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


@cache
def product_modules(root: Path = ROOT) -> Mapping[str, Path]:
    found = {}
    for package in PRODUCT:
        for path in sorted((root / package).rglob("*.py")):
            relative = path.relative_to(root).as_posix()
            if not relative.startswith(EXCLUDED):
                found[module_name(path, root)] = path
    return found


@cache
def tree_of(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _absolute(node: ast.ImportFrom, module: str, is_package: bool) -> str:
    """The module `from ... import` names, relative imports resolved against `module`."""
    if node.level == 0:
        return node.module or ""
    package = module.split(".") if is_package else module.split(".")[:-1]
    base = package[: len(package) - node.level + 1]
    return ".".join([*base, *([node.module] if node.module else [])])


def imports_in(
    tree: ast.AST, module: str, known: Iterable[str], is_package: bool = False
) -> list[Import]:
    """Every import in `tree` (module level, in functions, under TYPE_CHECKING alike)."""
    known = set(known)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(alias.name, (), node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            source = _absolute(node, module, is_package)
            names = tuple(alias.name for alias in node.names)
            submodules = [f"{source}.{name}" for name in names if f"{source}.{name}" in known]
            found += [Import(target, (), node.lineno) for target in submodules]
            rest = tuple(name for name in names if f"{source}.{name}" not in known)
            if rest or not submodules:
                found.append(Import(source, rest, node.lineno))
    return found


def imports_of(module: str) -> list[Import]:
    path = product_modules()[module]
    return imports_in(tree_of(path), module, product_modules(), path.name == "__init__.py")


def import_graph() -> dict[str, set[str]]:
    """Product module -> the product modules it imports."""
    modules = product_modules()
    return {
        module: {found.module for found in imports_of(module) if found.module in modules} - {module}
        for module in modules
    }


def cycles(graph: Mapping[str, set[str]]) -> list[list[str]]:
    """The shortest cycle (first module repeated at the end) through each module of a group
    that import each other, directly or through others (Tarjan's strongly connected
    components); a cycle found from two of its modules is given once."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.add(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(group)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    found: dict[frozenset[str], list[str]] = {}
    for group in groups:
        for start in sorted(group):
            cycle = _cycle_within(graph, group, start)
            found.setdefault(frozenset(cycle), cycle)
    return list(found.values())


def _cycle_within(graph: Mapping[str, set[str]], group: set[str], start: str) -> list[str]:
    """The shortest path from `start` back to itself, inside its group."""
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for target in sorted(graph.get(node, set()) & group):
                if target == start:
                    return [*paths[node], start]
                if target not in paths:
                    paths[target] = [*paths[node], target]
                    following.append(target)
        frontier = following
    raise AssertionError(f"no cycle through {start} within {sorted(group)}")


def _from_database_library(name: str) -> bool:
    return name.split(".")[0] in DATABASE_LIBRARIES


def _store_aliases(tree: ast.AST) -> tuple[set[str], set[str]]:
    """Names bound to the store's SQL helpers, and names bound to the store package."""
    helpers, packages = set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module in STORE:
            helpers |= {a.asname or a.name for a in node.names if a.name in STORE_SQL_HELPERS}
        elif isinstance(node, ast.ImportFrom) and node.module == "pipeline":
            packages |= {a.asname or a.name for a in node.names if a.name == "store"}
    return helpers, packages


def sql_reasons(module: str) -> list[str]:
    """Why `module` builds or runs SQL (the module docstring's definition), each reason once
    with the first line it is seen on; empty if it does not."""
    reasons: dict[str, int] = {}
    for found in imports_of(module):
        if not _from_database_library(found.module):
            continue
        built = sorted(set(found.names) - PASSED_AROUND) if found.names else [found.module]
        if built:
            reasons.setdefault(f"imports {', '.join(built)} from {found.module}", found.line)
    tree = tree_of(product_modules()[module])
    helpers, packages = _store_aliases(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        called = node.func
        if isinstance(called, ast.Attribute) and called.attr in RUNS_A_STATEMENT:
            reasons.setdefault(f"runs statements ({called.attr})", node.lineno)
        elif isinstance(called, ast.Name) and called.id in helpers:
            reasons.setdefault(f"calls the store's {called.id}", node.lineno)
        elif (
            isinstance(called, ast.Attribute)
            and isinstance(called.value, ast.Name)
            and called.value.id in packages
            and called.attr in STORE_SQL_HELPERS
        ):
            reasons.setdefault(f"calls the store's {called.attr}", node.lineno)
    return [f"{why} (line {line})" for why, line in sorted(reasons.items(), key=lambda r: r[1])]


def sql_modules() -> dict[str, list[str]]:
    return {
        module: reasons
        for module in product_modules()
        if module != TABLES and (reasons := sql_reasons(module))
    }


def listing(found: Mapping[str, str | list[str]]) -> str:
    return "\n".join(
        f"  {module}: {why if isinstance(why, str) else '; '.join(why)}"
        for module, why in sorted(found.items())
    )


def _walk_lines(modules: Mapping[str, Path]) -> Iterator[tuple[str, int]]:
    for module, path in modules.items():
        yield module, len(path.read_text(encoding="utf-8").splitlines())


# -- the checks ----------------------------------------------------------------------------


def test_no_product_module_is_over_400_lines() -> None:
    sizes = dict(_walk_lines(product_modules()))
    assert len(sizes) > 50 and "pipeline.store.core" in sizes
    too_long = {module: f"{lines} lines" for module, lines in sizes.items() if lines > MAX_LINES}
    assert not too_long, f"split these modules (at most {MAX_LINES} lines):\n{listing(too_long)}"


def test_at_most_8_modules_build_or_run_sql() -> None:
    found = sql_modules()
    # The definition sees the modules that certainly hold SQL: it can fail.
    assert {"pipeline.database", "pipeline.lock", "pipeline.store.core"} <= set(found)
    assert len(found) <= MAX_SQL_MODULES, (
        f"{len(found)} modules build or run SQL, at most {MAX_SQL_MODULES} may "
        f"(move the queries into pipeline/store/):\n{listing(found)}"
    )


def test_the_table_declarations_only_declare() -> None:
    imported = {
        name
        for found in imports_of(TABLES)
        if _from_database_library(found.module)
        for name in (found.names or (found.module,))
    }
    assert "SQLModel" in imported
    assert imported <= DECLARATIONS, f"{TABLES} imports {sorted(imported - DECLARATIONS)}"
    calls = [reason for reason in sql_reasons(TABLES) if not reason.startswith("imports ")]
    assert calls == [], f"{TABLES} runs statements: {calls}"


def test_no_import_cycles_among_product_modules() -> None:
    graph = import_graph()
    assert sum(len(targets) for targets in graph.values()) > 100
    found = cycles(graph)
    assert not found, "import cycles:\n" + "\n".join("  " + " -> ".join(c) for c in found)


def test_only_the_command_line_of_pipeline_imports_jobs() -> None:
    offending = {
        module: [f"line {found.line} imports {found.module}" for found in imports]
        for module in product_modules()
        if module.startswith("pipeline") and not COMMAND_LINE.fullmatch(module)
        if (imports := [f for f in imports_of(module) if f.module.split(".")[0] == "jobs"])
    }
    assert not offending, f"pipeline/ outside its command line imports jobs/:\n{listing(offending)}"


def test_the_pure_packages_import_nothing_from_pipeline_or_jobs() -> None:
    offending = {
        module: [f"line {found.line} imports {found.module}" for found in imports]
        for module in product_modules()
        if module.split(".")[0] in PURE
        if (
            imports := [
                f for f in imports_of(module) if f.module.split(".")[0] in ("pipeline", "jobs")
            ]
        )
    }
    assert not offending, f"pure packages import the edge:\n{listing(offending)}"


# -- the instruments themselves ------------------------------------------------------------


def test_imports_are_found_in_functions_and_under_type_checking() -> None:
    source = """
from typing import TYPE_CHECKING
from pipeline import store
from . import sibling
if TYPE_CHECKING:
    from sqlalchemy import Engine
def later():
    import jobs.retry
    from pipeline.store.core import frame
"""
    known = {"pipeline.store", "pipeline.x.sibling", "pipeline.store.core", "jobs.retry"}
    found = {(i.module, i.names) for i in imports_in(ast.parse(source), "pipeline.x.y", known)}
    assert found == {
        ("typing", ("TYPE_CHECKING",)),
        ("pipeline.store", ()),
        ("pipeline.x.sibling", ()),
        ("sqlalchemy", ("Engine",)),
        ("jobs.retry", ()),
        ("pipeline.store.core", ("frame",)),
    }


def test_the_cycle_finder_reports_a_cycle_and_ignores_a_chain() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    assert cycles(graph) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": {"c"}, "c": set()}) == []
