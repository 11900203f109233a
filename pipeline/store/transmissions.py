"""Transmissions: their receipt, status and summary."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from pipeline.models import (
    UNFINISHED_STATUSES,
    GradeRecord,
    MatchDecision,
    MergeFinding,
    StudentRecord,
    Transmission,
)
from pipeline.store.core import table

# -- transmissions ---------------------------------------------------------------------------


def previous_receipt(conn: Connection, sha256: str, file_name: str) -> Transmission | None:
    """The first transmission with these exact bytes, arriving as `file_name`, that is not
    itself a duplicate.

    A rejected one counts only under the same name: F007 rejects a file for its name, and the
    same bytes renamed as F007 asks must be processed. The same file seen again (by a run after
    a crash, say) is still a duplicate; one rejected as too large (F010) is replayed from the
    archive once the limit is raised.
    """
    t = table(Transmission)
    renamed = (t.c.status == "rejected") & (t.c.file_name != file_name)
    receipts = select(t).where(t.c.sha256 == sha256, t.c.status != "duplicate", ~renamed)
    row = conn.execute(receipts.order_by(t.c.id).limit(1)).first()
    return Transmission(**row._mapping) if row else None


def add_transmission(conn: Connection, values: dict[str, Any]) -> int:
    result = conn.execute(insert(table(Transmission)).values(**values))
    key = result.inserted_primary_key
    assert key is not None
    return int(key[0])


def update_transmission(conn: Connection, transmission_id: int, values: dict[str, Any]) -> None:
    t = table(Transmission)
    conn.execute(update(t).where(t.c.id == transmission_id).values(**values))


def unfinished_transmissions(conn: Connection) -> list[int]:
    t = table(Transmission)
    statement = select(t.c.id).where(t.c.status.in_(UNFINISHED_STATUSES)).order_by(t.c.id)
    return [int(row) for row in conn.execute(statement).scalars()]


def get_transmission(conn: Connection, transmission_id: int) -> Transmission | None:
    t = table(Transmission)
    row = conn.execute(select(t).where(t.c.id == transmission_id)).first()
    return Transmission(**row._mapping) if row else None


def clear_records(conn: Connection, transmission_id: int) -> None:
    """Forget the records of an earlier attempt at this transmission (replay)."""
    for model in (MergeFinding, GradeRecord):
        conn.execute(delete(table(model)).where(table(model).c.transmission_id == transmission_id))
    decisions, students = table(MatchDecision), table(StudentRecord)
    own = select(students.c.id).where(students.c.transmission_id == transmission_id)
    conn.execute(delete(decisions).where(decisions.c.student_record_id.in_(own)))
    conn.execute(delete(students).where(students.c.transmission_id == transmission_id))


def summary_of(transmission: Transmission) -> dict[str, Any]:
    return json.loads(transmission.summary_json) if transmission.summary_json else {}
