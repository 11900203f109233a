"""Sample transmissions in an inbox, and the sample applicants, for batch and scheduler tests."""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from pipeline.applicants import read_applicants, upsert_applicants

SAMPLES = Path(__file__).parents[2] / "sample_files"
SAMPLE_FILES = sorted(SAMPLES.glob("S*.C*"))
CLEAN_SAMPLE = SAMPLES / "S885827.C1"


def renumbered(raw: bytes, number: int) -> bytes:
    """The same transmission under another transmission number (T1 column 10, docs/format.md)."""
    assert raw[:2] == b"T1"
    return raw[:9] + str(number).encode() + raw[10:]


def fill_inbox(inbox: Path, renumbered_copies: int = 0) -> list[str]:
    """The sample files in `inbox`, plus copies of the clean one as transmissions 2, 3, ..."""
    inbox.mkdir(parents=True, exist_ok=True)
    for path in SAMPLE_FILES:
        shutil.copyfile(path, inbox / path.name)
    raw = CLEAN_SAMPLE.read_bytes()
    for number in range(2, 2 + renumbered_copies):
        (inbox / f"S885827.C{number}").write_bytes(renumbered(raw, number))
    return sorted(path.name for path in inbox.iterdir())


def import_sample_applicants(engine: Engine, now: datetime) -> int:
    parsed = read_applicants(SAMPLES / "applicants.csv")
    assert parsed.problems.is_empty()
    with engine.begin() as conn:
        return upsert_applicants(conn, parsed.applicants, now)
