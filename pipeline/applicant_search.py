"""Applicants as the console finds and shows them: search, the record and its change history,
limited to the reader's scope (a school sees its own students and the courses it sent)."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import polars as pl

from pipeline.queries import applicant_view
from pipeline.record import record_from
from pipeline.scope import Scope
from pipeline.store.applicants import (
    Prefix,
    courses_of,
    matched_records,
    own_students,
    search_every_applicant,
    search_own_students,
)
from pipeline.store.applicants import (
    course_changes as stored_changes,
)

if TYPE_CHECKING:
    from pipeline.database import Connection

SEARCH_LIMIT = 200  # docs/console.md: refine the search beyond this many results
LISTED_CHANGES = 100  # docs/console.md: a page of the change history, newest first
CHANGE_FIELDS = ("grade_type", "mark", "credit_value", "course_status", "course_type", "notes")


@dataclass(frozen=True)
class SearchResult:
    rows: list[dict[str, Any]]
    more: bool  # more than the rows shown matched: the reader should refine


def _after(word: str) -> str | None:
    """The first text past every text that begins with `word` (None: there is none)."""
    last = ord(word[-1])
    return word[:-1] + chr(last + 1) if last < sys.maxunicode else None


def _prefixes(query: str) -> list[Prefix]:
    """The query's words, lowered, longest first (the one looked up through the indexes), each
    with the end of the range of the texts it begins."""
    words = sorted((word.lower() for word in query.split()), key=len, reverse=True)
    return [(word, _after(word)) for word in words]


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
        return _limited(search_every_applicant(conn, query, _prefixes(query), limit), limit)
    return _limited(search_own_students(conn, query, _prefixes(query), scope, limit), limit)


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
    when it is given), made by transmissions of schools in scope, each with its id and what
    changed."""
    changes = stored_changes(conn, application_number, scope, limit, before)
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
