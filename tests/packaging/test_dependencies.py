"""Every third-party module the product imports is a declared runtime dependency with a lower
bound: a plain `pip install` (no extras) must bring everything a command can import."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[2]
PRODUCT_PACKAGES = ("pipeline", "parsers", "rules", "matching", "error_glossary", "jobs")
IMPORT_FUNCTIONS = {"import_module", "__import__"}


def normalised(distribution: str) -> str:
    return re.sub(r"[-_.]+", "-", distribution).lower()


def runtime_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [Requirement(line) for line in project["dependencies"]]


def imported_modules(tree: ast.AST) -> set[str]:
    """Top-level names of every absolute import in `tree`, at any depth (inside functions and
    `if TYPE_CHECKING:` blocks too), and of `importlib.import_module("...")` with a literal."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Call) and called_name(node.func) in IMPORT_FUNCTIONS:
            first = node.args[0] if node.args else None
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                names.add(first.value)
    return {name.split(".")[0] for name in names}


def called_name(function: ast.expr) -> str | None:
    if isinstance(function, ast.Attribute):
        return function.attr
    return function.id if isinstance(function, ast.Name) else None


def module_constants(tree: ast.AST) -> set[str]:
    """String constants named `..._MODULE` (a module imported later by name)."""
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
            if any(t.endswith("_MODULE") for t in targets) and isinstance(node.value.value, str):
                found.add(node.value.value.split(".")[0])
    return found


def third_party_imports() -> dict[str, list[str]]:
    """Each third-party top-level module the product imports -> the files importing it."""
    users: dict[str, list[str]] = {}
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for name in imported_modules(tree) | module_constants(tree):
                if name in sys.stdlib_module_names or name in PRODUCT_PACKAGES:
                    continue
                users.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return users


def test_the_import_scan_sees_imports_inside_functions() -> None:
    tree = ast.parse(
        "import os\n"
        "def f():\n"
        "    from numpy import array\n"
        "    import importlib\n"
        "    importlib.import_module('scipy.stats')\n"
        "class C:\n"
        "    def g(self):\n"
        "        import sqlalchemy.exc\n"
        "        from . import sibling\n"
    )
    assert imported_modules(tree) == {"os", "numpy", "importlib", "scipy", "sqlalchemy"}


def test_every_third_party_import_is_a_declared_dependency() -> None:
    declared = {normalised(requirement.name) for requirement in runtime_requirements()}
    providers = packages_distributions()
    undeclared = {}
    for module, files in sorted(third_party_imports().items()):
        distributions = {normalised(name) for name in providers.get(module, [module])}
        if not distributions & declared:
            undeclared[module] = files
    assert undeclared == {}, f"imported but not in [project] dependencies: {undeclared}"


def test_the_scan_finds_the_imports_the_product_is_known_to_make() -> None:
    # numpy is imported inside matching/, sqlalchemy in many modules, some only in functions.
    assert {"polars", "numpy", "sqlalchemy", "rapidfuzz", "typer", "pandera"} <= set(
        third_party_imports()
    )


@pytest.mark.parametrize("requirement", runtime_requirements(), ids=str)
def test_every_dependency_has_a_lower_bound(requirement: Requirement) -> None:
    assert any(spec.operator in {">=", "~=", "=="} for spec in requirement.specifier), (
        f"{requirement} needs a lower bound the code is known to work with"
    )
