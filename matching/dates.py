"""Birth-date agreement: exact, or a tolerated slip that counts only when the OEN agrees."""

# Dates are compared as numbers YYYYMMDD (see `as_number`), digit by digit.

import polars as pl

from matching.digits import adjacent_swap, one_digit

EXACT = 2
TOLERATED = 1
DIFFERENT = 0


def as_number(date: pl.Expr) -> pl.Expr:
    """The date as the number YYYYMMDD."""
    year, month, day = (
        part.cast(pl.Int64) for part in (date.dt.year(), date.dt.month(), date.dt.day())
    )
    return year * 10_000 + month * 100 + day


def day_month_swapped(student: pl.Expr, applicant: pl.Expr) -> pl.Expr:
    """Same year, the day of one is the month of the other and the other way round."""
    day, month, year = student % 100, student // 100 % 100, student // 10_000
    swapped = applicant == year * 10_000 + day * 100 + month
    return swapped & (student != applicant)


def date_slip(student: pl.Series, applicant: pl.Series) -> pl.Series:
    """The kind of slip between two columns of YYYYMMDD numbers, or null (equal, or further
    apart)."""
    frame = pl.DataFrame(
        {
            "s": student,
            "a": applicant,
            "one": one_digit(student, applicant, 8),
            "two": adjacent_swap(student, applicant, 8),
        }
    )
    s, a = pl.col("s"), pl.col("a")
    return frame.select(
        pl.when(s == a)
        .then(None)
        .when(day_month_swapped(s, a))
        .then(pl.lit("day and month swapped"))
        .when(pl.col("one"))
        .then(pl.lit("one digit differs"))
        .when(pl.col("two"))
        .then(pl.lit("two digits transposed"))
        .alias("bd_slip")
    ).to_series()


def birth_date_level(slip: pl.Expr, equal: pl.Expr, oen_equal: pl.Expr) -> pl.Expr:
    """EXACT, TOLERATED (a slip, and only with an agreeing OEN: docs/matching.md) or DIFFERENT."""
    return (
        pl.when(equal)
        .then(pl.lit(EXACT, pl.Int8))
        .when(oen_equal & slip.is_not_null())
        .then(pl.lit(TOLERATED, pl.Int8))
        .otherwise(pl.lit(DIFFERENT, pl.Int8))
    )
