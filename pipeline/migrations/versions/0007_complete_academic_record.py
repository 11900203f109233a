"""the complete academic record: the student's S1 facts and each course's own school

docs/record.md: admissions staff read the graduation status and OSSD issue date, the literacy
and community involvement requirements and the SHSM sector of the latest accepted S1 record,
and, for each course, the school where it was taken (course MIDENT), the supplier school and
the course title beside the course type and notes already kept.

Student records gain the five S1 facts (null where not reported or ignored, S007 and S008).
Courses gain `course_mident`, `supplier_mident` and `course_title`, filled for the courses
already on record from the grade record that last changed them; a course without one keeps
the sending school as the school where it was taken, as it was shown before.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

STUDENT_FACTS = {
    "community_involvement": sa.String(1),
    "literacy_requirement": sa.String(1),
    "grad_status": sa.String(1),
    "ossd_issue_date": sa.Date(),
    "shsm_sector": sa.String(3),
}
COURSE_FACTS = {"course_mident": 6, "supplier_mident": 6, "course_title": 40}
KEY = ("course_code", "completion_date", "delivery_type")


def _from_grade_record(column: str, collate: str) -> str:
    """The course's value of `column` in the accepted grade record that last changed it."""
    match = " AND ".join(f"g.{name}{collate} = course.{name}" for name in KEY)
    value = (
        "CASE WHEN TRIM(g.course_mident) IN ('', '000000') THEN course.mident "
        "ELSE g.course_mident END"
        if column == "course_mident"
        else f"TRIM(g.{column})"
    )
    return (
        f"(SELECT {value} FROM graderecord g JOIN studentrecord s ON s.id = g.student_record_id "
        f"WHERE g.transmission_id = course.transmission_id AND g.accepted "
        f"AND s.student_number = course.student_number AND {match} "
        f"ORDER BY g.line DESC LIMIT 1)"
    )


def _fill_courses() -> None:
    collate = ' COLLATE "C"' if op.get_bind().dialect.name == "postgresql" else ""
    fallback = {"course_mident": "course.mident", "supplier_mident": "''", "course_title": "''"}
    assignments = ", ".join(
        f"{column} = COALESCE({_from_grade_record(column, collate)}, {fallback[column]})"
        for column in COURSE_FACTS
    )
    op.execute(f"UPDATE course SET {assignments}")


def upgrade() -> None:
    with op.batch_alter_table("studentrecord") as batch:
        for name, type_ in STUDENT_FACTS.items():
            batch.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table("course") as batch:
        for name, length in COURSE_FACTS.items():
            batch.add_column(sa.Column(name, sa.String(length), nullable=False, server_default=""))
    _fill_courses()


def downgrade() -> None:
    with op.batch_alter_table("course") as batch:
        for name in COURSE_FACTS:
            batch.drop_column(name)
    with op.batch_alter_table("studentrecord") as batch:
        for name in STUDENT_FACTS:
            batch.drop_column(name)
