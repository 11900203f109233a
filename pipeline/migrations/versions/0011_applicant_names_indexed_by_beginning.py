"""applicant names indexed by their lowered beginning

The console finds applicants by the beginnings of their names (docs/console.md). Each name
(first, middle, last, previous last) is indexed lowered, so that the applicants whose name
begins with a word are a range of the index rather than a read of every applicant. On
PostgreSQL the index is in the "C" collation, where the range of a prefix is exactly the texts
that begin with it (the database's own collation may order punctuation and accents apart).

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


def index_name(column: str) -> str:
    return f"ix_applicant_{column}_lowered"


def upgrade() -> None:
    collation = ' COLLATE "C"' if op.get_bind().dialect.name == "postgresql" else ""
    for column in NAME_COLUMNS:
        expression = sa.text(f"(lower({column}){collation})")
        op.create_index(index_name(column), "applicant", [expression], unique=False)


def downgrade() -> None:
    for column in NAME_COLUMNS:
        op.drop_index(index_name(column), table_name="applicant")
