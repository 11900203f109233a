"""Applicants as stored: as the matcher reads them, found by the console, their academic record
(courses and matched S1 records, docs/record.md), the changes to it and the status report's reads.

The joins between courses and student records are made in polars: on PostgreSQL the course
key is in the "C" collation (migration 0005) and the student records' columns are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import ColumnElement, Connection, Select, and_, func, or_, select, union

from matching.schema import ACCOUNT_SCHEMA, APPLICANTS_SCHEMA
from pipeline.models import (
    MERGED_STATUSES,
    Applicant,
    Course,
    CourseChange,
    MatchDecision,
    StudentRecord,
    Transmission,
)
from pipeline.scope import Scope
from pipeline.store.core import bulk_upsert, chunks, frame, stacked, table
from pipeline.store.transmissions import in_scope
from rules.students import STUDENT_FACTS

if TYPE_CHECKING:
    from matching import ApplicantPool, Zones

COURSE_COLUMNS = (
    "application_number", "mident", "student_number", "course_code", "course_title",
    "completion_date", "delivery_type", "course_type", "grade_type", "mark", "credit_value",
    "course_status", "notes", "course_mident", "supplier_mident", "transmission_id",
)  # fmt: skip
COURSES_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.Utf8() for name in COURSE_COLUMNS},
    "transmission_id": pl.Int64(),
    "transmission_file": pl.Utf8(),
    "source_created_at": pl.Datetime(time_zone="UTC"),
}
STUDENT_COLUMNS = (
    "id", "application_number", "mident", "student_number", "surname", "first_name",
    "middle_name", "oen", "birth_date", *STUDENT_FACTS,
)  # fmt: skip
STUDENTS_SCHEMA: dict[str, pl.DataType] = {
    **{name: pl.Utf8() for name in STUDENT_COLUMNS},
    "id": pl.Int64(),
    "birth_date": pl.Date(),
    "ossd_issue_date": pl.Date(),
    "created_at": pl.Datetime(time_zone="UTC"),
}
# A student record matched to an applicant, as the record shows it.
MATCHED_STUDENT_COLUMNS = (
    "id", "transmission_id", "mident", "student_number", "surname", "first_name", "match_status",
)  # fmt: skip
STATUS_APPLICANT_SCHEMA: dict[str, pl.DataType] = {
    "application_number": pl.Utf8(),
    "first_name": pl.Utf8(),
    "last_name": pl.Utf8(),
    "school_midents": pl.Utf8(),
    "paid": pl.Boolean(),
}

# -- applicants ----------------------------------------------------------------------------


def load_applicants(conn: Connection, numbers: Sequence[str] | None = None) -> pl.DataFrame:
    """Every applicant (or those with these application numbers), in the matcher's schema."""
    a = table(Applicant)
    query = select(
        a.c.application_number,
        a.c.first_name,
        a.c.middle_name,
        a.c.last_name,
        a.c.previous_last_name,
        a.c.birth_date,
        a.c.oen,
        a.c.gender,
        a.c.school_midents,
        a.c.international,
        a.c.account_number,
        a.c.paid,
    )
    schema = {**APPLICANTS_SCHEMA, "school_midents": pl.Utf8(), **ACCOUNT_SCHEMA}
    if numbers is None:
        raw = frame(conn, query, schema)
    else:
        parts = [
            frame(conn, query.where(a.c.application_number.in_(list(part))), schema)
            for part in chunks(sorted(set(numbers)))
        ]
        raw = stacked(parts, schema)
    return raw.with_columns(
        pl.col("school_midents").str.split(";").list.eval(pl.element().filter(pl.element() != ""))
    )


def load_applicant_pool(conn: Connection, zones: Zones | None = None) -> ApplicantPool:
    """Every applicant, prepared once for all the files of a batch, with the zones to decide in."""
    from matching import ApplicantPool  # the matcher, loaded only by what matches

    return ApplicantPool.of(load_applicants(conn), zones)


def applicants_version(conn: Connection) -> tuple[int, datetime | None]:
    """How many applicants there are and when one last changed (an import stamps its rows)."""
    a = table(Applicant)
    count, latest = conn.execute(select(func.count(), func.max(a.c.updated_at))).one()
    return int(count), latest


def save_applicants(conn: Connection, rows: pl.DataFrame) -> None:
    """Insert new applicants and update known ones by application number."""
    bulk_upsert(conn, table(Applicant), rows, key="application_number")


def applicant_row(conn: Connection, application_number: str) -> dict[str, Any] | None:
    """The applicant as stored, every column; None when there is none."""
    a = table(Applicant)
    row = conn.execute(select(a).where(a.c.application_number == application_number)).first()
    return None if row is None else dict(row._mapping)


def students_of(conn: Connection, application_number: str) -> list[dict[str, Any]]:
    """Every student record matched to the applicant, oldest first."""
    s = table(StudentRecord)
    statement = (
        select(*(s.c[name] for name in MATCHED_STUDENT_COLUMNS))
        .where(s.c.application_number == application_number)
        .order_by(s.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def match_reasons(conn: Connection, application_number: str) -> dict[int, str]:
    """Per student record matched to the applicant, the reason of its latest decision."""
    decisions = table(MatchDecision)
    return {
        r.student_record_id: r.reason
        for r in conn.execute(
            select(decisions.c.student_record_id, decisions.c.reason)
            .where(decisions.c.application_number == application_number)
            .order_by(decisions.c.id)
        )
    }


# -- the academic record -------------------------------------------------------------------


def _of_applicants(
    conn: Connection,
    query: Select[Any],
    column: ColumnElement[Any],
    application_numbers: Sequence[str] | None,
    schema: dict[str, pl.DataType],
) -> pl.DataFrame:
    """The rows of `query`, all of them or those of these applicants (in chunks)."""
    if application_numbers is None:
        return frame(conn, query, schema)
    parts = [
        frame(conn, query.where(column.in_(list(part))), schema)
        for part in chunks(sorted(set(application_numbers)))
    ]
    return stacked(parts, schema)


def courses_of(
    conn: Connection,
    *,
    mident: str | None = None,
    application_numbers: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Merged courses (all, a sending school's, or these applicants'), in record order."""
    c, t = table(Course), table(Transmission)
    query = select(
        *(c.c[name] for name in COURSE_COLUMNS), t.c.file_name, c.c.source_created_at
    ).join(t, t.c.id == c.c.transmission_id)
    if mident is not None:
        query = query.where(c.c.mident == mident)
    rows = _of_applicants(conn, query, c.c.application_number, application_numbers, COURSES_SCHEMA)
    return rows.sort("application_number", "course_code", "completion_date", "delivery_type")


def matched_records(
    conn: Connection,
    application_numbers: Sequence[str] | None = None,
    *,
    mident: str | None = None,
) -> pl.DataFrame:
    """Accepted S1 records matched to applicants (all, these applicants', or a school's),
    newest transmission last."""
    s, t = table(StudentRecord), table(Transmission)
    query = (
        select(*(s.c[name] for name in STUDENT_COLUMNS), t.c.created_at)
        .join(t, t.c.id == s.c.transmission_id)
        .where(
            s.c.accepted.is_(True),
            s.c.match_status == "matched",
            t.c.status.in_(MERGED_STATUSES),
        )
    )
    if mident is not None:
        query = query.where(s.c.mident == mident)
    rows = _of_applicants(conn, query, s.c.application_number, application_numbers, STUDENTS_SCHEMA)
    return rows.sort("created_at", "id", nulls_last=False)


# -- the console's search and record -------------------------------------------------------


# An applicant's names, each indexed lowered by migration 0011.
NAME_COLUMNS = ("last_name", "first_name", "middle_name", "previous_last_name")
# A lowered word, and the first text past every text that begins with it (None: there is none).
Prefix = tuple[str, str | None]


def _begins(column: ColumnElement[str | None], prefix: Prefix, dialect: str) -> ColumnElement[bool]:
    """The lowered `column` begins with the prefix: a range over the index of migration 0011 (in
    the "C" collation on PostgreSQL, so that the range is a prefix), then the prefix itself."""
    word, upper = prefix
    lowered: ColumnElement[str] = func.lower(column)
    if dialect == "postgresql":
        lowered = lowered.collate("C")
    conditions = [lowered >= word, lowered.startswith(word, autoescape=True)]
    if upper is not None:
        conditions.append(lowered < upper)
    return and_(*conditions)


def _words_begin(
    columns: Sequence[ColumnElement[str | None]], prefixes: Sequence[Prefix], dialect: str
) -> ColumnElement[bool]:
    """Every prefix begins one of `columns`."""
    return and_(*(or_(*(_begins(column, p, dialect) for column in columns)) for p in prefixes))


def search_every_applicant(
    conn: Connection, query: str, prefixes: Sequence[Prefix], limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` + 1 applicants: by the beginnings of names (`prefixes`, the query's words,
    longest first) when the query has a letter; otherwise by application number, OEN or student
    number. Each is an indexed lookup: the applicants whose names begin with the first prefix
    are found through the indexes of migration 0011, and only they are checked for the others."""
    a, s = table(Applicant), table(StudentRecord)
    if any(character.isalpha() for character in query):
        dialect = conn.dialect.name
        names = [a.c[name] for name in NAME_COLUMNS]
        candidates = union(
            select(a.c.application_number).where(a.c.application_number == query),
            *(
                select(a.c.application_number).where(_begins(c, prefixes[0], dialect))
                for c in names
            ),
        )
        wanted: ColumnElement[bool] = and_(
            a.c.application_number.in_(candidates),
            or_(a.c.application_number == query, _words_begin(names, prefixes, dialect)),
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
    return [dict(row._mapping) for row in conn.execute(statement)]


def search_own_students(
    conn: Connection, query: str, prefixes: Sequence[Prefix], scope: Scope, limit: int
) -> list[dict[str, Any]]:
    """Up to `limit` + 1 of what a school sent: its students merged into an applicant, by
    number or by the beginnings of their names."""
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
                _words_begin([s.c.first_name, s.c.surname], prefixes, conn.dialect.name),
            ),
        )
        .order_by(s.c.surname, s.c.first_name, s.c.application_number)
        .limit(limit + 1)
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def own_students(conn: Connection, application_number: str, scope: Scope) -> list[dict[str, Any]]:
    """The students of schools in scope merged into this applicant."""
    s = table(StudentRecord)
    statement = (
        select(*(s.c[name] for name in MATCHED_STUDENT_COLUMNS))
        .where(
            s.c.application_number == application_number,
            s.c.match_status == "matched",
            in_scope(scope, s.c.mident),
        )
        .order_by(s.c.id)
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


def course_changes(
    conn: Connection, application_number: str, scope: Scope, limit: int, before: int | None
) -> list[dict[str, Any]]:
    """The changes to the applicant's courses, newest first (those older than change `before`
    when it is given), made by transmissions of schools in scope, each with its id and the
    course's values before and after (JSON text)."""
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
        .where(h.c.application_number == application_number, in_scope(scope, t.c.mident), *older)
        .order_by(h.c.id.desc())
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(statement)]


# -- the applicant status report -----------------------------------------------------------


def applicants_of_school(conn: Connection, numbers: Sequence[str], mident: str) -> pl.DataFrame:
    """The applicants who declared the school (`school_midents`) or are among `numbers`."""
    a = table(Applicant)
    columns = [a.c[name] for name in STATUS_APPLICANT_SCHEMA]
    declared = frame(
        conn, select(*columns).where(a.c.school_midents.contains(mident)), STATUS_APPLICANT_SCHEMA
    ).filter(pl.col("school_midents").str.split(";").list.contains(mident))
    parts = [
        frame(
            conn,
            select(*columns).where(a.c.application_number.in_(list(part))),
            STATUS_APPLICANT_SCHEMA,
        )
        for part in chunks(sorted(set(numbers)))
    ]
    return pl.concat([declared, *parts]).unique("application_number", keep="first")


def school_last_changes(conn: Connection, mident: str, numbers: Sequence[str]) -> pl.DataFrame:
    """Per applicant of `numbers`, the creation time of the school's newest transmission that
    changed their record (an insert, update or deletion of a course).

    Looked up by applicant: changes are indexed by applicant, not by school.
    """
    h, t = table(CourseChange), table(Transmission)
    schema = {"application_number": pl.Utf8(), "changed_at": pl.Datetime(time_zone="UTC")}
    parts = [
        frame(
            conn,
            select(h.c.application_number, func.max(t.c.created_at))
            .join(t, t.c.id == h.c.transmission_id)
            .where(t.c.mident == mident, h.c.application_number.in_(list(part)))
            .group_by(h.c.application_number),
            schema,
        )
        for part in chunks(sorted(set(numbers)))
    ]
    return stacked(parts, schema)
