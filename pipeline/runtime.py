"""Wiring the outside world for a command: database, code tables, mail, folders."""

from __future__ import annotations

from pipeline.config import Settings
from pipeline.database import open_database
from pipeline.ingest import IngestContext
from pipeline.notify import make_sender
from pipeline.private import private_folder
from rules.validate import packaged_code_tables


def ensure_folders(settings: Settings) -> None:
    for folder in (
        settings.inbox,
        settings.archive,
        settings.reports,
        settings.outbox,
        settings.logs,
    ):
        private_folder(folder)


def ingest_context(settings: Settings) -> IngestContext:
    """Everything an ingest needs, from the settings (migrating the database on the way)."""
    ensure_folders(settings)
    return IngestContext(
        engine=open_database(settings.database_url),
        settings=settings,
        tables=packaged_code_tables(),
        sender=make_sender(settings.smtp_url, settings.outbox),
    )
