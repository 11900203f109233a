"""bulk tables without per-row foreign-key checks

A transmission's grade records, courses and course changes are written (COPY on PostgreSQL) in
the same transaction as the transmission and student records they point to, by the ingest only.
A foreign-key check per row made that COPY about four times slower (200,000 grade records:
3.9 s against 1.0 s), so these links are kept by the ingest's transaction instead. A course's
link to its applicant stays checked by the database.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# (table, [(column, referred table)]): the links written in bulk by the ingest.
LINKS = (
    ("graderecord", [("transmission_id", "transmission"), ("student_record_id", "studentrecord")]),
    ("course", [("transmission_id", "transmission")]),
    ("coursechange", [("transmission_id", "transmission")]),
)
# SQLite keeps foreign keys unnamed: batch mode names them by this convention to drop them.
SQLITE_NAMES = {"fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s"}


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, links in LINKS:
        if postgresql:
            for column, _referred in links:
                op.drop_constraint(f"{table}_{column}_fkey", table, type_="foreignkey")
            continue
        with op.batch_alter_table(table, naming_convention=SQLITE_NAMES) as batch:
            for column, referred in links:
                batch.drop_constraint(f"fk_{table}_{column}_{referred}", type_="foreignkey")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for table, links in LINKS:
        with op.batch_alter_table(table) as batch:
            for column, referred in links:
                name = f"{table}_{column}_fkey" if postgresql else f"fk_{table}_{column}_{referred}"
                batch.create_foreign_key(name, referred, [column], ["id"])
