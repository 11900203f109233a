"""The review queue, read: held students and their candidates (docs/review.md).

Plain functions over a database engine, for the command line and the web console alike. Each
takes `scope`: the MIDENTs whose students the caller may see (None = every school).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Engine, Select, and_, case, func, or_, select, tuple_

from pipeline.models import MatchDecision, StudentRecord, Transmission
from pipeline.operator_decisions import decisions_for, exclusions, links
from pipeline.review_rows import applicants_by_number, current_decision, students_by_id
from pipeline.store import frame, table

# Statuses held for an operator, and the glossary code each stands for.
HELD_CODES = {"review": "A009", "ambiguous": "A002", "not_merged": "A003"}
RETURNED_CODE = "A001"  # unlinked by an operator, back in the queue until decided again


@dataclass(frozen=True)
class Candidate:
    """An applicant proposed for a held student, with the total weight of its evidence."""

    application_number: str
    weight: float | None


@dataclass(frozen=True)
class QueueItem:
    """A held student: its record `id`, school, number, code, since when, its candidates."""

    id: int
    mident: str
    student_number: str
    code: str
    waiting_since: datetime
    candidates: list[Candidate] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "mident": self.mident,
            "student_number": self.student_number,
            "code": self.code,
            "waiting_since": self.waiting_since.isoformat(),
            "candidates": [
                {"application_number": c.application_number, "weight": c.weight}
                for c in self.candidates
            ],
        }


_QUEUE_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "mident": pl.Utf8(),
    "student_number": pl.Utf8(),
    "match_status": pl.Utf8(),
    "application_number": pl.Utf8(),
    "waiting_since": pl.Datetime(time_zone="UTC"),
    "code": pl.Utf8(),
    "total": pl.Int64(),  # held students in all, counted by the same query
}
_DECISION_SCHEMA: dict[str, pl.DataType] = {
    "student_record_id": pl.Int64(),
    "candidates": pl.Utf8(),
    "weight": pl.Float64(),
    "evidence": pl.Utf8(),
}


def _held_condition(returned: pl.DataFrame) -> ColumnElement[bool]:
    """A record held for review, or one not matched of a student an unlink returned."""
    s = table(StudentRecord)
    held = s.c.match_status.in_(list(HELD_CODES))
    keys = returned.select("mident", "student_number").unique().rows()
    if not keys:
        return held
    back = s.c.match_status.is_distinct_from("matched")
    return or_(held, and_(back, tuple_(s.c.mident, s.c.student_number).in_(keys)))


def _queue_rows(
    scope: Sequence[str] | None,
    code: str | None,
    returned: pl.DataFrame,
    student: tuple[str, str] | None,
) -> Select[Any]:
    """Per student, its latest held record (accepted, of a processed file), its code and
    since when it waits, oldest first."""
    s, t = table(StudentRecord), table(Transmission)
    held = (
        select(
            s.c.mident,
            s.c.student_number,
            func.max(s.c.id).label("id"),
            func.min(t.c.received_at).label("waiting_since"),
        )
        .join(t, t.c.id == s.c.transmission_id)
        .where(
            s.c.accepted.is_(True),
            t.c.status.in_(["processed", "partially processed"]),
            _held_condition(returned),
        )
        .group_by(s.c.mident, s.c.student_number)
    )
    if scope is not None:
        held = held.where(s.c.mident.in_(list(scope)))
    if student is not None:
        held = held.where(s.c.mident == student[0], s.c.student_number == student[1])
    per_student = held.subquery()
    latest = s.alias("latest")
    code_of = case(
        *((latest.c.match_status == status, held_code) for status, held_code in HELD_CODES.items()),
        else_=RETURNED_CODE,
    )
    rows = select(
        per_student.c.id,
        per_student.c.mident,
        per_student.c.student_number,
        latest.c.match_status,
        latest.c.application_number,
        per_student.c.waiting_since,
        code_of.label("code"),
    ).join(latest, latest.c.id == per_student.c.id)
    if code is not None:
        rows = rows.where(code_of == code)
    return rows.order_by(per_student.c.waiting_since, per_student.c.id)


def _latest_decisions(conn: Any, held: Sequence[int]) -> pl.DataFrame:
    """The current match decision (the latest) of each of these records, in one query."""
    m = table(MatchDecision)
    latest = (
        select(func.max(m.c.id))
        .where(m.c.student_record_id.in_(list(held)))
        .group_by(m.c.student_record_id)
    )
    query = select(m.c.student_record_id, m.c.candidates, m.c.weight, m.c.evidence).where(
        m.c.id.in_(latest)
    )
    return frame(conn, query, _DECISION_SCHEMA)


_BEATEN = pl.Struct(
    {"beaten": pl.List(pl.Struct({"application_number": pl.String, "weight": pl.Float64}))}
)


def _candidate_lists(rows: pl.DataFrame) -> list[list[tuple[str, float | None]]]:
    """Per row: the decision's applicant, the tied ones, those beaten, with their weights."""
    beaten = rows.select(
        pl.col("evidence").fill_null("{}").str.json_decode(_BEATEN).struct.field("beaten")
    ).to_series()
    result = []
    for row, others in zip(rows.iter_rows(named=True), beaten.to_list(), strict=True):
        found: dict[str, float | None] = {}
        if row["application_number"]:
            found[row["application_number"]] = row["weight"]
        for number in (row["candidates"] or "").split(";"):
            if number:
                found.setdefault(number, None)
        for other in others or []:
            found.setdefault(other["application_number"], other["weight"])
        result.append(
            sorted(found.items(), key=lambda item: -(item[1] if item[1] is not None else -1e9))
        )
    return result


@dataclass(frozen=True)
class QueuePage:
    """Some of the held students, from `start` (0-based), and how many there are in all."""

    items: list[QueueItem]
    start: int
    total: int


def review_queue(
    engine: Engine, scope: Sequence[str] | None = None, code: str | None = None
) -> list[QueueItem]:
    """The held students, oldest first: one item per student (its latest held record).

    `code`: only the students held with this glossary code (A001, A002, A003, A009).
    """
    return review_queue_page(engine, scope, code).items


def review_queue_page(
    engine: Engine,
    scope: Sequence[str] | None = None,
    code: str | None = None,
    start: int = 0,
    limit: int | None = None,
    student: tuple[str, str] | None = None,
) -> QueuePage:
    """`limit` held students of `review_queue` from the `start`th (all when None), or the one
    `student` (MIDENT, number). Only the students shown are read, with their candidates."""
    with engine.connect() as conn:
        operator = decisions_for(conn)
        returned = operator.filter(pl.col("action") == "unlink").join(
            links(operator).select("mident", "student_number"),
            on=["mident", "student_number"],
            how="anti",
        )
        rows = _queue_rows(scope, code, returned, student)
        counted = rows.add_columns(func.count().over().label("total"))
        shown = frame(conn, counted.offset(start).limit(limit), _QUEUE_SCHEMA)
        if shown.is_empty():
            total = conn.execute(select(func.count()).select_from(rows.subquery())).scalar_one()
            return QueuePage([], start, total)
        total = int(shown["total"][0])
        decisions = _latest_decisions(conn, shown["id"].to_list())
    shown = shown.join(decisions, left_on="id", right_on="student_record_id", how="left")
    rejected = _rejected_by_student(operator)
    items = []
    for row, found in zip(shown.iter_rows(named=True), _candidate_lists(shown), strict=True):
        gone = rejected.get((row["mident"], row["student_number"]), set())
        items.append(
            QueueItem(
                id=row["id"],
                mident=row["mident"],
                student_number=row["student_number"],
                code=row["code"],
                waiting_since=row["waiting_since"],
                candidates=[Candidate(n, w) for n, w in found if n not in gone],
            )
        )
    return QueuePage(items, start, total)


def _rejected_by_student(operator: pl.DataFrame) -> dict[tuple[str, str], set[str]]:
    found: dict[tuple[str, str], set[str]] = {}
    for mident, number, application in exclusions(operator).iter_rows():
        found.setdefault((mident, number), set()).add(application)
    return found


@dataclass(frozen=True)
class FieldRow:
    """One field of a student beside one candidate: both values, the level and its weight."""

    field: str
    student: str | None
    applicant: str | None
    level: str
    weight: float
    differs: bool


@dataclass(frozen=True)
class CandidateCase:
    application_number: str
    weight: float
    fields: list[FieldRow]


@dataclass(frozen=True)
class ReviewCase:
    """A held student beside its candidates, field by field (`ost review show`)."""

    item: QueueItem
    student: dict[str, str | None]
    status: str | None
    reason: str | None
    candidates: list[CandidateCase]

    def as_json(self) -> dict[str, Any]:
        return {
            **self.item.as_json(),
            "status": self.status,
            "reason": self.reason,
            "student": self.student,
            "candidates": [
                {
                    "application_number": c.application_number,
                    "weight": round(c.weight, 2),
                    "fields": [vars(f) for f in c.fields],
                }
                for c in self.candidates
            ],
        }


def _student_of(engine: Engine, record_id: int) -> tuple[str, str] | None:
    """The MIDENT and student number of a student record."""
    s = table(StudentRecord)
    query = select(s.c.mident, s.c.student_number).where(s.c.id == record_id)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    return None if row is None else (str(row.mident), str(row.student_number))


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def review_case(
    engine: Engine, record_id: int, scope: Sequence[str] | None = None
) -> ReviewCase | None:
    """One held student (by its queue id) beside each candidate; None when not in the queue."""
    key = _student_of(engine, record_id)
    if key is None:
        return None
    queued = review_queue_page(engine, scope, student=key).items
    item = next((i for i in queued if i.id == record_id), None)
    if item is None:
        return None
    with engine.connect() as conn:
        students = students_by_id(conn, [record_id])
        numbers = [c.application_number for c in item.candidates]
        applicants = applicants_by_number(conn, numbers)
        current = current_decision(conn, record_id)
    from matching.explain import compare_pairs  # the matcher, only to show one student

    comparison = compare_pairs(students, applicants)
    cases = []
    for number in numbers:
        rows = comparison.filter(pl.col("application_number") == number)
        if rows.is_empty():
            continue
        fields = [FieldRow(**r) for r in rows.select(list(FieldRow.__annotations__)).to_dicts()]
        cases.append(CandidateCase(number, float(rows["total"][0]), fields))
    student = {k: _text(v) for k, v in students.drop("student_key").row(0, named=True).items()}
    status, reason = current if current else (None, None)
    return ReviewCase(item, student, status, reason, cases)
