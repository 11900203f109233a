"""Reads of the academic record (docs/record.md): courses, S1 facts, credits, grade status.

The joins between courses and student records are made in polars: on PostgreSQL the course
key is in the "C" collation (migration 0005) and the student records' columns are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, select

from pipeline.models import MERGED_STATUSES, SCHOOL_TIMEZONE, Course, StudentRecord, Transmission
from pipeline.store import chunks, frame, table
from rules.credits import credits_column, record_totals
from rules.students import STUDENT_FACTS

COURSE_COLUMNS = (
    "application_number",
    "mident",
    "student_number",
    "course_code",
    "course_title",
    "completion_date",
    "delivery_type",
    "course_type",
    "grade_type",
    "mark",
    "credit_value",
    "course_status",
    "notes",
    "course_mident",
    "supplier_mident",
    "transmission_id",
)
COURSES_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.Utf8() for name in COURSE_COLUMNS},
    "transmission_id": pl.Int64(),
    "transmission_file": pl.Utf8(),
    "source_created_at": pl.Datetime(time_zone="UTC"),
}
STUDENT_COLUMNS = (
    "id",
    "application_number",
    "mident",
    "student_number",
    "surname",
    "first_name",
    "middle_name",
    "oen",
    "birth_date",
    *STUDENT_FACTS,
)
STUDENTS_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.Utf8() for name in STUDENT_COLUMNS},
    "id": pl.Int64(),
    "birth_date": pl.Date(),
    "ossd_issue_date": pl.Date(),
    "created_at": pl.Datetime(time_zone="UTC"),
}


def _of_applicants(
    conn: Connection,
    query: Select[Any],
    column: ColumnElement[Any],
    application_numbers: Sequence[str] | None,
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """The rows of `query`, all of them or those of these applicants (in chunks)."""
    if application_numbers is None:
        return frame(conn, query, schema)
    parts = [
        frame(conn, query.where(column.in_(list(part))), schema)
        for part in chunks(sorted(set(application_numbers)))
    ]
    return pl.concat([pl.DataFrame(schema=schema), *parts])


def courses_of(
    conn: Connection,
    *,
    mident: str | None = None,
    application_numbers: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Merged courses (all, a sending school's, or these applicants'), in record order."""
    c, t = table(Course), table(Transmission)
    query = select(
        *(c.c[name] for name in COURSE_COLUMNS), t.c.file_name, c.c.source_created_at
    ).join(t, t.c.id == c.c.transmission_id)
    if mident is not None:
        query = query.where(c.c.mident == mident)
    rows = _of_applicants(conn, query, c.c.application_number, application_numbers, COURSES_SCHEMA)
    return rows.sort("application_number", "course_code", "completion_date", "delivery_type")


def matched_records(
    conn: Connection,
    application_numbers: Sequence[str] | None = None,
    *,
    mident: str | None = None,
) -> pl.DataFrame:
    """Accepted S1 records matched to applicants (all, these applicants', or a school's),
    newest transmission last."""
    s, t = table(StudentRecord), table(Transmission)
    query = (
        select(*(s.c[name] for name in STUDENT_COLUMNS), t.c.created_at)
        .join(t, t.c.id == s.c.transmission_id)
        .where(
            s.c.accepted.is_(True),
            s.c.match_status == "matched",
            t.c.status.in_(MERGED_STATUSES),
        )
    )
    if mident is not None:
        query = query.where(s.c.mident == mident)
    rows = _of_applicants(conn, query, s.c.application_number, application_numbers, STUDENTS_SCHEMA)
    return rows.sort("created_at", "id", nulls_last=False)


def latest_record(records: pl.DataFrame) -> pl.DataFrame:
    """The latest accepted S1 of each applicant (`matched_records` order)."""
    return records.unique("application_number", keep="last", maintain_order=True)


def readable_courses(courses: pl.DataFrame) -> pl.DataFrame:
    """Courses as admissions staff read them: credits as 1.00, the changing file named."""
    return courses.with_columns(credits_column()).rename(
        {"transmission_file": "last_changed_by", "mident": "sent_by"}
    )


def academic_record(conn: Connection, application_number: str) -> dict[str, Any]:
    """docs/record.md: the courses, the latest S1's facts, total credits and grade status."""
    courses = courses_of(conn, application_numbers=[application_number])
    return record_from(courses, matched_records(conn, [application_number]))


def record_from(courses: pl.DataFrame, records: pl.DataFrame) -> dict[str, Any]:
    """The record of one applicant from their courses and matched S1 records (all of them, or
    a school's own, as the console shows a school)."""
    latest = latest_record(records)
    facts: dict[str, Any] = dict.fromkeys(STUDENT_FACTS)
    if latest.height:
        row = latest.row(0, named=True)
        facts = {name: _text(row[name]) for name in STUDENT_FACTS}
        facts["from_school"] = row["mident"]
        facts["student_number"] = row["student_number"]
    shown = readable_courses(courses).drop("application_number", "source_created_at")
    return {"student": facts, "totals": record_totals(courses), "courses": shown.to_dicts()}


def _text(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def last_changes(courses: pl.DataFrame) -> pl.DataFrame:
    """Per applicant, the school's local date of the newest transmission behind a course."""
    local = pl.col("source_created_at").dt.convert_time_zone(str(SCHOOL_TIMEZONE)).dt.date()
    return courses.group_by("application_number").agg(local.max().alias("last_change"))
