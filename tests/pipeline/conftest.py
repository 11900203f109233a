"""Fixtures of the ingest tests: databases (SQLite and PostgreSQL), a clock, a mailbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
from sqlalchemy import Engine

from pipeline.config import Settings, load_settings
from pipeline.database import open_database
from pipeline.ingest import IngestContext
from pipeline.runtime import ensure_folders
from rules.validate import packaged_code_tables

NOW = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)


class Mailbox:
    """A sender that keeps the messages (the SMTP conversation itself is tested separately)."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []

    def send(self, message: EmailMessage) -> None:
        self.messages.append(message)


@pytest.fixture
def settings_home(tmp_path: Path, database_url: str) -> Settings:
    settings = load_settings({"OST_HOME": str(tmp_path / "home"), "OST_DATABASE_URL": database_url})
    ensure_folders(settings)
    return settings


@pytest.fixture
def engine_migrated(settings_home: Settings) -> Iterator[Engine]:
    engine = open_database(settings_home.database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def ingest_ctx(engine_migrated: Engine, settings_home: Settings, mailbox: Mailbox) -> IngestContext:
    return IngestContext(
        engine=engine_migrated,
        settings=settings_home,
        tables=packaged_code_tables(),
        sender=mailbox,
        clock=lambda: NOW,
    )
