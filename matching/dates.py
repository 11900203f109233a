"""Birth-date agreement: exact, or a tolerated slip that counts only when the OEN agrees."""

import polars as pl

from matching.digits import adjacent_swap, differing_digits

EXACT = 2
TOLERATED = 1
DIFFERENT = 0


def _digits(date: pl.Expr) -> pl.Expr:
    """The date as the number YYYYMMDD."""
    return date.dt.year().cast(pl.Int64) * 10_000 + date.dt.month() * 100 + date.dt.day()


def day_month_swapped(student: pl.Expr, applicant: pl.Expr) -> pl.Expr:
    """Same year, the day of one is the month of the other and the other way round."""
    return (
        (student.dt.year() == applicant.dt.year())
        & (student.dt.month() == applicant.dt.day())
        & (student.dt.day() == applicant.dt.month())
        & (student != applicant)
    )


def date_slip(student: pl.Expr, applicant: pl.Expr) -> pl.Expr:
    """The kind of slip between two birth dates, or null when there is none or they differ more."""
    left, right = _digits(student), _digits(applicant)
    return (
        pl.when(student == applicant)
        .then(None)
        .when(day_month_swapped(student, applicant))
        .then(pl.lit("day and month swapped"))
        .when(differing_digits(left, right, 8) == 1)
        .then(pl.lit("one digit differs"))
        .when(adjacent_swap(left, right, 8))
        .then(pl.lit("two digits transposed"))
    )


def birth_date_level(student: pl.Expr, applicant: pl.Expr, oen_equal: pl.Expr) -> pl.Expr:
    """EXACT, TOLERATED (a slip, and only with an agreeing OEN: SPEC 5) or DIFFERENT."""
    return (
        pl.when(student == applicant)
        .then(pl.lit(EXACT, pl.Int8))
        .when(oen_equal & date_slip(student, applicant).is_not_null())
        .then(pl.lit(TOLERATED, pl.Int8))
        .otherwise(pl.lit(DIFFERENT, pl.Int8))
    )
