"""course keys compared byte by byte; courses no longer indexed by school

Every course written goes into the identity index (applicant, course code, completion date,
delivery type), and every course change into the index on its applicant. On PostgreSQL, text
in the database's collation is compared through the C library's locale routines even when
that locale is C.UTF-8; in the "C" collation it is compared as bytes. These are codes (ASCII
letters and digits), so their order and equality are the same either way, and SQLite already
compares them as bytes. 708,343 courses, inserted in random order: 4.6 to 5.5 s in the
database's collation, 3.9 to 4.8 s in "C".

The index on the course's school (MIDENT) served only `ost export courses --mident`; without it
that export reads the table (54 ms for one school among 708,343 courses), and each course
written no longer costs an index entry (3.5 s instead of 4.6 s for the same 708,343 rows).

Both columns of a comparison must share a collation on PostgreSQL, so the course key has it in
both tables (`pipeline.store.deleted_courses` compares them).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

MIDENT_INDEX = "ix_course_mident"
# The course key (docs/merging.md) and its lengths, as in pipeline.models.
KEY_COLUMNS = {
    "application_number": 32,
    "course_code": 6,
    "completion_date": 6,
    "delivery_type": 1,
}
TABLES = ("course", "coursechange")


def _collate(collation: str | None) -> None:
    for table in TABLES:
        for column, length in KEY_COLUMNS.items():
            op.alter_column(
                table,
                column,
                type_=sa.String(length, collation=collation),
                existing_nullable=False,
            )


def upgrade() -> None:
    op.drop_index(MIDENT_INDEX, table_name="course")
    if op.get_bind().dialect.name == "postgresql":
        _collate("C")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _collate(None)
    op.create_index(MIDENT_INDEX, "course", ["mident"], unique=False)
