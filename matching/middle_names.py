"""Middle-name agreement: a supporting field, never enough on its own."""

import polars as pl

from matching.similarity import with_typo
from matching.variants import variant_pairs

SAME = 3
COMPATIBLE = 2  # an initial, a short form, a variant or a typo of the other
UNKNOWN = 1  # missing on one side
DISAGREE = 0


def _related() -> pl.Expr:
    """Equal, an initial of the other, or one a prefix of the other (three letters or more)."""
    student, applicant = pl.col("s_middle_c"), pl.col("a_middle_c")
    shorter = pl.min_horizontal(student.str.len_chars(), applicant.str.len_chars())
    prefix = student.str.starts_with(applicant) | applicant.str.starts_with(student)
    return (student == applicant) | (prefix & ((shorter >= 3) | (shorter == 1)))


def with_middle_name_evidence(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add `middle_level`: SAME, COMPATIBLE, UNKNOWN or DISAGREE."""
    table = variant_pairs().select(s_middle_c="name", a_middle_c="variant", middle_variant=True)
    pairs = pairs.join(table, on=["s_middle_c", "a_middle_c"], how="left", maintain_order="left")
    both = (pl.col("s_middle_c") != "") & (pl.col("a_middle_c") != "")
    pairs = with_typo(pairs, "s_middle_c", "a_middle_c", both, "middle_typo")
    agree = _related() | pl.col("middle_variant").fill_null(False) | pl.col("middle_typo")
    level = (
        pl.when(~both)
        .then(pl.lit(UNKNOWN, pl.Int8))
        .when(pl.col("s_middle_c") == pl.col("a_middle_c"))
        .then(pl.lit(SAME, pl.Int8))
        .when(agree)
        .then(pl.lit(COMPATIBLE, pl.Int8))
        .otherwise(pl.lit(DISAGREE, pl.Int8))
    )
    return pairs.with_columns(middle_level=level).drop("middle_variant", "middle_typo")
