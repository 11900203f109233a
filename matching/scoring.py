"""Evidence of each candidate pair, and whether it supports a match (SPEC 5)."""

import polars as pl

from matching import dates, first_names, middle_names, oen, surnames
from matching.candidates import candidate_pairs

# Fields compared, each a level where higher is stronger; a candidate beats another only when it
# is at least as strong on every one of them and stronger on one.
DIMENSIONS = ("oen_level", "bd_level", "sur_level", "first_level", "middle_level", "school")

_WEIGHTS = {
    "oen_level": 0.35 / oen.EQUAL,
    "bd_level": 0.25 / dates.EXACT,
    "sur_level": 0.15 / surnames.EXACT,
    "first_level": 0.15 / first_names.EXACT,
    "middle_level": 0.05 / middle_names.AGREE,
    "school": 0.05,
}


def _paired(students: pl.DataFrame, applicants: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """The candidate pairs with both sides' columns, OEN, birth date and school evidence."""
    frame = pairs.join(students, on="s_idx").join(applicants, on="a_idx")
    oen_equal = pl.col("s_oen") == pl.col("a_oen")
    return frame.with_columns(
        oen_level=oen.oen_level(pl.col("s_oen"), pl.col("a_oen")),
        bd_level=dates.birth_date_level(pl.col("s_bd"), pl.col("a_bd"), oen_equal.fill_null(False)),
        bd_slip=dates.date_slip(pl.col("s_bd"), pl.col("a_bd")),
        school=pl.col("a_schools").list.contains(pl.col("mident")).fill_null(False).cast(pl.Int8),
    )


def _name_agrees() -> pl.Expr:
    return (pl.col("sur_level") >= surnames.TYPO) & (pl.col("first_level") >= first_names.TYPO)


def _support() -> dict[str, pl.Expr]:
    """`oen_match`, `name_match`, `plausible` and `oen_conflict` of each pair."""
    oen_equal = pl.col("oen_level") == oen.EQUAL
    bd_exact = pl.col("bd_level") == dates.EXACT
    # SPEC 5: an OEN match with an agreeing birth date (slips tolerated) or name is a match.
    oen_match = oen_equal & ((pl.col("bd_level") >= dates.TOLERATED) | _name_agrees())
    # Name and birth date alone are shared by namesakes: a school, an OEN typed with one slip or
    # a middle name must confirm them (SPEC 5: when in doubt, hold).
    confirmed = (
        (pl.col("school") == 1)
        | (pl.col("oen_level") == oen.SLIP)
        | (pl.col("middle_level") == middle_names.AGREE)
    )
    name_match = bd_exact & _name_agrees() & confirmed
    near = bd_exact & (pl.col("sur_level") >= surnames.TYPO) & (pl.col("first_level") >= 1)
    return {
        "oen_match": oen_match,
        "name_match": name_match & ~oen_match,
        "acceptable": oen_match | name_match,
        "plausible": oen_match | near,
        "oen_conflict": oen_equal & ~oen_match,
        "score": pl.sum_horizontal(pl.col(name) * weight for name, weight in _WEIGHTS.items()),
    }


def pair_evidence(students: pl.DataFrame, applicants: pl.DataFrame) -> pl.DataFrame:
    """One row per candidate pair with every field's level, how names agreed, and the verdict."""
    frame = _paired(students, applicants, candidate_pairs(students, applicants))
    frame = surnames.with_surname_evidence(frame)
    could_match = (pl.col("oen_level") == oen.EQUAL) | (
        (pl.col("bd_level") == dates.EXACT) & (pl.col("sur_level") >= surnames.TYPO)
    )
    frame = first_names.with_first_name_evidence(frame.filter(could_match))
    frame = middle_names.with_middle_name_evidence(frame)
    return frame.with_columns(**_support())
