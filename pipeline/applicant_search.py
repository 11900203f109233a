"""Applicants as the console finds and shows them: search, the record and its change history,
limited to the reader's scope (a school sees its own students and the courses it sent)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline.queries import applicant_view
from pipeline.record import record_from
from pipeline.scope import Scope
from pipeline.store.applicants import (
    course_changes as stored_changes,
)
from pipeline.store.applicants import (
    courses_of,
    matched_records,
    own_students,
    search_every_applicant,
    search_own_students,
)

if TYPE_CHECKING:
    from pipeline.database import Connection

SEARCH_LIMIT = 200  # docs/console.md: refine the search beyond this many results
LISTED_CHANGES = 500
CHANGE_FIELDS = ("grade_type", "mark", "credit_value", "course_status", "course_type", "notes")


@dataclass(frozen=True)
class SearchResult:
    rows: list[dict[str, Any]]
    more: bool  # more than the rows shown matched: the reader should refine


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
        return _limited(search_every_applicant(conn, query, limit), limit)
    return _limited(search_own_students(conn, query, scope, limit), limit)


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
    changes = stored_changes(conn, application_number, scope, limit)
    return [_with_differences(change) for change in changes]


def _with_differences(change: dict[str, Any]) -> dict[str, Any]:
    old = json.loads(change.pop("old_values") or "{}")
    new = json.loads(change.pop("new_values") or "{}")
    change["differences"] = [
        {"field": name, "old": old.get(name), "new": new.get(name)}
        for name in CHANGE_FIELDS
        if old.get(name) != new.get(name)
    ]
    return change
