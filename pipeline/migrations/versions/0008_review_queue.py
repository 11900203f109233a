"""the review queue: operators' decisions, and the evidence of every match decision

Every operator decision on a held student (accept, reject, link, unlink) is kept with who took
it, when, the reason typed and the evidence seen, keyed by the school's MIDENT and student
number so that it holds for the student's later records too. A match decision keeps its total
weight and its evidence field by field (docs/matching.md, docs/review.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "reviewdecision",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("mident", sa.String(length=6), nullable=False),
        sa.Column("student_number", sa.String(length=12), nullable=False),
        sa.Column("student_record_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=8), nullable=False),
        sa.Column("application_number", sa.String(length=32), nullable=False),
        sa.Column("decided_by", sa.String(length=64), nullable=False),
        sa.Column("decided_at", sa.DateTime(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
    )
    op.create_index("ix_reviewdecision_student", "reviewdecision", ["mident", "student_number"])
    with op.batch_alter_table("matchdecision") as batch:
        batch.add_column(sa.Column("weight", sa.Float(), nullable=True))
        batch.add_column(sa.Column("evidence", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("matchdecision") as batch:
        batch.drop_column("evidence")
        batch.drop_column("weight")
    op.drop_index("ix_reviewdecision_student", table_name="reviewdecision")
    op.drop_table("reviewdecision")
