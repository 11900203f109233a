"""Fixtures every test package shares: the databases a test runs on."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings

from tests.postgres import fresh_database

# Property tests check behaviour, not speed: on a shared, loaded machine a per-example time limit
# only makes them fail at random (speed is measured by the benchmark harness).
settings.register_profile("behaviour", deadline=None)
settings.load_profile("behaviour")


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database: an SQLite file, then a new database on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'ost.sqlite3'}"
        return
    with fresh_database() as url:
        yield url
