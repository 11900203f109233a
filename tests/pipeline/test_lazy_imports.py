"""Each command loads what it needs: `ost --help` and `ost glossary` no data library,
`ost validate` no database or matching stack (start-up time is measured in bench/)."""

from __future__ import annotations

import json
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


def loaded_by(*args: str) -> set[str]:
    run = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(args)],
        capture_output=True,
        text=True,
        check=True,
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
