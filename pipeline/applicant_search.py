"""Applicants as the console finds and shows them: search, the record and its change history,
limited to the reader's scope (a school sees its own students and the courses it sent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, and_, func, or_, select

from pipeline.models import Applicant, CourseChange, StudentRecord, Transmission
from pipeline.queries import applicant_view
from pipeline.record import courses_of, matched_records, record_from
from pipeline.scope import Scope
from pipeline.store import table
from pipeline.store.transmissions import in_scope

SEARCH_LIMIT = 200  # docs/console.md: refine the search beyond this many results
LISTED_CHANGES = 500
CHANGE_FIELDS = ("grade_type", "mark", "credit_value", "course_status", "course_type", "notes")


@dataclass(frozen=True)
class SearchResult:
    rows: list[dict[str, Any]]
    more: bool  # more than the rows shown matched: the reader should refine


def _words_in(text: ColumnElement[str], query: str) -> ColumnElement[bool]:
    """Every word of `query` appears in `text`, ignoring case."""
    words = [word.lower() for word in query.split()]
    return and_(*(func.lower(text).contains(word, autoescape=True) for word in words))


def _limited(rows: list[dict[str, Any]], limit: int) -> SearchResult:
    return SearchResult(rows[:limit], more=len(rows) > limit)


def search_applicants(
    conn: Connection, query: str, scope: Scope, limit: int = SEARCH_LIMIT
) -> SearchResult:
    """Applicants by part of a name, OEN, student number or application number."""
    query = " ".join(query.split())
    if not query:
        return SearchResult([], more=False)
    if scope.everything:
        return _search_every_applicant(conn, query, limit)
    return _search_own_students(conn, query, scope, limit)


def _search_every_applicant(conn: Connection, query: str, limit: int) -> SearchResult:
    """By name when the query has a letter; otherwise by application number, OEN or student
    number, each an indexed lookup (one OR over them all would read every applicant)."""
    a, s = table(Applicant), table(StudentRecord)
    if any(character.isalpha() for character in query):
        names = func.coalesce(a.c.first_name, "") + " " + func.coalesce(a.c.middle_name, "")
        names = names + " " + a.c.last_name + " " + func.coalesce(a.c.previous_last_name, "")
        wanted: ColumnElement[bool] = or_(a.c.application_number == query, _words_in(names, query))
    else:
        by_student = select(s.c.application_number).where(s.c.student_number == query)
        wanted = or_(
            a.c.application_number == query,
            a.c.oen == query,
            a.c.application_number.in_(by_student),
        )
    statement = (
        select(
            a.c.application_number,
            a.c.first_name,
            a.c.last_name,
            a.c.birth_date,
            a.c.oen,
            a.c.paid,
        )
        .where(wanted)
        .order_by(a.c.last_name, a.c.first_name, a.c.application_number)
        .limit(limit + 1)
    )
    return _limited([dict(row._mapping) for row in conn.execute(statement)], limit)


def _search_own_students(conn: Connection, query: str, scope: Scope, limit: int) -> SearchResult:
    """A school searches what it sent: its students merged into an applicant."""
    s = table(StudentRecord)
    statement = (
        select(s.c.application_number, s.c.mident, s.c.student_number, s.c.surname, s.c.first_name)
        .distinct()
        .where(
            in_scope(scope, s.c.mident),
            s.c.match_status == "matched",
            s.c.application_number.is_not(None),
            or_(
                s.c.application_number == query,
                s.c.student_number == query,
                s.c.oen == query,
                _words_in(s.c.first_name + " " + s.c.surname, query),
            ),
        )
        .order_by(s.c.surname, s.c.first_name, s.c.application_number)
        .limit(limit + 1)
    )
    return _limited([dict(row._mapping) for row in conn.execute(statement)], limit)


def own_students(conn: Connection, application_number: str, scope: Scope) -> list[dict[str, Any]]:
    """The students of schools in scope merged into this applicant."""
    s = table(StudentRecord)
    statement = (
        select(
            s.c.id,
            s.c.transmission_id,
            s.c.mident,
            s.c.student_number,
            s.c.surname,
            s.c.first_name,
            s.c.match_status,
        )
        .where(
            s.c.application_number == application_number,
            s.c.match_status == "matched",
            in_scope(scope, s.c.mident),
        )
        .order_by(s.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def applicant_record(
    conn: Connection, application_number: str, scope: Scope
) -> dict[str, Any] | None:
    """The record as the reader may see it; None when it does not exist for them.

    An operator gets the applicant, every course, the matched students and the change history;
    a school, only when one of its students was merged into the applicant, the courses it sent
    and their changes, never what the applicant declared.
    """
    if scope.everything:
        view = applicant_view(conn, application_number)
        if view is None:
            return None
        return {**view, "changes": course_changes(conn, application_number, scope)}
    students = own_students(conn, application_number, scope)
    if not students:
        return None
    own = pl.col("mident").is_in(sorted(scope.midents or ()))
    courses = courses_of(conn, application_numbers=[application_number]).filter(own)
    record = record_from(courses, matched_records(conn, [application_number]).filter(own))
    return {
        "applicant": None,
        "record": record,
        "courses": record.pop("courses"),
        "students": students,
        "changes": course_changes(conn, application_number, scope),
    }


def course_changes(
    conn: Connection, application_number: str, scope: Scope, limit: int = LISTED_CHANGES
) -> list[dict[str, Any]]:
    """The changes to the applicant's courses, newest first, made by transmissions of schools
    in scope, each with what changed."""
    h, t = table(CourseChange), table(Transmission)
    statement = (
        select(
            h.c.changed_at,
            h.c.action,
            h.c.course_code,
            h.c.completion_date,
            h.c.delivery_type,
            h.c.old_values,
            h.c.new_values,
            h.c.transmission_id,
            t.c.file_name,
            t.c.mident,
        )
        .join(t, t.c.id == h.c.transmission_id)
        .where(h.c.application_number == application_number, in_scope(scope, t.c.mident))
        .order_by(h.c.id.desc())
        .limit(limit)
    )
    return [_with_differences(dict(row._mapping)) for row in conn.execute(statement)]


def _with_differences(change: dict[str, Any]) -> dict[str, Any]:
    old = json.loads(change.pop("old_values") or "{}")
    new = json.loads(change.pop("new_values") or "{}")
    change["differences"] = [
        {"field": name, "old": old.get(name), "new": new.get(name)}
        for name in CHANGE_FIELDS
        if old.get(name) != new.get(name)
    ]
    return change
