"""The applicant status report (docs/record.md): per school, its applicants and their grades.

`applicant_status` is the one query behind `ost report applicant-status` and any page that
offers the report; `pipeline.workbook` writes it as an Excel workbook.
"""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from sqlalchemy import Connection, func, select

from pipeline.models import SCHOOL_TIMEZONE, Applicant, CourseChange, Transmission
from pipeline.record import courses_of, matched_records
from pipeline.store import chunks, frame, table
from rules.credits import credits_earned, grade_status

STATUS_COLUMNS = (
    "application_number",
    "surname",
    "first_name",
    "student_number",
    "paid",
    "grade_status",
    "courses",
    "finals",
    "total_credits",
    "last_change",
)
APPLICANT_SCHEMA: dict[str, pl.DataType] = {
    "application_number": pl.Utf8(),
    "first_name": pl.Utf8(),
    "last_name": pl.Utf8(),
    "school_midents": pl.Utf8(),
    "paid": pl.Boolean(),
}


def _applicants(conn: Connection, numbers: Sequence[str], mident: str) -> pl.DataFrame:
    """The applicants who declared the school (`school_midents`) or are among `numbers`."""
    a = table(Applicant)
    columns = [a.c[name] for name in APPLICANT_SCHEMA]
    declared = frame(
        conn, select(*columns).where(a.c.school_midents.contains(mident)), APPLICANT_SCHEMA
    ).filter(pl.col("school_midents").str.split(";").list.contains(mident))
    parts = [
        frame(
            conn, select(*columns).where(a.c.application_number.in_(list(part))), APPLICANT_SCHEMA
        )
        for part in chunks(sorted(set(numbers)))
    ]
    return pl.concat([declared, *parts]).unique("application_number", keep="first")


def _last_changes(conn: Connection, mident: str) -> pl.DataFrame:
    """Per applicant, the creation time of the school's newest transmission that changed
    their record (an insert, update or deletion of a course)."""
    h, t = table(CourseChange), table(Transmission)
    newest = (
        select(h.c.application_number, func.max(t.c.created_at))
        .join(t, t.c.id == h.c.transmission_id)
        .where(t.c.mident == mident)
        .group_by(h.c.application_number)
    )
    schema = {"application_number": pl.Utf8(), "changed_at": pl.Datetime(time_zone="UTC")}
    return frame(conn, newest, schema)


def _course_counts(conn: Connection, mident: str) -> pl.DataFrame:
    """Per applicant, the courses the school sent: how many, how many final, credits earned."""
    return (
        courses_of(conn, mident=mident)
        .group_by("application_number")
        .agg(
            pl.len().cast(pl.Int64).alias("courses"),
            (pl.col("grade_type") == "F").sum().cast(pl.Int64).alias("finals"),
            credits_earned().sum().alias("credit_hundredths"),
        )
    )


def applicant_status(conn: Connection, mident: str) -> pl.DataFrame:
    """One school's applicants: those who declared it and those matched to its students.

    Names are those the school sent for its matched student; an applicant not matched to one
    of its students is named as on the application. Courses, finals, credits and grade status
    count the courses this school sent; `last_change` is the school's local date of its newest
    transmission that changed the applicant's record.
    """
    students = matched_records(conn, mident=mident)
    students = students.unique("application_number", keep="last").select(
        "application_number", "surname", "first_name", "student_number"
    )
    applicants = _applicants(conn, students["application_number"].to_list(), mident)
    local = pl.col("changed_at").dt.convert_time_zone(str(SCHOOL_TIMEZONE)).dt.date()
    joined = (
        applicants.join(students, on="application_number", how="left")
        .join(_course_counts(conn, mident), on="application_number", how="left")
        .join(_last_changes(conn, mident), on="application_number", how="left")
        .with_columns(pl.col("courses", "finals", "credit_hundredths").fill_null(0))
    )
    return joined.select(
        "application_number",
        pl.coalesce("surname", "last_name").alias("surname"),
        pl.coalesce(pl.col("first_name_right"), pl.col("first_name")).alias("first_name"),
        "student_number",
        "paid",
        grade_status(pl.col("courses"), pl.col("finals")).alias("grade_status"),
        "courses",
        "finals",
        (pl.col("credit_hundredths") / 100).alias("total_credits"),
        local.alias("last_change"),
    ).sort(
        pl.col("surname").str.to_lowercase(),
        pl.col("first_name").str.to_lowercase(),
        "application_number",
    )


def applicant_status_by_school(conn: Connection, midents: Sequence[str]) -> dict[str, pl.DataFrame]:
    """The report of each school, in the order asked (a school asked twice appears once)."""
    return {mident: applicant_status(conn, mident) for mident in dict.fromkeys(midents)}
