"""The test suite itself: `-m postgres` selects every test that uses the PostgreSQL server."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def collected(*args: str) -> list[str]:
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return [line for line in run.stdout.splitlines() if "::" in line]


def test_the_database_fixture_is_defined_once() -> None:
    definitions = [
        path
        for path in sorted((ROOT / "tests").rglob("*.py"))
        if re.search(r"^def database_url\(", path.read_text(encoding="utf-8"), re.MULTILINE)
    ]
    assert definitions == [ROOT / "tests" / "conftest.py"]


def test_no_postgresql_test_escapes_the_postgres_mark() -> None:
    unmarked = collected("-m", "not postgres", "tests/pipeline", "tests/jobs", "tests/reliability")
    assert unmarked and [test for test in unmarked if "postgres" in test.lower()] == []
