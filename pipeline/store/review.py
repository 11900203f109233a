"""The review queue as stored (docs/review.md): held records and their match decisions, the
operators' decisions, and what an unlink takes back from the record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import polars as pl
from sqlalchemy import (
    BindParameter,
    ColumnElement,
    Connection,
    DateTime,
    Select,
    Subquery,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    or_,
    select,
    tuple_,
    type_coerce,
    union_all,
)

from pipeline.models import (
    Course,
    CourseChange,
    MatchDecision,
    ReviewDecision,
    StudentRecord,
    Transmission,
)
from pipeline.store.core import chunks, frame, one_of, stacked, table
from pipeline.store.courses import STUDENT_SCHEMA

# Statuses held for an operator, and the glossary code each stands for.
HELD_CODES = {"review": "A009", "ambiguous": "A002", "not_merged": "A003"}
RETURNED_CODE = "A001"  # unlinked by an operator, back in the queue until decided again
MATCHER_COLUMNS = (
    "student_key", "mident", "student_number", "oen", "surname", "first_name", "middle_name",
    "birth_date", "gender",
)  # fmt: skip

DECISIONS_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "mident": pl.Utf8(),
    "student_number": pl.Utf8(),
    "action": pl.Utf8(),
    "application_number": pl.Utf8(),
    "decided_by": pl.Utf8(),
    "decided_at": pl.Datetime(time_zone="UTC"),
    "reason": pl.Utf8(),
}
QUEUE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "mident": pl.Utf8(),
    "student_number": pl.Utf8(),
    "match_status": pl.Utf8(),
    "application_number": pl.Utf8(),
    "waiting_since": pl.Datetime(time_zone="UTC"),
    "code": pl.Utf8(),
    "total": pl.Int64(),  # held students in all, counted by the same query
    # the latest match decision's
    "candidates": pl.Utf8(),
    "weight": pl.Float64(),
    "evidence": pl.Utf8(),
}
_DECISION_COLUMNS = ("candidates", "weight", "evidence")
_HELD_SCHEMA = {name: kind for name, kind in QUEUE_SCHEMA.items() if name not in _DECISION_COLUMNS}
_LATEST_DECISION_SCHEMA = {
    name: kind for name, kind in QUEUE_SCHEMA.items() if name in ("id", *_DECISION_COLUMNS)
}
# Made once: an alias copies every column of its table.
_LATEST = table(StudentRecord).alias("latest")  # a student's latest record
_OTHER_DECISION = table(MatchDecision).alias("other")

# -- operators' decisions ------------------------------------------------------------------


def decisions_for(conn: Connection, students: pl.DataFrame | None = None) -> pl.DataFrame:
    """Operator decisions (DECISIONS_SCHEMA), oldest first; of these (mident, student_number)."""
    r = table(ReviewDecision)
    columns = [r.c[name] for name in DECISIONS_SCHEMA]
    if students is None:
        return frame(conn, select(*columns).order_by(r.c.id), DECISIONS_SCHEMA)
    keys = students.select("mident", "student_number").unique().rows()
    parts = [
        frame(
            conn,
            select(*columns).where(tuple_(r.c.mident, r.c.student_number).in_(list(part))),
            DECISIONS_SCHEMA,
        )
        for part in chunks(keys)
    ]
    return stacked(parts, DECISIONS_SCHEMA).sort("id")


def record_decision(
    conn: Connection,
    action: str,
    student: dict[str, Any],
    number: str,
    by: str,
    reason: str,
    now: datetime,
    evidence: dict[str, Any] | None,
) -> None:
    """Store an operator's decision: who, when, the reason, the evidence seen."""
    conn.execute(
        table(ReviewDecision)
        .insert()
        .values(
            mident=student["mident"],
            student_number=student["student_number"],
            student_record_id=student.get("student_key"),
            action=action,
            application_number=number,
            decided_by=by.strip(),
            decided_at=now,
            reason=reason.strip(),
            evidence=json.dumps(evidence, ensure_ascii=False) if evidence else None,
        )
    )


# -- the queue -----------------------------------------------------------------------------


# Named as literals: the partial index of the held records (migration 0013) is taken only by a
# query whose condition names these very statuses, which a bound parameter does not.
_HELD_STATUSES: BindParameter[list[str]] = bindparam(
    "held_statuses", list(HELD_CODES), expanding=True, literal_execute=True
)


def _held_records(
    returned: pl.DataFrame, scope: Sequence[str] | None, student: tuple[str, str] | None
) -> Select[Any]:
    """The accepted records held for review (mident, student_number, id, transmission_id), and
    those not matched of the students an unlink returned; only of `scope` or `student`."""
    s = table(StudentRecord)
    columns = (s.c.mident, s.c.student_number, s.c.id, s.c.transmission_id)
    where: list[ColumnElement[bool]] = [s.c.accepted.is_(True)]
    if scope is not None:
        where.append(s.c.mident.in_(list(scope)))
    if student is not None:
        where += [s.c.mident == student[0], s.c.student_number == student[1]]
    held = select(*columns).where(s.c.match_status.in_(_HELD_STATUSES), *where)
    keys = returned.select("mident", "student_number").unique().rows()
    if not keys:
        return held
    neither = or_(s.c.match_status.is_(None), s.c.match_status.not_in([*HELD_CODES, "matched"]))
    back = select(*columns).where(neither, tuple_(s.c.mident, s.c.student_number).in_(keys), *where)
    return select(union_all(held, back).subquery())


def _held_students(
    scope: Sequence[str] | None,
    returned: pl.DataFrame,
    student: tuple[str, str] | None,
    after: tuple[datetime, int] | None,
) -> Subquery:
    """Per held student (of a processed file): its latest held record's `id` and since when it
    waits; only those after `after` (waiting since, record id) in the queue's order."""
    t = table(Transmission)
    records = _held_records(returned, scope, student).subquery("held")
    held = (
        select(
            records.c.mident,
            records.c.student_number,
            func.max(records.c.id).label("id"),
            # Read as the driver gives it (UTC; polars takes a naive time as UTC): the column's
            # own type turned each of 10,000 values into an aware time one by one in Python.
            type_coerce(func.min(t.c.received_at), DateTime(timezone=True)).label("waiting_since"),
        )
        .join(t, t.c.id == records.c.transmission_id)
        .where(t.c.status.in_(["processed", "partially processed"]))
        .group_by(records.c.mident, records.c.student_number)
    )
    if after is not None:
        # As stored: a naive UTC time, compared with a time of the same type.
        since = bindparam(None, after[0].astimezone(UTC).replace(tzinfo=None), type_=DateTime())
        waiting, record_id = func.min(t.c.received_at), func.max(records.c.id)
        held = held.having(or_(waiting > since, and_(waiting == since, record_id > after[1])))
    return held.subquery("per_student")


def _with_latest(students: Subquery | Select[Any]) -> tuple[Select[Any], ColumnElement[str]]:
    """Each student's row of `students` beside its latest record's status and applicant, and
    its code (the expression, to filter on), in the queue's order."""
    rows = students.subquery("page") if isinstance(students, Select) else students
    latest = _LATEST
    code_of = case(
        *((latest.c.match_status == status, held_code) for status, held_code in HELD_CODES.items()),
        else_=RETURNED_CODE,
    )
    joined = select(
        rows.c.id,
        rows.c.mident,
        rows.c.student_number,
        latest.c.match_status,
        latest.c.application_number,
        rows.c.waiting_since,
        code_of.label("code"),
        *([rows.c.total] if "total" in rows.c else []),
    ).join(latest, latest.c.id == rows.c.id)
    return joined.order_by(rows.c.waiting_since, rows.c.id), code_of


def queue_rows(
    conn: Connection,
    scope: Sequence[str] | None,
    code: str | None,
    returned: pl.DataFrame,
    window: tuple[int, int | None] = (0, None),
    student: tuple[str, str] | None = None,
    after: tuple[datetime, int] | None = None,
) -> tuple[pl.DataFrame, int]:
    """The held students (QUEUE_SCHEMA) of `window` (start, limit: all when None), grouped by
    student in one query, with their current match decision (the latest: candidates, weight,
    evidence) read by a second, and how many there are in all.

    `returned`: the operators' unlinks still standing; `student`: only this (MIDENT, number);
    `after`: only those after it in the queue's order (waiting since, record id).
    """
    start, limit = window
    students = _held_students(scope, returned, student, after)
    if code is None and limit is not None:
        # The window first, then the latest records of its students alone: joined before,
        # every held student's was read (PostgreSQL read all the students' index for it).
        window_rows = (
            select(students, func.count().over().label("total"))
            .order_by(students.c.waiting_since, students.c.id)
            .offset(start)
            .limit(limit)
        )
        rows, _ = _with_latest(window_rows)
        shown = frame(conn, rows, _HELD_SCHEMA)
        counted: Select[Any] = select(students)
    else:
        rows, code_of = _with_latest(students)
        if code is not None:
            rows = rows.where(code_of == code)
        if start == 0 and limit is None:
            # All of them, counted as read: the window count, and the sort it needs first, were
            # a third of the query's time with 10,000 held students on SQLite.
            every = frame(conn, rows.add_columns(literal(0).label("total")), _HELD_SCHEMA)
            return _with_decisions(conn, every), every.height
        windowed = rows.add_columns(func.count().over().label("total")).offset(start).limit(limit)
        shown, counted = frame(conn, windowed, _HELD_SCHEMA), rows
    if not shown.is_empty():
        return _with_decisions(conn, shown), int(shown["total"][0])
    total = conn.execute(select(func.count()).select_from(counted.subquery())).scalar_one()
    return _with_decisions(conn, shown), int(total)


def _with_decisions(conn: Connection, held: pl.DataFrame) -> pl.DataFrame:
    """`held` (held students, a window of them) beside each one's latest match decision, read
    by a second query for the records of the window only, in chunks.

    Joined in the same query, PostgreSQL read all the decisions (or, planning for tables it had
    no statistics of, one scan per student); by the records' ids, each is found through the
    index on the record id."""
    found = [
        frame(conn, latest_decisions(conn, part), _LATEST_DECISION_SCHEMA)
        for part in chunks(held["id"].to_list())
    ]
    decisions = stacked(found, _LATEST_DECISION_SCHEMA)
    return held.join(decisions, on="id", how="left", maintain_order="left").select(
        list(QUEUE_SCHEMA)
    )


def latest_decisions(conn: Connection, record_ids: Sequence[int]) -> Select[Any]:
    """The latest match decision of each of these student records (its id as `id`): the highest
    id among the record's decisions, `id + 0` keeping PostgreSQL from reading the decisions
    backwards by id until one is the record's."""
    m, other = table(MatchDecision), _OTHER_DECISION
    latest = (
        select(func.max(other.c.id + 0))
        .where(one_of(conn, other.c.student_record_id, record_ids))
        .group_by(other.c.student_record_id)
    )
    columns = (m.c.student_record_id.label("id"), *(m.c[name] for name in _DECISION_COLUMNS))
    return select(*columns).where(m.c.id.in_(latest))


# -- one student ---------------------------------------------------------------------------


def records_by_id(conn: Connection, record_ids: Sequence[int]) -> pl.DataFrame:
    """Student records (STUDENT_SCHEMA: `student_key` is the record id)."""
    s = table(StudentRecord)
    columns = [s.c.id, *(s.c[name] for name in list(STUDENT_SCHEMA)[1:])]
    query = select(*columns).where(s.c.id.in_(list(record_ids)))
    return frame(conn, query, STUDENT_SCHEMA)


def student_of(conn: Connection, record_id: int) -> tuple[str, str] | None:
    """The MIDENT and student number of a student record."""
    s = table(StudentRecord)
    query = select(s.c.mident, s.c.student_number).where(s.c.id == record_id)
    row = conn.execute(query).first()
    return None if row is None else (str(row.mident), str(row.student_number))


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
    from pipeline.store.applicants import load_applicants  # not needed to list the queue

    return load_applicants(conn, numbers)


def current_decision(conn: Connection, record_id: int) -> tuple[str, str] | None:
    """(status, reason) of the record's latest match decision."""
    m = table(MatchDecision)
    query = (
        select(m.c.status, m.c.reason)
        .where(m.c.student_record_id == record_id)
        .order_by((m.c.id + 0).desc())  # by the record's index, as in _with_decisions
        .limit(1)
    )
    row = conn.execute(query).first()
    return (row[0], row[1]) if row else None


def remove_courses(
    conn: Connection, number: str, student_number: str, records: pl.DataFrame, now: datetime
) -> int:
    """Delete the applicant's courses sent for this student; record each removal."""
    c = table(Course)
    transmissions = records["transmission_id"].unique().to_list()
    query = select(c).where(
        c.c.application_number == number,
        c.c.student_number == student_number,
        c.c.transmission_id.in_(transmissions),
    )
    rows = [dict(row._mapping) for row in conn.execute(query)]
    if not rows:
        return 0
    history = [
        {
            "application_number": number,
            "course_code": row["course_code"],
            "completion_date": row["completion_date"],
            "delivery_type": row["delivery_type"],
            "action": "unlink",
            "old_values": json.dumps(
                {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in row.items()},
                ensure_ascii=False,
            ),
            "new_values": None,
            "transmission_id": row["transmission_id"],
            "changed_at": now,
        }
        for row in rows
    ]
    conn.execute(table(CourseChange).insert(), history)
    conn.execute(delete(c).where(c.c.id.in_([row["id"] for row in rows])))
    return len(rows)
