"""Rows the review queue reads and writes beside the queue itself (docs/review.md)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl
from sqlalchemy import Connection, select

from pipeline.models import MatchDecision, StudentRecord
from pipeline.store import STUDENT_SCHEMA, frame, load_applicants, table

MATCHER_COLUMNS = (
    "student_key", "mident", "student_number", "oen", "surname", "first_name", "middle_name",
    "birth_date", "gender",
)  # fmt: skip


def records_by_id(conn: Connection, record_ids: Sequence[int]) -> pl.DataFrame:
    """Student records (STUDENT_SCHEMA: `student_key` is the record id)."""
    s = table(StudentRecord)
    columns = [s.c.id, *(s.c[name] for name in list(STUDENT_SCHEMA)[1:])]
    query = select(*columns).where(s.c.id.in_(list(record_ids)))
    return frame(conn, query, STUDENT_SCHEMA)


def students_by_id(conn: Connection, record_ids: Sequence[int]) -> pl.DataFrame:
    """Student records in the matcher's input columns."""
    return records_by_id(conn, record_ids).select(MATCHER_COLUMNS)


def unmatched_records_of(conn: Connection, mident: str, student_number: str) -> pl.DataFrame:
    """The accepted records of one student whose courses are held (STUDENT_SCHEMA)."""
    s = table(StudentRecord)
    query = select(s.c.id).where(
        s.c.mident == mident,
        s.c.student_number == student_number,
        s.c.accepted.is_(True),
        s.c.match_status.is_distinct_from("matched"),
    )
    ids = [row[0] for row in conn.execute(query)]
    return records_by_id(conn, ids) if ids else pl.DataFrame(schema=STUDENT_SCHEMA)


def matched_records_of(conn: Connection, mident: str, student_number: str) -> pl.DataFrame:
    """The records of one student merged into an applicant (STUDENT_SCHEMA)."""
    s = table(StudentRecord)
    query = select(s.c.id).where(
        s.c.mident == mident, s.c.student_number == student_number, s.c.match_status == "matched"
    )
    ids = [row[0] for row in conn.execute(query)]
    return records_by_id(conn, ids) if ids else pl.DataFrame(schema=STUDENT_SCHEMA)


def applicants_by_number(conn: Connection, numbers: Sequence[str]) -> pl.DataFrame:
    """These applicants, in the matcher's input schema."""
    return load_applicants(conn, numbers)


def current_decision(conn: Connection, record_id: int) -> tuple[str, str] | None:
    """(status, reason) of the record's latest match decision."""
    m = table(MatchDecision)
    query = (
        select(m.c.status, m.c.reason)
        .where(m.c.student_record_id == record_id)
        .order_by(m.c.id.desc())
        .limit(1)
    )
    row = conn.execute(query).first()
    return (row[0], row[1]) if row else None
