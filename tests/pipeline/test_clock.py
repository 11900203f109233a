"""One clock: every command judges dates on the OST_TIMEZONE calendar, never the machine's."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from pipeline.config import load_settings, local_today, utc_now
from pipeline.ingest import IngestContext
from rules.validate import packaged_code_tables
from tests.pipeline.conftest import Mailbox

OST = Path(sys.executable).parent / "ost"
SAMPLE = Path(__file__).parents[2] / "sample_files" / "S885827.C1"
# 03:00 UTC on December 7th is still December 6th in Toronto, already the 7th in Tokyo.
LATE_EVENING_IN_TORONTO = datetime(2026, 12, 7, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "today"),
    [("America/Toronto", date(2026, 12, 6)), ("Asia/Tokyo", date(2026, 12, 7)), ("UTC", None)],
)
def test_the_ingest_date_is_the_settings_time_zones(zone: str, today: date | None) -> None:
    settings = load_settings({"OST_HOME": "unused", "OST_TIMEZONE": zone})
    engine = create_engine("sqlite://")
    context = IngestContext(
        engine, settings, packaged_code_tables(), Mailbox(), clock=lambda: LATE_EVENING_IN_TORONTO
    )
    assert context.today() == (today or date(2026, 12, 7))
    assert context.today() == local_today(LATE_EVENING_IN_TORONTO, zone)
    engine.dispose()


def header_dated(day: date) -> bytes:
    """The clean sample, its T1 creation date (columns 11-18) set to `day`."""
    raw = SAMPLE.read_bytes()
    return raw[:10] + day.strftime("%Y%m%d").encode() + raw[18:]


@pytest.mark.parametrize(("zone", "exit_code"), [("Pacific/Kiritimati", 0), ("Pacific/Niue", 1)])
def test_validate_judges_a_creation_date_on_the_settings_calendar(
    tmp_path: Path, zone: str, exit_code: int
) -> None:
    # Dated the day after today in Kiritimati (UTC+14), a day ahead is tolerated there; in Niue
    # (UTC-11) that is two days ahead, whatever the machine's own zone: F008.
    tomorrow_in_kiritimati = local_today(utc_now(), "Pacific/Kiritimati") + timedelta(days=1)
    path = tmp_path / SAMPLE.name
    path.write_bytes(header_dated(tomorrow_in_kiritimati))
    env = {**os.environ, "OST_HOME": str(tmp_path), "OST_TIMEZONE": zone, "TZ": "UTC"}
    run = subprocess.run([OST, "validate", str(path)], capture_output=True, text=True, env=env)
    assert run.returncode == exit_code, run.stdout
    assert ("F008" in run.stdout) == bool(exit_code)
