"""The academic record (docs/record.md): courses, S1 facts, credits, grade status, from the
courses and matched S1 records the store reads (`pipeline.store.applicants`)."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline.models import SCHOOL_TIMEZONE
from pipeline.store.applicants import courses_of, matched_records
from rules.credits import credits_column, record_totals
from rules.students import STUDENT_FACTS

if TYPE_CHECKING:
    from pipeline.database import Connection


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
