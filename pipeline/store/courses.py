"""What a transmission writes: student and grade records, match decisions, courses, findings."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, delete, select

from pipeline.merge import (
    COURSE_KEY,
    COURSE_VALUES,
    DELETE,
    INSERT,
    REFUSED_CODES,
    UPDATE,
    CourseQuery,
    CourseSnapshot,
    carried_courses_schema,
    deleted_courses_schema,
    stored_courses_schema,
)
from pipeline.models import (
    MERGED_STATUSES,
    Course,
    CourseChange,
    GradeRecord,
    MatchDecision,
    MergeFinding,
    StudentRecord,
    Transmission,
)
from pipeline.store.core import bulk_update, chunks, frame, insert_rows, stacked, table
from pipeline.student_columns import student_facts, student_values

# -- records -------------------------------------------------------------------------------


def save_students(
    conn: Connection,
    transmission_id: int,
    students: pl.DataFrame,
    decisions: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Insert the S1 records; returns `line` -> `student_record_id`.

    `decisions` (keyed by S1 line, as `pipeline.transmission.prepare` gives them) are stored as
    the records' current match, so they need no update afterwards.
    """
    rows = students.select(
        pl.lit(transmission_id).alias("transmission_id"),
        pl.col("line").cast(pl.Int64),
        *student_values(),
        *student_facts(),
        "accepted",
    )
    if decisions is not None:
        current = decisions.select(
            pl.col("student_key").alias("line"),
            pl.col("status").alias("match_status"),
            "application_number",
        )
        rows = rows.join(current, on="line", how="left", maintain_order="left")
    insert_rows(conn, StudentRecord, rows)
    s = table(StudentRecord)
    ids = conn.execute(select(s.c.line, s.c.id).where(s.c.transmission_id == transmission_id))
    return pl.DataFrame(
        [tuple(row) for row in ids],
        schema={"line": pl.Int64, "student_record_id": pl.Int64},
        orient="row",
    )


GRADE_FIELDS = (
    "student_number",
    "course_code",
    "completion_date",
    "grade_type",
    "mark",
    "credit_value",
    "course_status",
    "delivery_type",
    "course_type",
    "course_mident",
    "language",
    "notes",
    "supplier_mident",
    "course_title",
)


def save_grades(
    conn: Connection, transmission_id: int, grades: pl.DataFrame, student_ids: pl.DataFrame
) -> None:
    owners = student_ids.rename({"line": "owner_line"})
    rows = (
        grades.with_columns(pl.col("owner_line").cast(pl.Int64))
        .join(owners, on="owner_line", how="left")
        .select(
            pl.lit(transmission_id).alias("transmission_id"),
            "student_record_id",
            pl.col("line").cast(pl.Int64),
            *GRADE_FIELDS,
            "accepted",
        )
    )
    insert_rows(conn, GradeRecord, rows)


def held_grades(conn: Connection, student_record_ids: Sequence[int]) -> pl.DataFrame:
    """The accepted G1 records of these students, with their transmission's identity."""
    g, t = table(GradeRecord), table(Transmission)
    schema: dict[str, pl.DataType] = {
        "student_record_id": pl.Int64(),
        "transmission_id": pl.Int64(),
        "line": pl.Int64(),
        **{name: pl.Utf8() for name in GRADE_FIELDS},
        "mident": pl.Utf8(),
        "created_at": pl.Datetime(time_zone="UTC"),
    }
    parts = [
        frame(
            conn,
            select(
                g.c.student_record_id,
                g.c.transmission_id,
                g.c.line,
                *(g.c[name] for name in GRADE_FIELDS),
                t.c.mident,
                t.c.created_at,
            )
            .join(t, t.c.id == g.c.transmission_id)
            .where(g.c.student_record_id.in_(list(part)), g.c.accepted.is_(True)),
            schema,
        )
        for part in chunks(list(student_record_ids))
    ]
    return stacked(parts, schema)


STUDENT_SCHEMA: dict[str, pl.DataType] = {
    "student_key": pl.Int64(),
    "transmission_id": pl.Int64(),
    "line": pl.Int64(),
    "mident": pl.Utf8(),
    "student_number": pl.Utf8(),
    "oen": pl.Utf8(),
    "surname": pl.Utf8(),
    "first_name": pl.Utf8(),
    "middle_name": pl.Utf8(),
    "birth_date": pl.Date(),
    "gender": pl.Utf8(),
    "match_status": pl.Utf8(),
    "application_number": pl.Utf8(),
}


def _accepted_students(conn: Connection, *conditions: Any) -> pl.DataFrame:
    """Accepted S1 records of processed transmissions, in the matcher's schema (and more)."""
    s, t = table(StudentRecord), table(Transmission)
    columns = [s.c.id, *(s.c[name] for name in list(STUDENT_SCHEMA)[1:])]
    query = (
        select(*columns)
        .join(t, t.c.id == s.c.transmission_id)
        .where(
            s.c.accepted.is_(True),
            t.c.status.in_(["processed", "partially processed"]),
            *conditions,
        )
    )
    return frame(conn, query, STUDENT_SCHEMA)


def unmatched_students(conn: Connection) -> pl.DataFrame:
    """Accepted students whose courses are held (anything but a completed match)."""
    s = table(StudentRecord)
    return _accepted_students(conn, s.c.match_status.is_distinct_from("matched"))


def matched_students(conn: Connection, midents: Sequence[str]) -> pl.DataFrame:
    """Students already matched at these schools (a held twin must not take their applicant)."""
    s = table(StudentRecord)
    parts = [
        _accepted_students(conn, s.c.match_status == "matched", s.c.mident.in_(list(part)))
        for part in chunks(sorted(set(midents)))
    ]
    return stacked(parts, STUDENT_SCHEMA)


# -- matching ------------------------------------------------------------------------------


def save_decisions(
    conn: Connection, decisions: pl.DataFrame, now: datetime, *, current: bool = True
) -> None:
    """The decisions themselves for the record, and (`current`) as each student's current one.

    `current=False` when the student records were stored with them (`save_students`).
    """
    joined = decisions.with_columns(
        pl.col(name).list.join(";").alias(name) for name in ("codes", "agreed", "candidates")
    )
    if current:
        latest = joined.select(
            pl.col("student_key").alias("id"),
            pl.col("status").alias("match_status"),
            "application_number",
        )
        bulk_update(conn, table(StudentRecord), latest)
    rows = joined.select(
        pl.col("student_key").alias("student_record_id"),
        "status",
        "application_number",
        "codes",
        "agreed",
        "reason",
        "candidates",
        pl.lit(now).alias("decided_at"),
        *(pl.col(name) for name in ("weight", "evidence") if name in joined.columns),
    )
    insert_rows(conn, MatchDecision, rows)


# -- courses -------------------------------------------------------------------------------


def deleted_courses(conn: Connection, application_numbers: Sequence[str]) -> pl.DataFrame:
    """When each course of these applicants that is no longer on record was last deleted."""
    h, t, c = table(CourseChange), table(Transmission), table(Course)
    key = [h.c[name] for name in COURSE_KEY]
    on_record = select(c.c.id).where(*(c.c[name] == h.c[name] for name in COURSE_KEY)).exists()
    schema = deleted_courses_schema()
    parts = [
        frame(
            conn,
            select(*key, t.c.created_at, t.c.file_name)
            .join(t, t.c.id == h.c.transmission_id)
            .where(h.c.action == "delete", h.c.application_number.in_(list(part)), ~on_record),
            schema,
        )
        for part in chunks(sorted(set(application_numbers)))
    ]
    deletions = stacked(parts, schema)
    return deletions.sort("deleted_at").unique(subset=list(COURSE_KEY), keep="last")


def carried_courses(
    conn: Connection,
    midents: Sequence[str],
    created_at: datetime,
    application_numbers: Sequence[str],
) -> pl.DataFrame:
    """The courses of these applicants that a transmission of these schools, created after
    `created_at` and merged, carried and did not have refused; the newest such transmission
    of each course (`pipeline.merge.carried_courses_schema`).

    Only a transmission processed out of order (replayed after a newer one of its school)
    finds any; otherwise the first query returns nothing and the second is not made.
    """
    t, g, s, f = table(Transmission), table(GradeRecord), table(StudentRecord), table(MergeFinding)
    schema = carried_courses_schema()
    newer = [
        int(row)
        for row in conn.execute(
            select(t.c.id).where(
                t.c.mident.in_(list(midents)),
                t.c.created_at > created_at,
                t.c.status.in_(MERGED_STATUSES),
            )
        ).scalars()
    ]
    if not newer:
        return pl.DataFrame(schema=schema)
    refused = (
        select(f.c.id)
        .where(
            f.c.transmission_id == g.c.transmission_id,
            f.c.line == g.c.line,
            f.c.code.in_(REFUSED_CODES),
        )
        .exists()
    )
    columns = (s.c.application_number, g.c.course_code, g.c.completion_date, g.c.delivery_type)
    parts = [
        frame(
            conn,
            select(*columns, t.c.created_at, t.c.file_name, g.c.grade_type)
            .join(s, s.c.id == g.c.student_record_id)
            .join(t, t.c.id == g.c.transmission_id)
            .where(
                g.c.transmission_id.in_(newer),
                g.c.accepted,
                g.c.course_status != "D",
                s.c.match_status == "matched",
                s.c.application_number.in_(list(part)),
                ~refused,
            ),
            schema,
        )
        for part in chunks(sorted(set(application_numbers)))
    ]
    carried = stacked(parts, schema)
    return carried.sort("carried_at").unique(subset=list(COURSE_KEY), keep="last")


def stored_courses(conn: Connection, application_numbers: Sequence[str]) -> pl.DataFrame:
    """The courses on record for these applicants (`pipeline.merge.stored_courses_schema`)."""
    c, t = table(Course), table(Transmission)
    columns = [c.c.id, *(c.c[n] for n in (*COURSE_KEY, *COURSE_VALUES)), c.c.transmission_id]
    schema = stored_courses_schema()
    parts = [
        frame(
            conn,
            select(*columns, t.c.file_name, c.c.source_created_at)
            .join(t, t.c.id == c.c.transmission_id)
            .where(c.c.application_number.in_(list(part))),
            schema,
        )
        for part in chunks(sorted(set(application_numbers)))
    ]
    return stacked(parts, schema)


def read_courses(conn: Connection, query: CourseQuery) -> CourseSnapshot:
    """The stored courses a merge plan needs (`pipeline.merge.plan_merge`), read at once."""
    applicants = query.application_numbers
    return CourseSnapshot(
        stored=stored_courses(conn, applicants),
        deleted=deleted_courses(conn, applicants),
        carried=carried_courses(conn, query.midents, query.created_at, applicants),
    )


def _history(plan: pl.DataFrame, action: str, transmission_id: int, now: datetime) -> pl.DataFrame:
    def values(prefix: str) -> pl.Expr:
        return pl.struct(
            pl.col(prefix + name).alias(name) for name in COURSE_VALUES
        ).struct.json_encode()

    return plan.select(
        *COURSE_KEY,
        pl.lit(action).alias("action"),
        (values("stored_") if action != INSERT else pl.lit(None, dtype=pl.Utf8)).alias(
            "old_values"
        ),
        (values("") if action != DELETE else pl.lit(None, dtype=pl.Utf8)).alias("new_values"),
        pl.lit(transmission_id).alias("transmission_id"),
        pl.lit(now).alias("changed_at"),
    )


def apply_plan(
    conn: Connection, plan: pl.DataFrame, transmission_id: int, created_at: datetime, now: datetime
) -> None:
    """Carry out the inserts, updates and deletes of a merge plan, with their history."""
    c = table(Course)
    inserts = plan.filter(pl.col("action") == INSERT)
    updates = plan.filter(pl.col("action") == UPDATE)
    deletes = plan.filter(pl.col("action") == DELETE)
    source = [
        pl.lit(transmission_id).alias("transmission_id"),
        pl.lit(created_at).alias("source_created_at"),
    ]
    insert_rows(conn, Course, inserts.select(*COURSE_KEY, *COURSE_VALUES, *source))
    bulk_update(conn, c, updates.select(pl.col("stored_id").alias("id"), *COURSE_VALUES, *source))
    for part in chunks(deletes["stored_id"].to_list()):
        conn.execute(delete(c).where(c.c.id.in_(list(part))))
    history = pl.concat(
        [
            _history(inserts, INSERT, transmission_id, now),
            _history(updates, UPDATE, transmission_id, now),
            _history(deletes, DELETE, transmission_id, now),
        ]
    )
    insert_rows(conn, CourseChange, history)


def save_findings(
    conn: Connection, transmission_id: int, findings: pl.DataFrame, now: datetime
) -> None:
    """The matching and merge findings (A and M codes) of a transmission."""
    rows = findings.select(
        pl.lit(transmission_id).alias("transmission_id"),
        "code",
        pl.col("line").cast(pl.Int64),
        "record_type",
        "field",
        "value",
        "expected",
        "application_number",
        pl.lit(now).alias("created_at"),
    )
    insert_rows(conn, MergeFinding, rows)
