"""What the console's routes share: settings, database, code tables, sessions, sign-in limits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pipeline.config import Settings, default_page_turns
from pipeline.database import Engine
from pipeline.ingest import IngestContext
from pipeline.notify import make_sender
from pipeline.web.security import SessionSettings, SignInLimiter
from rules.validate import CodeTables, packaged_code_tables


@dataclass
class ConsoleState:
    settings: Settings
    engine: Engine
    sessions: SessionSettings
    limiter: SignInLimiter = field(default_factory=SignInLimiter)
    tables: CodeTables = field(default_factory=packaged_code_tables)
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # Pages made at once (docs/console.md, Speed); the others wait their turn, first come first.
    page_turns: int = field(default_factory=default_page_turns)

    def ingest_context(self) -> IngestContext:
        """What a replay needs, as `ost replay` builds it."""
        return IngestContext(
            engine=self.engine,
            settings=self.settings,
            tables=self.tables,
            sender=make_sender(self.settings.smtp_url, self.settings.outbox),
            clock=self.clock,
        )
