"""Each command loads what it needs: `ost --help` and `ost glossary` no data library,
`ost validate` no database or matching stack, `ost review list` and `ost history` on a current
database neither the migrations nor the matcher (start-up time is measured in bench/)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).parents[2] / "sample_files" / "S885827.C1"
HEAVY = ("polars", "pandera", "numpy", "sqlalchemy", "alembic", "rapidfuzz", "jinja2")
PROBE = """
import json, sys
sys.argv = ["ost", *json.loads(sys.argv[1])]
from pipeline.cli import main
try:
    main()
except SystemExit:
    pass
sys.stdout = sys.__stdout__
print("\\n" + json.dumps(sorted(name for name in sys.modules if "." not in name)))
"""


def loaded_by(*args: str, env: dict[str, str] | None = None) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    return set(json.loads(run.stdout.splitlines()[-1])) & set(HEAVY)


@pytest.mark.parametrize(
    ("args", "allowed"),
    [
        (["--help"], set()),
        (["glossary", "G004"], set()),
        (["validate", str(SAMPLE)], {"polars", "jinja2"}),
    ],
    ids=["help", "glossary", "validate"],
)
def test_a_command_loads_only_what_it_needs(args: list[str], allowed: set[str]) -> None:
    assert loaded_by(*args) <= allowed


def test_the_probe_sees_what_a_command_loads() -> None:
    assert "sqlalchemy" in loaded_by("history", "--status", "nonsense")


@pytest.mark.parametrize(
    "args",
    [["review", "list", "--json"], ["review", "list"], ["history", "--json"]],
    ids=["review-list-json", "review-list", "history"],
)
def test_reading_a_current_database_loads_no_migration_nor_matcher(
    tmp_path: Path, args: list[str]
) -> None:
    from pipeline.database import open_database

    url = f"sqlite:///{tmp_path / 'ost.sqlite3'}"
    open_database(url).dispose()
    env = {**os.environ, "OST_HOME": str(tmp_path), "OST_DATABASE_URL": url}
    loaded = loaded_by(*args, env=env)
    assert "sqlalchemy" in loaded
    assert not loaded & {"alembic", "numpy", "rapidfuzz", "pandera"}


def test_the_store_package_names_its_modules_helpers() -> None:
    import importlib

    import pipeline.store as store

    assert set(store.__all__) == set(store._HOMES)
    for name, home in store._HOMES.items():
        module = importlib.import_module(f"pipeline.store.{home}")
        assert getattr(store, name) is getattr(module, name)
    with pytest.raises(AttributeError, match="no attribute 'nowhere'"):
        store.nowhere  # noqa: B018
