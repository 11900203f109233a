"""Read-only views for operators: history, one applicant, the course export (docs/commands.md)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, select

from pipeline.models import (
    SCHOOL_TIMEZONE,
    Applicant,
    MatchDecision,
    StudentRecord,
    Transmission,
)
from pipeline.record import academic_record, courses_of, matched_records
from pipeline.scope import EVERY_SCHOOL, Scope
from pipeline.store import frame, table

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
EXPORT_COLUMNS = (
    "application_number",
    "mident",
    "student_number",
    "course_code",
    "completion_date",
    "delivery_type",
    "grade_type",
    "mark",
    "credit_value",
    "course_status",
    "transmission_id",
    "transmission_file",
)
# docs/record.md: what the export gained, after the columns it always had.
EXTRA_COLUMNS = ("course_type", "notes", "course_mident", "supplier_mident", "course_title")
NAME_COLUMNS = ("surname", "first_name", "middle_name")
PERSONAL_COLUMNS = ("oen", "birth_date")


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
    query = query.where(scope.where(t.c.mident))
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


def applicant_view(conn: Connection, application_number: str) -> dict[str, Any] | None:
    """An applicant with their courses and the student records matched to them."""
    a, s = table(Applicant), table(StudentRecord)
    row = conn.execute(select(a).where(a.c.application_number == application_number)).first()
    if row is None:
        return None
    applicant = {
        k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row._mapping.items()
    }
    record = academic_record(conn, application_number)
    students = conn.execute(
        select(
            s.c.id,
            s.c.transmission_id,
            s.c.mident,
            s.c.student_number,
            s.c.surname,
            s.c.first_name,
            s.c.match_status,
        )
        .where(s.c.application_number == application_number)
        .order_by(s.c.id)
    ).all()
    decisions = table(MatchDecision)
    reasons = {
        r.student_record_id: r.reason
        for r in conn.execute(
            select(decisions.c.student_record_id, decisions.c.reason)
            .where(decisions.c.application_number == application_number)
            .order_by(decisions.c.id)
        )
    }
    courses = record.pop("courses")
    return {
        "applicant": applicant,
        "record": record,
        "courses": courses,
        "students": [{**dict(r._mapping), "reason": reasons.get(r.id)} for r in students],
    }


def export_courses(
    conn: Connection,
    mident: str | None = None,
    application_number: str | None = None,
    *,
    personal: bool = False,
) -> pl.DataFrame:
    """Every merged course with the transmission that last changed it, the course's own
    school, supplier and title, and the student's names as the school sent them; with
    `personal`, the student's OEN and birth date too (docs/record.md)."""
    numbers = None if application_number is None else [application_number]
    courses = courses_of(conn, mident=mident, application_numbers=numbers)
    records = matched_records(conn, numbers, mident=mident)
    student = ["application_number", "mident", "student_number"]
    names = records.unique(student, keep="last", maintain_order=True).select(
        *student, *NAME_COLUMNS, *(PERSONAL_COLUMNS if personal else ())
    )
    exported = courses.join(names, on=student, how="left", maintain_order="left")
    return exported.select(
        *EXPORT_COLUMNS,
        *EXTRA_COLUMNS,
        *NAME_COLUMNS,
        *(pl.col(name).cast(pl.Utf8) for name in (PERSONAL_COLUMNS if personal else ())),
    )
