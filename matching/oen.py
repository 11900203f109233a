"""OEN agreement between a student and an applicant."""

import polars as pl

from matching.digits import one_slip

EQUAL = 3
SLIP = 2  # both present, one digit mistyped or two swapped: the same number typed badly
UNKNOWN = 1  # missing on one side
DIFFERENT = 0


def oen_level(student: pl.Series, applicant: pl.Series) -> pl.Series:
    """EQUAL, SLIP, UNKNOWN or DIFFERENT, of two columns of OENs given as integers."""
    frame = pl.DataFrame({"s": student, "a": applicant, "slip": one_slip(student, applicant, 9)})
    s, a = pl.col("s"), pl.col("a")
    return frame.select(
        pl.when(s.is_null() | a.is_null())
        .then(pl.lit(UNKNOWN, pl.Int8))
        .when(s == a)
        .then(pl.lit(EQUAL, pl.Int8))
        .when(pl.col("slip"))
        .then(pl.lit(SLIP, pl.Int8))
        .otherwise(pl.lit(DIFFERENT, pl.Int8))
        .alias("oen_level")
    ).to_series()
