"""OEN agreement between a student and an applicant."""

import polars as pl

from matching.digits import one_slip

EQUAL = 3
SLIP = 2  # both present, one digit mistyped or two swapped: the same number typed badly
UNKNOWN = 1  # missing on one side
DIFFERENT = 0


def oen_level(student: pl.Expr, applicant: pl.Expr) -> pl.Expr:
    """EQUAL, SLIP, UNKNOWN or DIFFERENT, of two OENs given as integers."""
    return (
        pl.when(student.is_null() | applicant.is_null())
        .then(pl.lit(UNKNOWN, pl.Int8))
        .when(student == applicant)
        .then(pl.lit(EQUAL, pl.Int8))
        .when(one_slip(student, applicant, 9))
        .then(pl.lit(SLIP, pl.Int8))
        .otherwise(pl.lit(DIFFERENT, pl.Int8))
    )
