"""student records no longer indexed by match status, acceptance, school and number

An earlier form of revision 0011 created that index, for the review queue. SQLite keeps no
statistics: it took the index for reading an applicant's matched students too (the match status
and acceptance, two columns, against the applicant and match status of
ix_studentrecord_applicant_match) and read every matched student for each record shown. A
database migrated with that form loses the index here; the queue finds its held records through
ix_student_record_match.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute("DROP INDEX IF EXISTS ix_studentrecord_held")


def downgrade() -> None:
    pass  # nothing to restore: the index was only ever a slower plan
