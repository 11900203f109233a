"""accounts of the web console

One row per person who signs in to `ost serve`: an operator, or a school account with the
MIDENTs it may see (a board has several). Passwords are stored only as argon2 hashes.

Two lookups of the console get an index: student records by student number (the applicant
search) and match decisions by application number (the applicant's page).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "consoleuser",
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=64), primary_key=True),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("midents", sqlmodel.sql.sqltypes.AutoString(), nullable=False, server_default=""),
        sa.Column("password_hash", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("disabled", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("password_changed_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    )
    op.create_index("ix_studentrecord_student_number", "studentrecord", ["student_number"])
    op.create_index("ix_matchdecision_application_number", "matchdecision", ["application_number"])


def downgrade() -> None:
    op.drop_index("ix_matchdecision_application_number", table_name="matchdecision")
    op.drop_index("ix_studentrecord_student_number", table_name="studentrecord")
    op.drop_table("consoleuser")
