"""A transmission whose commit fails (database on a full disk) leaves no report behind."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.exc import OperationalError

from pipeline.ingest import IngestContext, TransmissionFailed, ingest_paths
from pipeline.store.transmissions import history
from tests.pipeline.conftest import Mailbox
from tests.pipeline.test_ingest_end_to_end import SAMPLES


def test_a_failed_commit_withdraws_the_published_reports(ingest_ctx: IngestContext) -> None:
    armed: list[bool] = []

    def full_disk_at_commit(_connection: Any) -> None:
        if armed:
            armed.clear()
            raise OperationalError("COMMIT", {}, Exception("database or disk is full"))

    ingest_ctx.checkpoint = lambda step: armed.append(True) if step == "merge" else None
    event.listen(ingest_ctx.engine, "commit", full_disk_at_commit)
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S871234.C1"])
    assert isinstance(outcome, TransmissionFailed) and outcome.step == "commit"
    folder = ingest_ctx.settings.reports / str(outcome.transmission_id)
    assert sorted(path.name for path in folder.glob("*")) == []
    with ingest_ctx.engine.connect() as conn:
        [row] = history(conn).to_dicts()
    assert row["status"] == "failed"
    mailbox = ingest_ctx.sender
    assert isinstance(mailbox, Mailbox) and mailbox.messages == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_locked_database_is_one_line_in_the_history_without_sql(
    ingest_ctx: IngestContext,
) -> None:
    statement = "INSERT INTO student_record (transmission_id, line, surname)\nVALUES (?, ?, ?)"

    def locked(step: str) -> None:
        if step == "records":
            cause = sqlite3.OperationalError("database is locked")
            cause.sqlite_errorcode = sqlite3.SQLITE_BUSY  # as SQLite itself sets it
            raise OperationalError(statement, (1, 2, "GAGNON-BÉLANGER"), cause)

    ingest_ctx.checkpoint = locked
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / "S871234.C1"])
    assert isinstance(outcome, TransmissionFailed) and outcome.transient
    with ingest_ctx.engine.connect() as conn:
        [row] = history(conn).to_dicts()
    reason = row["failure_reason"]
    assert reason == "transmission 1 (S871234.C1): merge failed: database is locked"
