"""A process killed part-way through a merge leaves nothing of that transmission behind."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import func, select

from pipeline import queries
from pipeline.config import Settings, load_settings
from pipeline.database import open_database
from pipeline.models import Course, CourseChange, StudentRecord
from pipeline.store import table
from tests.pipeline.test_ingest_end_to_end import SAMPLE_FILES, SAMPLES

ROOT = Path(__file__).parents[2]


def run_ost(settings: Settings, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OST_HOME": str(settings.home), "OST_DATABASE_URL": settings.database_url}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )


def final_state(url: str) -> pl.DataFrame:
    engine = open_database(url)
    with engine.connect() as conn:
        courses = queries.export_courses(conn).drop("transmission_id")
    engine.dispose()
    return courses


def counts(url: str) -> tuple[int, int, int]:
    engine = open_database(url)
    with engine.connect() as conn:
        values = tuple(
            int(conn.execute(select(func.count()).select_from(table(model))).scalar_one())
            for model in (Course, CourseChange, StudentRecord)
        )
    engine.dispose()
    return values  # type: ignore[return-value]


@pytest.mark.parametrize("kill_at", ["records", "matching", "merge"])
def test_killed_ingest_leaves_nothing_and_rerun_converges(
    settings_home: Settings, tmp_path: Path, kill_at: str
) -> None:
    reference = load_settings(
        {
            "OST_HOME": str(tmp_path / "reference"),
            "OST_DATABASE_URL": f"sqlite:///{tmp_path / 'ref.db'}",
        }
    )
    cli = ["-m", "pipeline.cli"]
    for settings in (settings_home, reference):
        assert (
            run_ost(
                settings, *cli, "applicants", "import", str(SAMPLES / "applicants.csv")
            ).returncode
            == 0
        )
    clean = run_ost(reference, *cli, "ingest", *map(str, SAMPLE_FILES))
    assert clean.returncode in (0, 1), clean.stderr

    killed = run_ost(
        settings_home, "-m", "tests.pipeline.crash_ingest", kill_at, *map(str, SAMPLE_FILES)
    )
    assert killed.returncode == 137, killed.stderr
    # The first transmission died inside its transaction: nothing of it is stored.
    assert counts(settings_home.database_url) == (0, 0, 0)

    again = run_ost(settings_home, *cli, "ingest", *map(str, SAMPLE_FILES))
    assert again.returncode in (0, 1), again.stderr
    expected = final_state(reference.database_url)
    assert expected.height > 100  # the uninterrupted run merged the samples' courses
    assert final_state(settings_home.database_url).equals(expected)
