"""The review queue, read: held students and their candidates (docs/review.md).

Plain functions over a database engine, for the command line and the web console alike. Each
takes `scope`: the MIDENTs whose students the caller may see (None = every school).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import partial
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline.operator_decisions import exclusions, returned
from pipeline.review_comparisons import COMPARISONS, Pass, compared, comparison_key
from pipeline.store.review import (
    applicants_by_number,
    current_decision,
    decisions_for,
    queue_rows,
    student_of,
    students_by_id,
)

if TYPE_CHECKING:
    from pipeline.database import Connection, Engine


@dataclass(frozen=True, slots=True)  # slots: a long queue makes tens of thousands
class Candidate:
    """An applicant proposed for a held student, with the total weight of its evidence."""

    application_number: str
    weight: float | None


@dataclass(frozen=True, slots=True)
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


_BEATEN = pl.Struct(
    {"beaten": pl.List(pl.Struct({"application_number": pl.String, "weight": pl.Float64}))}
)


def _candidates(rows: pl.DataFrame, rejected: pl.DataFrame) -> pl.DataFrame:
    """Per row of `rows` (`row`: its position), `number` and `weight`: the applicants proposed
    for it, heaviest first (unknown weights last), each once: the decision's own applicant, the
    tied ones, then those beaten (an applicant's first mention gives its weight), without the
    ones an operator rejected (`rejected`: mident, student_number, application_number)."""
    keys = (pl.int_range(pl.len(), dtype=pl.UInt32).alias("row"), "mident", "student_number")
    beaten = pl.col("evidence").fill_null("{}").str.json_decode(_BEATEN).struct.field("beaten")
    found = pl.concat(
        [
            rows.select(*keys, "application_number", "weight"),
            rows.select(
                *keys,
                application_number=pl.col("candidates").fill_null("").str.split(";"),
                weight=pl.lit(None, pl.Float64),
            ).explode("application_number"),
            rows.select(*keys, beaten=beaten).explode("beaten").unnest("beaten"),
        ]
    )
    proposed = found.filter(
        pl.col("application_number").is_not_null(), pl.col("application_number") != ""
    ).unique(["row", "application_number"], keep="first", maintain_order=True)
    if not rejected.is_empty():
        proposed = proposed.join(
            rejected,
            on=["mident", "student_number", "application_number"],
            how="anti",
            maintain_order="left",
        )
    return (
        proposed.sort(
            "row", pl.col("weight").fill_null(-1e9), descending=[False, True], maintain_order=True
        )
        .group_by("row", maintain_order=True)
        .agg(number="application_number", weight="weight")
    )


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
        return _queue_page(conn, scope, code, (start, limit), student)


def _queue_page(
    conn: Connection,
    scope: Sequence[str] | None,
    code: str | None,
    window: tuple[int, int | None],
    student: tuple[str, str] | None,
    after: tuple[datetime, int] | None = None,
) -> QueuePage:
    # One student's queue entry depends on that student's decisions alone.
    mine = (
        None
        if student is None
        else pl.DataFrame([student], ["mident", "student_number"], orient="row")
    )
    operator = decisions_for(conn, mine)
    shown, total = queue_rows(conn, scope, code, returned(operator), window, student, after)
    start = window[0]
    if shown.is_empty():
        return QueuePage([], start, total)
    found = _candidates(shown, exclusions(operator))
    shown_columns = ["id", "mident", "student_number", "code", "waiting_since"]
    proposed = (
        shown.select(shown_columns)
        .with_row_index("row")
        .join(found, on="row", how="left", maintain_order="left")
    )
    columns = [*shown_columns, "number", "weight"]
    items = [
        QueueItem(
            record_id,
            mident,
            student_number,
            held_code,
            since,
            [Candidate(n, w) for n, w in zip(names or (), weights or (), strict=True)],
        )
        for record_id, mident, student_number, held_code, since, names, weights in zip(
            *(proposed[name].to_list() for name in columns), strict=True
        )
    ]
    return QueuePage(items, start, total)


@dataclass(frozen=True)
class FieldRow:
    """One field of a student beside one candidate: both values, the level and its weight."""

    field: str
    student: str | None
    applicant: str | None
    level: str
    weight: float
    differs: bool


_FIELD_ROW = tuple(FieldRow.__annotations__)


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


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return value.isoformat() if isinstance(value, date) else str(value)


def review_item(
    engine: Engine, record_id: int, scope: Sequence[str] | None = None
) -> QueueItem | None:
    """The held student `record_id` as the queue lists it; None when it is not in the queue."""
    with engine.connect() as conn:
        return _queued(conn, record_id, scope)


def _queued(conn: Connection, record_id: int, scope: Sequence[str] | None) -> QueueItem | None:
    key = student_of(conn, record_id)
    if key is None:
        return None
    queued = _queue_page(conn, scope, None, (0, None), key).items
    return next((i for i in queued if i.id == record_id), None)


def review_case(
    engine: Engine, record_id: int, scope: Sequence[str] | None = None, ahead: int = 0
) -> ReviewCase | None:
    """One held student (by its queue id) beside each candidate; None when not in the queue.

    `ahead`: when the case is not compared yet, the cases after it in the queue (as many) are
    then compared in one pass in the background, for an operator who goes through the queue
    (the console)."""
    with engine.connect() as conn:
        item = _queued(conn, record_id, scope)
        if item is None:
            return None
        students = students_by_id(conn, [record_id])
        numbers = [c.application_number for c in item.candidates]
        applicants = applicants_by_number(conn, numbers)
        current = current_decision(conn, record_id)
    key = comparison_key(students, applicants)
    compared_rows = COMPARISONS.of(
        key, partial(_compared_pass, engine, scope, ahead, (item, students, applicants), item)
    )
    by_number: dict[str, list[dict[str, Any]]] = {}
    for row in compared_rows:
        by_number.setdefault(row["application_number"], []).append(row)
    cases = [
        CandidateCase(
            number,
            float(by_number[number][0]["total"]),
            [FieldRow(**{name: row[name] for name in _FIELD_ROW}) for row in by_number[number]],
        )
        for number in numbers
        if number in by_number
    ]
    student = {k: _text(v) for k, v in students.drop("student_key").row(0, named=True).items()}
    status, reason = current if current else (None, None)
    return ReviewCase(item, student, status, reason, cases)


_Case = tuple[QueueItem, pl.DataFrame, pl.DataFrame]  # an item, its student, its candidates


def _compared_pass(
    engine: Engine, scope: Sequence[str] | None, ahead: int, first: _Case | None, after: QueueItem
) -> Pass:
    """`first` alone, then (at once, in the background) the `ahead` cases after it; or, without
    `first`, the `ahead` cases after `after` in one pass, then, once the first of those is shown,
    the next pass."""
    cases = [] if first is None else [first]
    following: list[QueueItem] = []
    if first is None:
        with engine.connect() as conn:
            since = (after.waiting_since, after.id)
            following = _queue_page(conn, scope, None, (0, ahead), None, since).items
            more_students = students_by_id(conn, [i.id for i in following])
            wanted = [(i.id, c.application_number) for i in following for c in i.candidates]
            more_applicants = applicants_by_number(conn, sorted({n for _, n in wanted}))
        student_of = more_students.partition_by("student_key", as_dict=True)
        theirs = _pairs(wanted, more_students).join(more_applicants, on="application_number")
        applicants_of = theirs.partition_by("student_key", as_dict=True)
        nobody = more_applicants.clear()
        cases += [
            (
                i,
                student_of[(i.id,)],
                applicants_of.get((i.id,), nobody).select(more_applicants.columns),
            )
            for i in following
        ]
    if not cases:  # nothing after `after`
        return [], None
    everyone = pl.concat([c[1] for c in cases])
    proposed = pl.concat([c[2] for c in cases]).unique("application_number", maintain_order=True)
    wanted_pairs = [(i.id, c.application_number) for i, _, _ in cases for c in i.candidates]
    rows = compared(everyone, proposed, _pairs(wanted_pairs, everyone))
    found = [(comparison_key(s, a), rows.get(i.id, ())) for i, s, a in cases]
    if first is not None:
        next_ones = partial(_compared_pass, engine, scope, ahead, None, after)
        return found, ((None, next_ones) if ahead else None)
    if len(following) < ahead:  # the end of the queue
        return found, None
    after_them = partial(_compared_pass, engine, scope, ahead, None, following[-1])
    return found, (found[0][0], after_them)


def _pairs(pairs: list[tuple[int, str]], students: pl.DataFrame) -> pl.DataFrame:
    """(student_key, application_number) pairs, the key typed as the students' own."""
    schema = {"student_key": students.schema["student_key"], "application_number": pl.String()}
    return pl.DataFrame(pairs, schema=schema, orient="row")
