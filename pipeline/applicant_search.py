"""Applicants as the console finds and shows them: search, the record and its change history,
limited to the reader's scope (a school sees its own students and the courses it sent)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, and_, func, or_, select, union

from pipeline.models import Applicant, CourseChange, StudentRecord, Transmission
from pipeline.queries import applicant_view
from pipeline.record import courses_of, matched_records, record_from
from pipeline.scope import Scope
from pipeline.store import table

SEARCH_LIMIT = 200  # docs/console.md: refine the search beyond this many results
LISTED_CHANGES = 100  # docs/console.md: a page of the change history, newest first
NAME_COLUMNS = ("last_name", "first_name", "middle_name", "previous_last_name")
CHANGE_FIELDS = ("grade_type", "mark", "credit_value", "course_status", "course_type", "notes")


@dataclass(frozen=True)
class SearchResult:
    rows: list[dict[str, Any]]
    more: bool  # more than the rows shown matched: the reader should refine


def _after(word: str) -> str | None:
    """The first text past every text that begins with `word` (None: there is none)."""
    last = ord(word[-1])
    return word[:-1] + chr(last + 1) if last < sys.maxunicode else None


def _begins(column: ColumnElement[str | None], word: str, dialect: str) -> ColumnElement[bool]:
    """The lowered `column` begins with `word`: a range over the index of migration 0011 (in
    the "C" collation on PostgreSQL, so that the range is a prefix), then the prefix itself."""
    lowered: ColumnElement[str] = func.lower(column)
    if dialect == "postgresql":
        lowered = lowered.collate("C")
    conditions = [lowered >= word, lowered.startswith(word, autoescape=True)]
    upper = _after(word)
    if upper is not None:
        conditions.append(lowered < upper)
    return and_(*conditions)


def _words_begin(
    columns: Sequence[ColumnElement[str | None]], query: str, dialect: str
) -> ColumnElement[bool]:
    """Every word of `query` begins one of `columns`, ignoring case."""
    words = [word.lower() for word in query.split()]
    return and_(*(or_(*(_begins(column, word, dialect) for column in columns)) for word in words))


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
    """By the beginnings of names when the query has a letter; otherwise by application
    number, OEN or student number. Each is an indexed lookup: the applicants whose names begin
    with the query's longest word are found through the indexes of migration 0011, and only
    they are checked for the other words."""
    a, s = table(Applicant), table(StudentRecord)
    if any(character.isalpha() for character in query):
        dialect = conn.dialect.name
        names = [a.c[name] for name in NAME_COLUMNS]
        longest = max(query.lower().split(), key=len)
        candidates = union(
            select(a.c.application_number).where(a.c.application_number == query),
            *(select(a.c.application_number).where(_begins(c, longest, dialect)) for c in names),
        )
        wanted: ColumnElement[bool] = and_(
            a.c.application_number.in_(candidates),
            or_(a.c.application_number == query, _words_begin(names, query, dialect)),
        )
    else:
        # One lookup each, united: an OR over the three read every applicant on PostgreSQL.
        found = union(
            select(a.c.application_number).where(a.c.application_number == query),
            select(a.c.application_number).where(a.c.oen == query),
            select(s.c.application_number).where(s.c.student_number == query),
        )
        wanted = a.c.application_number.in_(found)
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
            scope.where(s.c.mident),
            s.c.match_status == "matched",
            s.c.application_number.is_not(None),
            or_(
                s.c.application_number == query,
                s.c.student_number == query,
                s.c.oen == query,
                _words_begin([s.c.first_name, s.c.surname], query, conn.dialect.name),
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
            scope.where(s.c.mident),
        )
        .order_by(s.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def applicant_record(
    conn: Connection, application_number: str, scope: Scope, before: int | None = None
) -> dict[str, Any] | None:
    """The record as the reader may see it; None when it does not exist for them.

    An operator gets the applicant, every course, the matched students and a page of the
    change history (the changes older than change `before` when it is given); a school, only
    when one of its students was merged into the applicant, the courses it sent and their
    changes, never what the applicant declared.
    """
    if scope.everything:
        view = applicant_view(conn, application_number)
        if view is None:
            return None
        return {**view, **change_page(conn, application_number, scope, before)}
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
        **change_page(conn, application_number, scope, before),
    }


def change_page(
    conn: Connection, application_number: str, scope: Scope, before: int | None
) -> dict[str, Any]:
    """`changes`: a page of the history; `older_changes`: the change to continue before, when
    older ones remain."""
    changes = course_changes(conn, application_number, scope, LISTED_CHANGES + 1, before)
    older = changes[LISTED_CHANGES - 1]["id"] if len(changes) > LISTED_CHANGES else None
    return {"changes": changes[:LISTED_CHANGES], "older_changes": older}


def course_changes(
    conn: Connection,
    application_number: str,
    scope: Scope,
    limit: int = LISTED_CHANGES,
    before: int | None = None,
) -> list[dict[str, Any]]:
    """The changes to the applicant's courses, newest first (those older than change `before`
    when it is given), made by transmissions of schools in scope, each with what changed."""
    h, t = table(CourseChange), table(Transmission)
    older = [h.c.id < before] if before is not None else []
    statement = (
        select(
            h.c.id,
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
        .where(h.c.application_number == application_number, scope.where(t.c.mident), *older)
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
