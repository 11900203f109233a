"""Courses sent more than once for one student: two delivery types (G021), repeats (G022).

Both are warnings: the records are kept (docs/rules.md).
"""

from __future__ import annotations

import polars as pl

from rules.findings import rows_as_findings

MARK_DIGITS = "^[0-9]{3}$"


def _kept(owned_grades: pl.DataFrame) -> pl.LazyFrame:
    """G1 records of a known student that do not delete a course (status D)."""
    return owned_grades.lazy().filter(
        pl.col("owner_line").is_not_null() & (pl.col("course_status") != "D")
    )


def delivery_types_differ(owned_grades: pl.DataFrame) -> pl.DataFrame:
    """G021: one course and completion date sent with two delivery types for one student.

    Both records are kept and each is reported, naming the other delivery types. A record
    with status D is the correction itself, so it neither raises nor counts.
    """
    course = ["owner_line", "course_code", "completion_date"]
    # As for G015, one hash of the course keeps the few candidates before the exact grouping.
    candidates = pl.len().over(pl.struct(course).hash()) > 1
    types = pl.col("delivery_type").unique().over(course, mapping_strategy="join")
    rows = (
        _kept(owned_grades)
        .filter(candidates)
        .filter(pl.col("delivery_type").n_unique().over(course) > 1)
        .with_columns(
            types.list.set_difference(pl.concat_list("delivery_type"))
            .list.sort()
            .list.join(", ")
            .alias("others")
        )
    )
    return rows_as_findings(rows, "G021", "G1", "delivery_type", expected=pl.col("others"))


def repeat_on_higher_mark(owned_grades: pl.DataFrame) -> pl.DataFrame:
    """G022: status R on an attempt whose mark is above that of the attempt counted.

    docs/rules.md: the attempts of a course are a student's G1 records with the same course
    code, whatever their completion date. The attempt counted is one without a status (not
    repeated, withdrawn, non-credit or deleted); R belongs on the others, the lower marks. Only
    numeric marks (000-100) compare: EQV, ALT, I, N/A or a blank mark raise nothing. Equal
    marks raise nothing either (either attempt may carry the R). With several attempts
    counted, the lowest of their marks is the one compared.
    """
    course = ["owner_line", "course_code"]
    kept = _kept(owned_grades)
    # Repeats are few: only the courses that have one are looked at further.
    repeated = kept.filter(pl.col("course_status") == "R").select(course).unique()
    attempts = (
        kept.join(repeated, on=course, how="semi")
        .filter(pl.col("mark").str.contains(MARK_DIGITS))
        .with_columns(pl.col("mark").cast(pl.Int32))
    )
    counted = (
        attempts.filter(pl.col("course_status") == "")
        .group_by(course)
        .agg(pl.col("mark").min().alias("counted_mark"))
    )
    rows = (
        attempts.filter(pl.col("course_status") == "R")
        .join(counted, on=course, how="inner")
        .filter(pl.col("mark") > pl.col("counted_mark"))
        .with_columns(
            pl.col("mark").cast(pl.Utf8).str.zfill(3),
            pl.col("counted_mark").cast(pl.Utf8).str.zfill(3),
        )
    )
    return rows_as_findings(rows, "G022", "G1", "mark", expected=pl.col("counted_mark"))
