"""applicants with blank names or birth date; transmissions count their interrupted attempts

An applicant needs only one name and an application number: the first name, last name and
birth date may be blank (null). A transmission counts the attempts that never ended because
the process died, so that one that kills the process every time can be set aside.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OPTIONAL = (("first_name", sa.String(length=60)), ("last_name", sa.String(length=60)))


def upgrade() -> None:
    with op.batch_alter_table("applicant") as batch:
        for name, kind in OPTIONAL:
            batch.alter_column(name, existing_type=kind, nullable=True)
        batch.alter_column("birth_date", existing_type=sa.Date(), nullable=True)
    with op.batch_alter_table("transmission") as batch:
        batch.add_column(
            sa.Column("interrupted_attempts", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("transmission") as batch:
        batch.drop_column("interrupted_attempts")
    op.execute("DELETE FROM applicant WHERE first_name IS NULL OR last_name IS NULL")
    op.execute("DELETE FROM applicant WHERE birth_date IS NULL")
    with op.batch_alter_table("applicant") as batch:
        for name, kind in OPTIONAL:
            batch.alter_column(name, existing_type=kind, nullable=False)
        batch.alter_column("birth_date", existing_type=sa.Date(), nullable=False)
