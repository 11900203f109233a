"""applicant names indexed by their lowered beginning; student records by applicant and by
school with their match status

The console finds applicants by the beginnings of their names (docs/console.md). Each name
(first, middle, last, previous last) is indexed lowered, so that the applicants whose name
begins with a word are a range of the index rather than a read of every applicant. On
PostgreSQL the index is in the "C" collation, where the range of a prefix is exactly the texts
that begin with it (the database's own collation may order punctuation and accents apart).

The applicant's record reads the matched student records of one applicant, and a school's
search its own matched students. SQLite keeps no statistics: between the index on the match
status and the one on the applicant, it took the first and read every matched student
(150,000 students: 107,121 matched) for each record shown. An index on both columns, and one on
the school and the status, are the longer match and the one it takes.

No index leads with the match status and another column: SQLite would take it for the record's
read too (two columns against two), and read every matched student again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

NAME_COLUMNS = ("last_name", "first_name", "middle_name", "previous_last_name")
STUDENT_INDEXES = {
    "ix_studentrecord_applicant_match": ["application_number", "match_status"],
    "ix_studentrecord_school_match": ["mident", "match_status"],
}


def index_name(column: str) -> str:
    return f"ix_applicant_{column}_lowered"


def upgrade() -> None:
    collation = ' COLLATE "C"' if op.get_bind().dialect.name == "postgresql" else ""
    for column in NAME_COLUMNS:
        expression = sa.text(f"(lower({column}){collation})")
        op.create_index(index_name(column), "applicant", [expression], unique=False)
    for name, columns in STUDENT_INDEXES.items():
        op.create_index(name, "studentrecord", columns, unique=False)


def downgrade() -> None:
    for name in STUDENT_INDEXES:
        op.drop_index(name, table_name="studentrecord")
    for column in NAME_COLUMNS:
        op.drop_index(index_name(column), table_name="applicant")
