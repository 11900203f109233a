"""The review queue, decided: accept, reject, link and unlink (docs/review.md).

Each function takes a database engine and does its work in one transaction: the operator's
decision (who, when, the reason, the evidence seen), the student's new match decision, and for
accept and link the held courses merged under the merging rules (docs/merging.md); a process
killed in the middle leaves nothing of it. `scope`: the MIDENTs the operator may act on (None =
every school); a student outside it is refused as if it did not exist.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline import store
from pipeline.rematch import merge_held
from pipeline.review import ReviewCase, review_case
from pipeline.store.review import (
    applicants_by_number,
    matched_records_of,
    record_decision,
    records_by_id,
    remove_courses,
    unmatched_records_of,
)

if TYPE_CHECKING:
    from pipeline.database import Connection, Engine

LINKED_CODE = "A007"
REJECTED_CODE = "A008"
RETURNED_STATUS = "pending"  # an unlinked student is back in the queue (A001)


class ReviewRefused(ValueError):
    """The decision cannot be taken (unknown student or applicant, nothing to undo...)."""


@dataclass(frozen=True)
class ReviewOutcome:
    """What a decision did: the student, the applicant, the records and courses it touched."""

    action: str
    mident: str
    student_number: str
    application_number: str
    records: int
    merge: dict[str, int]
    removed_courses: int = 0

    def as_json(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "mident": self.mident,
            "student_number": self.student_number,
            "application_number": self.application_number,
            "records": self.records,
            "merge": self.merge,
            "removed_courses": self.removed_courses,
        }


def _checked(by: str, reason: str) -> None:
    if not by.strip():
        raise ReviewRefused("--by: say who decides")
    if not reason.strip():
        raise ReviewRefused("--reason: say why")


def _record(conn: Connection, record_id: int, scope: Sequence[str] | None) -> dict[str, Any]:
    rows = records_by_id(conn, [record_id])
    if rows.is_empty() or (scope is not None and rows["mident"][0] not in scope):
        raise ReviewRefused(f"no held student with id {record_id}")
    return rows.row(0, named=True)


def _applicant(conn: Connection, number: str) -> None:
    if applicants_by_number(conn, [number]).is_empty():
        raise ReviewRefused(f"no applicant with application number {number!r}")


def _decisions(records: pl.DataFrame, **values: Any) -> pl.DataFrame:
    """Match decisions for these records, in the columns `store.save_decisions` takes."""
    return records.select(
        "student_key",
        status=pl.lit(values["status"]),
        application_number=pl.lit(values.get("application_number"), pl.String),
        codes=pl.lit(values["codes"], pl.List(pl.String)),
        agreed=pl.lit([], pl.List(pl.String)),
        reason=pl.lit(values["reason"]),
        candidates=pl.lit([], pl.List(pl.String)),
    )


def _link(
    conn: Connection,
    action: str,
    student: dict[str, Any],
    number: str,
    by: str,
    reason: str,
    evidence: dict[str, Any] | None,
    now: datetime,
) -> ReviewOutcome:
    """Merge every held record of the student into the applicant (A007), in `conn`'s transaction."""
    matched = matched_records_of(conn, student["mident"], student["student_number"])
    elsewhere = matched.filter(pl.col("application_number") != number)
    if not elsewhere.is_empty():
        raise ReviewRefused(
            f"student {student['student_number']} is merged into applicant "
            f"{elsewhere['application_number'][0]}: unlink it first"
        )
    records = unmatched_records_of(conn, student["mident"], student["student_number"])
    if records.is_empty():
        raise ReviewRefused(f"student {student['student_number']} has no held record to link")
    record_decision(conn, action, student, number, by, reason, now, evidence)
    text = f"linked by an operator ({by.strip()}, {now:%Y-%m-%d %H:%M} UTC): {reason.strip()}"
    decisions = _decisions(
        records, status="matched", application_number=number, codes=[LINKED_CODE], reason=text
    )
    store.save_decisions(conn, decisions, now)
    merge = merge_held(conn, decisions, now)
    return ReviewOutcome(
        action, student["mident"], student["student_number"], number, records.height, merge
    )


def _held_case(engine: Engine, record_id: int, scope: Sequence[str] | None) -> ReviewCase:
    """The held student `record_id` as the operator saw it; refused when there is none."""
    case = review_case(engine, record_id, scope)
    if case is None:
        raise ReviewRefused(f"no held student with id {record_id}")
    return case


def _now(clock: datetime | None) -> datetime:
    return clock or datetime.now(UTC)


def accept(
    engine: Engine,
    record_id: int,
    application_number: str,
    by: str,
    reason: str,
    scope: Sequence[str] | None = None,
    now: datetime | None = None,
) -> ReviewOutcome:
    """Accept a proposed candidate of a held student: its held courses merged at once (A007)."""
    _checked(by, reason)
    case = _held_case(engine, record_id, scope)
    proposed = [c.application_number for c in case.candidates]
    if application_number not in proposed:
        raise ReviewRefused(
            f"applicant {application_number} is not a candidate of student {record_id} "
            f"(candidates: {', '.join(proposed) or 'none'}); use ost review link"
        )
    with engine.begin() as conn:
        student = _record(conn, record_id, scope)
        _applicant(conn, application_number)
        evidence = case.as_json()
        return _link(conn, "accept", student, application_number, by, reason, evidence, _now(now))


def link(
    engine: Engine,
    mident: str,
    student_number: str,
    application_number: str,
    by: str,
    reason: str,
    scope: Sequence[str] | None = None,
    now: datetime | None = None,
) -> ReviewOutcome:
    """Link a student to any applicant by application number, and merge its courses (A007)."""
    _checked(by, reason)
    if scope is not None and mident not in scope:
        raise ReviewRefused(f"no student {student_number} at school {mident}")
    with engine.begin() as conn:
        _applicant(conn, application_number)
        records = unmatched_records_of(conn, mident, student_number)
        if records.is_empty() and matched_records_of(conn, mident, student_number).is_empty():
            raise ReviewRefused(f"no student {student_number} at school {mident}")
        latest = records["student_key"].max() if not records.is_empty() else None
        student: dict[str, Any] = {
            "mident": mident,
            "student_number": student_number,
            "student_key": latest,
        }
        seen = {"application_number": application_number, "records": records.height}
        return _link(conn, "link", student, application_number, by, reason, seen, _now(now))


def reject(
    engine: Engine,
    record_id: int,
    application_number: str,
    by: str,
    reason: str,
    scope: Sequence[str] | None = None,
    now: datetime | None = None,
) -> ReviewOutcome:
    """Reject a candidate for good (A008): never proposed again for that student.

    When it was the only candidate, the student is pending (A001) until another one fits.
    """
    _checked(by, reason)
    case = _held_case(engine, record_id, scope)
    remaining = [c for c in case.candidates if c.application_number != application_number]
    if len(remaining) == len(case.candidates):
        raise ReviewRefused(
            f"applicant {application_number} is not a candidate of student {record_id}"
        )
    moment = _now(now)
    with engine.begin() as conn:
        student = _record(conn, record_id, scope)
        record_decision(
            conn, "reject", student, application_number, by, reason, moment, case.as_json()
        )
        records = unmatched_records_of(conn, student["mident"], student["student_number"])
        text = f"applicant {application_number} rejected by an operator ({by.strip()}): {reason}"
        if remaining:
            status = case.status or "review"
            best = remaining[0].application_number if status != "ambiguous" else None
            decisions = _decisions(
                records, status=status, codes=[REJECTED_CODE], reason=text, application_number=best
            )
        else:
            decisions = _decisions(
                records, status="pending", codes=["A001", REJECTED_CODE], reason=text
            )
        store.save_decisions(conn, decisions, moment)
    return ReviewOutcome(
        "reject", student["mident"], student["student_number"], application_number,
        records.height, {},
    )  # fmt: skip


def unlink(
    engine: Engine,
    mident: str,
    student_number: str,
    by: str,
    reason: str,
    scope: Sequence[str] | None = None,
    now: datetime | None = None,
) -> ReviewOutcome:
    """Undo a link: the courses it brought leave the applicant, the student returns to the queue.

    The course history stays; each removal is recorded in it (action `unlink`). The applicant is
    never matched to this student automatically again.
    """
    _checked(by, reason)
    if scope is not None and mident not in scope:
        raise ReviewRefused(f"no student {student_number} at school {mident}")
    moment = _now(now)
    with engine.begin() as conn:
        records = matched_records_of(conn, mident, student_number)
        if records.is_empty():
            raise ReviewRefused(f"student {student_number} of school {mident} is not linked")
        number = str(records["application_number"][0])
        removed = remove_courses(conn, number, student_number, records, moment)
        student = {
            "mident": mident,
            "student_number": student_number,
            "student_key": int(records["student_key"].max()),  # type: ignore[arg-type]
        }
        seen = {"application_number": number, "courses_removed": removed}
        record_decision(conn, "unlink", student, number, by, reason, moment, seen)
        text = f"unlinked from applicant {number} by an operator ({by.strip()}): {reason.strip()}"
        decisions = _decisions(records, status=RETURNED_STATUS, codes=["A001"], reason=text)
        store.save_decisions(conn, decisions, moment)
    return ReviewOutcome("unlink", mident, student_number, number, records.height, {}, removed)
