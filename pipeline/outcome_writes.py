"""What the shell of `ost ingest` reads for the transmission stage and writes of its outcome,
inside the transmission's one transaction."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

import polars as pl

from pipeline import store
from pipeline.database import Connection
from pipeline.merge import CourseQuery, CourseSnapshot
from pipeline.store.review import decisions_for
from pipeline.transmission import TransmissionOutcome, created_at_utc

# What the history says of a transmission whose header gives no address to confirm to.
NO_CONFIRMATION = "no confirmation e-mail sent: the contact e-mail is missing or invalid (F011)"


@dataclass(frozen=True)
class StoreReads:
    """The stage's reads (`pipeline.transmission.StoredReads`), inside its transaction."""

    conn: Connection

    def operator_decisions(self, students: pl.DataFrame) -> pl.DataFrame:
        return decisions_for(self.conn, students)

    def courses(self, query: CourseQuery) -> CourseSnapshot:
        return store.read_courses(self.conn, query)


def by_record(frame: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its `student_key` (an S1 line) replaced by the stored record's id."""
    keys = ids.select(student_key=pl.col("line").cast(pl.Int64), record=pl.col("student_record_id"))
    joined = frame.join(keys, on="student_key", how="left", maintain_order="left")
    return joined.with_columns(pl.col("record").alias("student_key")).drop("record")


@dataclass(frozen=True)
class RecordWrites:
    """The bulk writes of a transmission: its grade records, and its merge plan carried out.

    Nothing the reports say depends on them, so they are done while the reports are written.
    """

    transmission_id: int
    grades: pl.DataFrame
    student_ids: pl.DataFrame
    now: datetime
    plan: pl.DataFrame | None = None
    created_at: datetime | None = None

    def apply(self, conn: Connection) -> None:
        store.save_grades(conn, self.transmission_id, self.grades, self.student_ids)
        if self.plan is not None and self.created_at is not None:
            store.apply_plan(conn, self.plan, self.transmission_id, self.created_at, self.now)


def write_records(
    conn: Connection,
    outcome: TransmissionOutcome,
    now: datetime,
    checkpoint: Callable[[str], None],
) -> RecordWrites:
    """The outcome's student records (with their current match), decisions and findings; the
    bulk writes are left for the caller to carry out in the same transaction."""
    transmission_id, result = outcome.transmission_id, outcome.result
    store.clear_records(conn, transmission_id)
    ids = store.save_students(conn, transmission_id, result.recorded_students, outcome.decisions)
    writes = RecordWrites(transmission_id, result.grades, ids, now)
    checkpoint("records")
    if outcome.decisions is None:
        return writes
    store.save_decisions(conn, by_record(outcome.decisions, ids), now, current=False)
    checkpoint("matching")
    store.save_findings(conn, transmission_id, outcome.findings, now)
    return replace(writes, plan=outcome.plan, created_at=outcome.created_at)


def transmission_values(outcome: TransmissionOutcome) -> dict[str, Any]:
    """The transmission's row once processed."""
    result, report = outcome.result, outcome.reports["en"]
    counts = report.counts
    return {
        "status": outcome.status,
        "mident": result.header.mident,
        "transmission_number": result.header.transmission_number,
        "created_at": created_at_utc(result),
        "contact_email": (result.header.contact_email or None),
        "encoding": result.encoding,
        "students": counts.students,
        "grades": counts.grades,
        "errors": counts.errors,
        "warnings": counts.warnings,
        "failure_reason": None if result.header.contact_email else NO_CONFIRMATION,
        "summary_json": json.dumps({"matching": report.matching, "merge": report.merge}),
    }
