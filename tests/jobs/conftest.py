"""Fixtures of the scheduler and run tests: databases (SQLite and PostgreSQL), an inbox."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.config import Settings, load_settings
from pipeline.database import open_database
from pipeline.runtime import ensure_folders
from tests.jobs.inbox import fill_inbox, import_sample_applicants

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


@pytest.fixture
def settings_sample_inbox(tmp_path: Path, database_url: str) -> Settings:
    """OST_HOME with the sample files in its inbox, on a migrated database with the applicants."""
    settings = load_settings({"OST_HOME": str(tmp_path / "home"), "OST_DATABASE_URL": database_url})
    ensure_folders(settings)
    fill_inbox(settings.inbox, renumbered_copies=2)
    engine = open_database(database_url)
    import_sample_applicants(engine, NOW)
    engine.dispose()
    return settings
