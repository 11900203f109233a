"""Transmissions and runs: their receipt, status and summary, the history, the reader's scope."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Row, delete, insert, select, true, update
from sqlalchemy.sql.elements import ColumnClause

from pipeline.models import (
    SCHOOL_TIMEZONE,
    UNFINISHED_STATUSES,
    GradeRecord,
    MatchDecision,
    MergeFinding,
    Run,
    StudentRecord,
    Transmission,
)
from pipeline.scope import EVERY_SCHOOL, Scope
from pipeline.store.core import chunks, frame, table

HISTORY_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "file": pl.Utf8(),
    "school": pl.Utf8(),
    "transmission_number": pl.Utf8(),
    "created_at": pl.Datetime(time_zone="UTC"),
    "received_at": pl.Datetime(time_zone="UTC"),
    "processed_at": pl.Datetime(time_zone="UTC"),
    "status": pl.Utf8(),
    "students": pl.Int64(),
    "grades": pl.Int64(),
    "errors": pl.Int64(),
    "warnings": pl.Int64(),
    "failure_reason": pl.Utf8(),
}


def in_scope(scope: Scope, column: ColumnElement[str] | ColumnClause[str]) -> ColumnElement[bool]:
    """The SQL condition that keeps only the rows of schools in `scope`."""
    if scope.midents is None:
        return true()
    return column.in_(sorted(scope.midents))


# -- transmissions ---------------------------------------------------------------------------


def previous_receipt(conn: Connection, sha256: str, file_name: str) -> Transmission | None:
    """The first transmission with these exact bytes, arriving as `file_name`, that is not
    itself a duplicate.

    A rejected one counts only under the same name: F007 rejects a file for its name, and the
    same bytes renamed as F007 asks must be processed. The same file seen again (by a run after
    a crash, say) is still a duplicate; one rejected as too large (F010) is replayed from the
    archive once the limit is raised.
    """
    t = table(Transmission)
    renamed = (t.c.status == "rejected") & (t.c.file_name != file_name)
    receipts = select(t).where(t.c.sha256 == sha256, t.c.status != "duplicate", ~renamed)
    row = conn.execute(receipts.order_by(t.c.id).limit(1)).first()
    return Transmission(**row._mapping) if row else None


def add_transmission(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(table(Transmission)).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_transmission(conn: Connection, transmission_id: int, values: dict[str, Any]) -> None:
    t = table(Transmission)
    conn.execute(update(t).where(t.c.id == transmission_id).values(**values))


def unfinished_transmissions(conn: Connection) -> list[int]:
    t = table(Transmission)
    statement = select(t.c.id).where(t.c.status.in_(UNFINISHED_STATUSES)).order_by(t.c.id)
    return [int(row) for row in conn.execute(statement).scalars()]


def get_transmission(conn: Connection, transmission_id: int) -> Transmission | None:
    t = table(Transmission)
    row = conn.execute(select(t).where(t.c.id == transmission_id)).first()
    return Transmission(**row._mapping) if row else None


def clear_records(conn: Connection, transmission_id: int) -> None:
    """Forget the records of an earlier attempt at this transmission (replay)."""
    for model in (MergeFinding, GradeRecord):
        conn.execute(delete(table(model)).where(table(model).c.transmission_id == transmission_id))
    decisions, students = table(MatchDecision), table(StudentRecord)
    own = select(students.c.id).where(students.c.transmission_id == transmission_id)
    conn.execute(delete(decisions).where(decisions.c.student_record_id.in_(own)))
    conn.execute(delete(students).where(students.c.transmission_id == transmission_id))


def summary_of(transmission: Transmission) -> dict[str, Any]:
    return json.loads(transmission.summary_json) if transmission.summary_json else {}


def failed_transmissions(conn: Connection) -> list[int]:
    """Every transmission whose status is `failed`, oldest first."""
    t = table(Transmission)
    rows = conn.execute(select(t.c.id).where(t.c.status == "failed").order_by(t.c.id))
    return [int(row.id) for row in rows]


def schools_and_times(conn: Connection, transmission_ids: Iterable[int]) -> list[Row[Any]]:
    """(id, mident, created_at) of these transmissions, those that exist."""
    t = table(Transmission)
    wanted = sorted(set(transmission_ids))
    return list(conn.execute(select(t.c.id, t.c.mident, t.c.created_at).where(t.c.id.in_(wanted))))


def transmission_in_scope(
    conn: Connection, transmission_id: int, scope: Scope
) -> Transmission | None:
    """The transmission when it exists and its school is in scope; None otherwise (the same
    answer, so that a school cannot tell another school's transmissions from missing ones)."""
    t = table(Transmission)
    query = select(t).where(t.c.id == transmission_id, in_scope(scope, t.c.mident))
    row = conn.execute(query).first()
    return Transmission(**row._mapping) if row else None


def application_numbers(
    conn: Connection, transmission_id: int, lines: Sequence[int]
) -> dict[int, tuple[str, str | None]]:
    """line -> (application number, match status) of the student each S1 or G1 line is about."""
    s, g = table(StudentRecord), table(GradeRecord)
    found: dict[int, tuple[str, str | None]] = {}
    for part in chunks(sorted(set(lines))):
        students = select(s.c.line, s.c.application_number, s.c.match_status).where(
            s.c.transmission_id == transmission_id,
            s.c.line.in_(part),
            s.c.application_number.is_not(None),
        )
        grades = (
            select(g.c.line, s.c.application_number, s.c.match_status)
            .join(s, s.c.id == g.c.student_record_id)
            .where(
                g.c.transmission_id == transmission_id,
                g.c.line.in_(part),
                s.c.application_number.is_not(None),
            )
        )
        for statement in (students, grades):
            for line, number, status in conn.execute(statement):
                found[int(line)] = (str(number), status)
    return found


# -- the history -----------------------------------------------------------------------------


def history(
    conn: Connection,
    status: str | None = None,
    scope: Scope = EVERY_SCHOOL,
    *,
    mident: str | None = None,
    period: str | None = None,
    limit: int | None = None,
    before: int | None = None,
) -> pl.DataFrame:
    """The upload history of the schools in `scope`, newest first; `period` is the month the
    school created the file (YYYY-MM), `limit` keeps only the newest rows, and `before` only
    the transmissions older than that id.

    The month is the school's own (its header's local time), not the stored UTC one: a file
    created on the evening of 30 November belongs to November.
    """
    t = table(Transmission)
    query = select(
        t.c.id,
        t.c.file_name,
        t.c.mident,
        t.c.transmission_number,
        t.c.created_at,
        t.c.received_at,
        t.c.processed_at,
        t.c.status,
        t.c.students,
        t.c.grades,
        t.c.errors,
        t.c.warnings,
        t.c.failure_reason,
    ).order_by(t.c.id.desc())
    query = query.where(in_scope(scope, t.c.mident))
    if status:
        query = query.where(t.c.status == status)
    if mident:
        query = query.where(t.c.mident == mident)
    if period:
        query = query.where(*period_bounds(t.c.created_at, period))
    if before is not None:
        query = query.where(t.c.id < before)
    if limit is not None:
        query = query.limit(limit)
    rows = frame(conn, query, HISTORY_SCHEMA)
    local = pl.col("created_at").dt.convert_time_zone(str(SCHOOL_TIMEZONE))
    return rows.with_columns(local.dt.strftime("%Y-%m").alias("period"))


def period_bounds(column: Any, period: str) -> tuple[Any, Any]:
    """SQL conditions keeping the times within the school's month `period` (YYYY-MM)."""
    year, month = (int(part) for part in period.split("-"))
    start = datetime(year, month, 1, tzinfo=SCHOOL_TIMEZONE)
    end = datetime(year + month // 12, month % 12 + 1, 1, tzinfo=SCHOOL_TIMEZONE)
    return column >= start.astimezone(UTC), column < end.astimezone(UTC)


# -- runs --------------------------------------------------------------------------------------


def add_run(conn: Connection, trigger: str, started_at: datetime) -> int:
    """A run `running` from `started_at`; its id."""
    values = {"trigger": trigger, "started_at": started_at, "status": "running"}
    key = conn.execute(insert(table(Run)).values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def update_run(conn: Connection, run_id: int, values: dict[str, Any]) -> None:
    runs = table(Run)
    conn.execute(update(runs).where(runs.c.id == run_id).values(**values))


def interrupt_running_runs(conn: Connection) -> list[int]:
    """Runs still `running` marked `interrupted` (their process died); their ids."""
    runs = table(Run)
    ids = [
        int(i) for i in conn.execute(select(runs.c.id).where(runs.c.status == "running")).scalars()
    ]
    if ids:
        conn.execute(update(runs).where(runs.c.id.in_(ids)).values(status="interrupted"))
    return ids
