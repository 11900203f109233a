"""The sample transmissions and applicants that the reliability tests damage, kill and replay."""

from __future__ import annotations

from pathlib import Path

from pipeline.applicants import read_applicants, upsert_applicants
from pipeline.ingest import IngestContext, receive
from tests.pipeline.conftest import NOW

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "sample_files"
APPLICANTS = SAMPLES / "applicants.csv"
SAMPLE_BYTES = {path.name: path.read_bytes() for path in sorted(SAMPLES.glob("S*.C*"))}


def sample_files() -> list[Path]:
    """The sample transmissions in the order an ingest applies them (docs/merging.md)."""
    paths = sorted(SAMPLES.glob("S*.C*"))
    return sorted(paths, key=lambda path: receive(path, 2**30).order_key)


def load_applicants(ctx: IngestContext) -> int:
    """The sample applicants, imported as `ost applicants import` would."""
    with ctx.engine.begin() as conn:
        return upsert_applicants(conn, read_applicants(APPLICANTS).applicants, NOW)
