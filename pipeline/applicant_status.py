"""The applicant status report (docs/record.md): per school, its applicants and their grades.

`applicant_status` is the one query behind `ost report applicant-status` and any page that
offers the report; `pipeline.workbook` writes it as an Excel workbook.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import polars as pl

from pipeline.models import SCHOOL_TIMEZONE
from pipeline.store.applicants import (
    applicants_of_school,
    courses_of,
    matched_records,
    school_last_changes,
)
from rules.credits import credits_earned, grade_status

if TYPE_CHECKING:
    from pipeline.database import Connection

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


def _course_counts(conn: Connection, mident: str, numbers: Sequence[str]) -> pl.DataFrame:
    """Per applicant of `numbers`, the courses the school sent: how many, how many final,
    credits earned (courses are indexed by applicant; the school is filtered after)."""
    return (
        courses_of(conn, application_numbers=numbers)
        .filter(pl.col("mident") == mident)
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
    applicants = applicants_of_school(conn, students["application_number"].to_list(), mident)
    numbers = applicants["application_number"].to_list()
    local = pl.col("changed_at").dt.convert_time_zone(str(SCHOOL_TIMEZONE)).dt.date()
    joined = (
        applicants.join(students, on="application_number", how="left")
        .join(_course_counts(conn, mident, numbers), on="application_number", how="left")
        .join(school_last_changes(conn, mident, numbers), on="application_number", how="left")
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
