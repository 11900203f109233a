"""Ids of the sample data for the console tests: whose school each belongs to."""

from __future__ import annotations

from sqlalchemy import Engine, select

from pipeline.models import StudentRecord, Transmission
from pipeline.store import table


def transmission_id(engine: Engine, mident: str) -> int:
    """The school's first transmission (its sample file)."""
    t = table(Transmission)
    query = select(t.c.id).where(t.c.mident == mident).order_by(t.c.id).limit(1)
    with engine.connect() as conn:
        return int(conn.execute(query).scalar_one())


def held_record_id(engine: Engine) -> int:
    """The queue id of the held student of the samples."""
    from pipeline.review import review_queue

    [item] = review_queue(engine)
    return item.id


def merged_applicants(engine: Engine, mident: str) -> set[str]:
    """Application numbers that students of this school were merged into."""
    s = table(StudentRecord)
    query = select(s.c.application_number).where(
        s.c.mident == mident, s.c.match_status == "matched"
    )
    with engine.connect() as conn:
        return {str(n) for n in conn.execute(query).scalars()}


def applicant_only_of(engine: Engine, mident: str, others: list[str]) -> str:
    """An applicant merged from this school and from none of the others."""
    theirs = merged_applicants(engine, mident)
    for other in others:
        theirs -= merged_applicants(engine, other)
    return sorted(theirs)[0]
