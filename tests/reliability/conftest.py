"""Fixtures of the reliability tests: the ingest tests' databases, clock and mailbox."""

from __future__ import annotations

from tests.pipeline.conftest import (
    NOW,
    Mailbox,
    engine_migrated,
    ingest_ctx,
    mailbox,
    settings_home,
)

__all__ = [
    "NOW",
    "Mailbox",
    "engine_migrated",
    "ingest_ctx",
    "mailbox",
    "settings_home",
]
