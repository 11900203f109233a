"""Merge planning (docs/merging.md): incoming courses against stored ones -> one action per course.

Pure column logic; `pipeline/store` carries the plan out inside the transmission's
transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from rules.codes import allowed
from rules.findings import empty_findings

COURSE_KEY = ("application_number", "course_code", "completion_date", "delivery_type")
COURSE_VALUES = (
    "mident",
    "student_number",
    "grade_type",
    "mark",
    "credit_value",
    "course_status",
    "course_type",
    "notes",
    "course_mident",
    "supplier_mident",
    "course_title",
)
STORED_PREFIX = "stored_"

INSERT, UPDATE, DELETE, UNCHANGED = "insert", "update", "delete", "unchanged"
STALE, BACKWARDS, REFUSED_DELETE, NOTHING_TO_DELETE = (
    "stale",
    "backwards",
    "refused_delete",
    "nothing_to_delete",
)
# The glossary code each refused or no-op action is reported with.
ACTION_CODES = {BACKWARDS: "M001", REFUSED_DELETE: "M002", NOTHING_TO_DELETE: "M003", STALE: "M004"}
# The field each finding names: the grade type that would go back, the D status that was refused
# or had nothing to delete, and for a stale update the course as a whole (as G015 names it).
ACTION_FIELDS = {
    BACKWARDS: "grade_type",
    REFUSED_DELETE: "course_status",
    NOTHING_TO_DELETE: "course_status",
    STALE: "course_code",
}
REFUSED = (STALE, BACKWARDS, REFUSED_DELETE)
# A course record the merge refused confirmed nothing (`pipeline.store.carried_courses`).
REFUSED_CODES = tuple(ACTION_CODES[action] for action in REFUSED)


def grade_rank(column: str) -> pl.Expr:
    """P < C < M < F (docs/merging.md): a course's grade type may only move forwards."""
    order = allowed("G1", "grade_type_order")
    return pl.col(column).replace_strict(order, list(range(len(order))), default=None)


def course_school() -> pl.Expr:
    """docs/format.md, G1 layout: a blank or 000000 course MIDENT is the sending school."""
    own = pl.col("course_mident").str.strip_chars(" ")
    return pl.when(own.is_in(["", "000000"])).then(pl.col("mident")).otherwise(own)


def stored_courses_schema() -> dict[str, pl.DataType]:
    return {
        "id": pl.Int64(),
        **{name: pl.Utf8() for name in (*COURSE_KEY, *COURSE_VALUES)},
        "transmission_id": pl.Int64(),
        "transmission_file": pl.Utf8(),
        "source_created_at": pl.Datetime(time_zone="UTC"),
    }


def carried_courses_schema() -> dict[str, pl.DataType]:
    """Courses a newer transmission of the school carried and merged, even unchanged."""
    return {
        **{name: pl.Utf8() for name in COURSE_KEY},
        "carried_at": pl.Datetime(time_zone="UTC"),
        "carried_file": pl.Utf8(),
        "carried_grade_type": pl.Utf8(),
    }


def deleted_courses_schema() -> dict[str, pl.DataType]:
    return {
        **{name: pl.Utf8() for name in COURSE_KEY},
        "deleted_at": pl.Datetime(time_zone="UTC"),
        "deleted_file": pl.Utf8(),
    }


@dataclass(frozen=True)
class CourseQuery:
    """Which stored courses a merge plan needs: those of these applicants, and those carried
    by transmissions of these schools created after `created_at` (`plan_merge`)."""

    application_numbers: tuple[str, ...]
    midents: tuple[str, ...]
    created_at: datetime


@dataclass(frozen=True)
class CourseSnapshot:
    """The stored courses a merge plan meets, read once (`plan_merge` says what each holds)."""

    stored: pl.DataFrame
    deleted: pl.DataFrame
    carried: pl.DataFrame


def course_query(incoming: pl.DataFrame, created_at: datetime) -> CourseQuery:
    """What to read for planning the merge of `incoming`."""
    applicants = tuple(incoming["application_number"].unique().to_list())
    return CourseQuery(applicants, tuple(incoming["mident"].unique().to_list()), created_at)


def plan_against(
    incoming: pl.DataFrame, snapshot: CourseSnapshot, created_at: datetime
) -> pl.DataFrame:
    """`plan_merge` against a snapshot of the stored courses."""
    return plan_merge(incoming, snapshot.stored, created_at, snapshot.deleted, snapshot.carried)


def plan_merge(
    incoming: pl.DataFrame,
    stored: pl.DataFrame,
    created_at: datetime,
    deleted: pl.DataFrame | None = None,
    carried: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Each incoming course with its `action` and the stored values it meets (`stored_*`).

    `incoming` has the course key, the course values and `line`; `stored` the applicants'
    courses (`stored_courses_schema`); `deleted` the newest deletion of each course no longer
    on record (`deleted_courses_schema`), so that an older transmission cannot bring back a
    course a newer one deleted; `carried` the newest transmission of the school that carried and
    merged each course after this one (`carried_courses_schema`), so that an older transmission
    replayed late cannot overwrite what a newer one confirmed unchanged. `created_at` is the
    header timestamp of the transmission the incoming courses come from.
    """
    # One file should not carry a course twice (G015); if two students map to one applicant
    # anyway, the later record wins.
    latest = incoming.sort("line").unique(subset=list(COURSE_KEY), keep="last", maintain_order=True)
    renamed = stored.rename({c: STORED_PREFIX + c for c in stored.columns if c not in COURSE_KEY})
    joined = latest.join(renamed, on=list(COURSE_KEY), how="left", nulls_equal=True)
    for known, schema in ((deleted, deleted_courses_schema()), (carried, carried_courses_schema())):
        joined = joined.join(
            known if known is not None else pl.DataFrame(schema=schema),
            on=list(COURSE_KEY),
            how="left",
            nulls_equal=True,
        )
    return joined.with_columns(*_newest_other_change()).with_columns(
        _action(created_at).alias("action")
    )


def _newest_other_change() -> list[pl.Expr]:
    """When, and by which file, the course was last changed, deleted or carried unchanged."""
    exists = pl.col("stored_id").is_not_null()
    changed_at = pl.when(exists).then(pl.col("stored_source_created_at")).otherwise("deleted_at")
    changed_by = pl.when(exists).then(pl.col("stored_transmission_file")).otherwise("deleted_file")
    carried_later = pl.col("carried_at").is_not_null() & (
        changed_at.is_null() | (pl.col("carried_at") > changed_at)
    )
    # In docs/merging.md order the newer record comes after this one. It would have replaced this
    # one unless its grade type is behind (refused then, M001, and this one stays); after a deletion
    # it would have put the course back.
    replaces = (pl.col("course_status") == "D") | (
        grade_rank("carried_grade_type") >= grade_rank("grade_type")
    )
    carried_later = carried_later & replaces
    return [
        pl.when(carried_later).then(pl.col("carried_at")).otherwise(changed_at).alias("newer_at"),
        pl.when(carried_later)
        .then(pl.col("carried_file"))
        .otherwise(changed_by)
        .alias("newer_file"),
    ]


def _action(created_at: datetime) -> pl.Expr:
    exists = pl.col("stored_id").is_not_null()
    deleting = pl.col("course_status") == "D"
    # docs/rules.md: D deletes a stored P, C or M grade, never a stored final (M002).
    stored_final = ~pl.col("stored_grade_type").is_in(allowed("G1", "deletable_grade_types"))
    same = pl.all_horizontal(
        pl.col(name).eq_missing(pl.col(STORED_PREFIX + name)) for name in COURSE_VALUES
    )
    return (
        pl.when(pl.col("newer_at") > pl.lit(created_at))
        .then(pl.lit(STALE))
        .when(deleting & ~exists)
        .then(pl.lit(NOTHING_TO_DELETE))
        .when(deleting & stored_final)
        .then(pl.lit(REFUSED_DELETE))
        .when(deleting)
        .then(pl.lit(DELETE))
        .when(~exists)
        .then(pl.lit(INSERT))
        .when(grade_rank("grade_type") < grade_rank("stored_grade_type"))
        .then(pl.lit(BACKWARDS))
        .when(same)
        .then(pl.lit(UNCHANGED))
        .otherwise(pl.lit(UPDATE))
    )


EMPTY_COUNTS = {"inserted": 0, "updated": 0, "deleted": 0, "unchanged": 0, "refused": 0}


def merge_counts(plan: pl.DataFrame) -> dict[str, int]:
    """docs/commands.md "merge" counts: inserted, updated, deleted, unchanged, refused."""
    action = plan["action"]

    def count(*names: str) -> int:
        return int(action.is_in(list(names)).sum())

    return {
        "inserted": count(INSERT),
        "updated": count(UPDATE),
        "deleted": count(DELETE),
        "unchanged": count(UNCHANGED, NOTHING_TO_DELETE),
        "refused": count(*REFUSED),
    }


def merge_findings(plan: pl.DataFrame) -> pl.DataFrame:
    """M001-M004 findings for the courses that were refused or had nothing to do."""
    coded = plan.filter(pl.col("action").is_in(list(ACTION_CODES)))
    if coded.is_empty():
        return empty_findings()
    return coded.select(
        pl.col("action").replace_strict(ACTION_CODES).alias("code"),
        pl.col("line").cast(pl.UInt32),
        pl.lit("G1").alias("record_type"),
        pl.col("action").replace_strict(ACTION_FIELDS).alias("field"),
        pl.coalesce(
            pl.when(pl.col("action") == action).then(pl.col(name))
            for action, name in ACTION_FIELDS.items()
        ).alias("value"),
        pl.when(pl.col("action") == STALE)
        .then(pl.col("newer_file"))
        .otherwise(pl.col("stored_grade_type"))
        .alias("expected"),
        "application_number",
    )
