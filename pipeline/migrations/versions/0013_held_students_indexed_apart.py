"""held student records indexed apart, with what the review queue groups them by

The review queue groups the held records (under review, ambiguous, not merged) by school and
student number and reads each one's transmission. Found through the index on the match status,
each of them was also read from the table: a few thousand reads of wide rows scattered among
the 150,000 students of a provincial batch, half the queue's time. This index holds only the
held records (a partial index), with every column the grouping needs, so that the queue reads
the index alone.

It leads with the match status, as the plain index on the status does, so that SQLite, which
plans without statistics, takes it for the held statuses (the same condition, and every column
in the index). Being partial, it is never taken for a read of other statuses (the applicant's
record reads the matched ones, revision 0012): a query uses it only when its own condition
names exactly these statuses.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

NAME = "ix_studentrecord_held_students"
# The statuses as pipeline.store.review.HELD_CODES has them; the query names them as literals.
HELD = sa.text("match_status IN ('review', 'ambiguous', 'not_merged')")
COLUMNS = ["match_status", "mident", "student_number", "accepted", "transmission_id", "id"]


def upgrade() -> None:
    op.create_index(
        NAME, "studentrecord", COLUMNS, unique=False, sqlite_where=HELD, postgresql_where=HELD
    )


def downgrade() -> None:
    op.drop_index(NAME, table_name="studentrecord")
