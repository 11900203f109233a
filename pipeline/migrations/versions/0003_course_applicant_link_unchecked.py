"""courses without a per-row check of their applicant

A course is written only by the ingest, only for an applicant it matched from the applicant
table in the same transaction, and applicants are never deleted (the import only inserts and
updates them). The per-row check cost more than the rest of the write: on PostgreSQL each
checked row also locks its applicant row (708,343 courses: 9.5 s with the check, 4.2 s
without). The link is kept by the ingest, like the links of migration 0002.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

POSTGRESQL_NAME = "course_application_number_fkey"
SQLITE_NAME = "fk_course_application_number_applicant"
# SQLite keeps foreign keys unnamed: batch mode names them by this convention to drop them.
SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.drop_constraint(POSTGRESQL_NAME, "course", type_="foreignkey")
        return
    with op.batch_alter_table("course", naming_convention=SQLITE_NAMES) as batch:
        batch.drop_constraint(SQLITE_NAME, type_="foreignkey")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    with op.batch_alter_table("course") as batch:
        batch.create_foreign_key(
            POSTGRESQL_NAME if postgresql else SQLITE_NAME,
            "applicant",
            ["application_number"],
            ["application_number"],
        )
