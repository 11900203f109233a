"""Read-only views for operators: history, one applicant, the course export (docs/commands.md)."""

from __future__ import annotations

from typing import Any

import polars as pl

from pipeline.database import Connection
from pipeline.record import academic_record
from pipeline.store.applicants import (
    applicant_row,
    courses_of,
    match_reasons,
    matched_records,
    students_of,
)

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


def applicant_view(conn: Connection, application_number: str) -> dict[str, Any] | None:
    """An applicant with their courses and the student records matched to them."""
    row = applicant_row(conn, application_number)
    if row is None:
        return None
    applicant = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}
    record = academic_record(conn, application_number)
    students = students_of(conn, application_number)
    reasons = match_reasons(conn, application_number)
    courses = record.pop("courses")
    return {
        "applicant": applicant,
        "record": record,
        "courses": courses,
        "students": [{**r, "reason": reasons.get(r["id"])} for r in students],
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
