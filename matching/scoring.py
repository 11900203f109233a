"""Evidence of each candidate pair, and whether it supports a match (docs/matching.md)."""

import polars as pl

from matching import dates, first_names, middle_names, oen, surnames
from matching.candidates import candidate_pairs
from matching.fields import field_levels, with_swaps
from matching.weights import default_weights, with_weights

# Fields compared, each a level where higher is stronger; a candidate beats another only when it
# is at least as strong on every one of them and stronger on one.
DIMENSIONS = ("oen_level", "bd_level", "sur_level", "first_level", "middle_level", "school")

SCHOOL_AGREES = 2  # the student's school is among the applicant's schools
SCHOOL_UNKNOWN = 1  # the applicant listed no school
SCHOOL_DIFFERS = 0

_WEIGHTS = {
    "oen_level": 0.35 / oen.EQUAL,
    "bd_level": 0.25 / dates.EXACT,
    "sur_level": 0.15 / surnames.EXACT,
    "first_level": 0.15 / first_names.EXACT,
    "middle_level": 0.05 / middle_names.SAME,
    "school": 0.05 / SCHOOL_AGREES,
}


# The columns needed to judge OEN, birth date, school and surname, before the first names.
_FIRST_STAGE = (
    "s_idx", "mident", "s_oen", "s_bd", "s_sur_c", "s_sur_core", "s_sur_a",
    "a_idx", "a_oen", "a_bd", "a_last_c", "a_last_core", "a_last_a", "a_prev_c", "a_prev_core",
    "a_schools", "a_rep", "a_international",
)  # fmt: skip


def _sides(frame: pl.DataFrame, first_stage: bool) -> list[str]:
    """The columns of a prepared side used in the first stage, or the others and the index."""
    index = frame.columns[0]
    return [c for c in frame.columns if (c in _FIRST_STAGE) == first_stage or c == index]


def _school_level() -> pl.Expr:
    """SCHOOL_AGREES, SCHOOL_UNKNOWN or SCHOOL_DIFFERS."""
    listed = pl.col("a_schools").list.len() > 0
    agrees = pl.col("a_schools").list.contains(pl.col("mident")).fill_null(False)
    return (
        pl.when(agrees)
        .then(pl.lit(SCHOOL_AGREES, pl.Int8))
        .when(listed)
        .then(pl.lit(SCHOOL_DIFFERS, pl.Int8))
        .otherwise(pl.lit(SCHOOL_UNKNOWN, pl.Int8))
    )


def _paired(students: pl.DataFrame, applicants: pl.DataFrame, pairs: pl.DataFrame) -> pl.DataFrame:
    """The candidate pairs with school and surname evidence; are OEN and birth date equal."""
    frame = pairs.join(students.select(_sides(students, True)), on="s_idx").join(
        applicants.select(_sides(applicants, True)), on="a_idx"
    )
    frame = frame.with_columns(
        oen_equal=(pl.col("s_oen") == pl.col("a_oen")).fill_null(False),
        bd_equal=pl.col("s_bd") == pl.col("a_bd"),
        school=_school_level(),
    )
    return surnames.with_surname_evidence(frame)


def _with_levels(frame: pl.DataFrame) -> pl.DataFrame:
    """OEN and birth-date levels (slips are looked for only on the pairs that may match)."""
    numbers = frame.select(
        s_oen_n=pl.col("s_oen").cast(pl.Int64),
        a_oen_n=pl.col("a_oen").cast(pl.Int64),
        s_bd_n=dates.as_number(pl.col("s_bd")),
        a_bd_n=dates.as_number(pl.col("a_bd")),
    )
    slips = pl.DataFrame(
        [
            oen.oen_level(numbers["s_oen_n"], numbers["a_oen_n"]),
            dates.date_slip(numbers["s_bd_n"], numbers["a_bd_n"]),
        ]
    )
    level = dates.birth_date_level(pl.col("bd_slip"), pl.col("bd_equal"), pl.col("oen_equal"))
    return pl.concat([frame, slips], how="horizontal").with_columns(bd_level=level)


def _with_names(
    frame: pl.DataFrame, students: pl.DataFrame, applicants: pl.DataFrame
) -> pl.DataFrame:
    """The remaining columns of both sides, then first- and middle-name evidence."""
    frame = frame.join(students.select(_sides(students, False)), on="s_idx").join(
        applicants.select(_sides(applicants, False)), on="a_idx"
    )
    return middle_names.with_middle_name_evidence(first_names.with_first_name_evidence(frame))


def middle_confirms() -> pl.Expr:
    """The same middle name, with no OEN or school against it, not already used as first name."""
    same = (pl.col("middle_level") == middle_names.SAME) & (pl.col("oen_level") == oen.UNKNOWN)
    unopposed = same & (pl.col("school") == SCHOOL_UNKNOWN)
    return unopposed & (pl.col("first_kind") != first_names.MIDDLE).fill_null(True)


def _floor() -> pl.Expr:
    """Whether nothing in the pair speaks of another person: it may merge automatically.

    The weights add up evidence field by field; some combinations are a sibling, a twin or a
    namesake whatever the total (docs/matching.md): another first name, unless the OEN and the
    birth date both agree; both names different (same exception); or, without an agreeing OEN,
    a school listed by the applicant that is not the student's and no middle name in common.
    """
    first_differs = pl.col("first_level") == first_names.NONE
    sur_differs = (pl.col("sur_level") == surnames.NONE) & (pl.col("a_last_c") != "")
    swapped = pl.col("swapped")
    oen_agrees = pl.col("oen_level").is_in([oen.EQUAL, oen.SLIP])
    bd_equal = pl.col("bd_equal").fill_null(False)
    vouched = oen_agrees & bd_equal  # an OEN and birth date that agree are a match on their own
    sibling = first_differs & ~swapped & ~vouched
    stranger = first_differs & sur_differs & ~swapped & ~vouched
    namesake = ~oen_agrees & (pl.col("school") == SCHOOL_DIFFERS)
    namesake = namesake & (pl.col("middle_level") != middle_names.SAME)
    return ~(sibling | stranger | namesake).fill_null(False)


def _support() -> dict[str, pl.Expr]:
    """Whether a pair may merge (`floor`), whether its OEN match holds on its own (explained in
    the reason), and the old normalised score of agreeing fields."""
    oen_equal = pl.col("oen_level") == oen.EQUAL
    sur, first = pl.col("sur_level"), pl.col("first_level")
    # Without any agreeing birth date, a loose name (a typo, or a sibling's middle name) is not
    # enough: a brother or sister may have typed the student's OEN.
    strong_name = (sur >= surnames.VARIANT) & (first >= first_names.VARIANT)
    strong_name = strong_name & (pl.col("first_kind") != first_names.MIDDLE).fill_null(True)
    # An OEN match with an agreeing birth date (slips tolerated) or name is a match. A slipped
    # birth date also needs the first name: a sibling's birthday can be one digit away.
    bd_exact = pl.col("bd_level") == dates.EXACT
    bd_slip = (pl.col("bd_level") == dates.TOLERATED) & (first >= first_names.TYPO)
    return {
        "floor": _floor(),
        "oen_match": oen_equal & (bd_exact | bd_slip | strong_name),
        "score": pl.sum_horizontal(pl.col(name) * weight for name, weight in _WEIGHTS.items()),
    }


def pair_evidence(
    students: pl.DataFrame,
    applicants: pl.DataFrame,
    pairs: pl.DataFrame | None = None,
    weights: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per candidate pair: every field's level and weight, the total `weight`.

    `pairs`: the candidate pairs when found beforehand (`ApplicantPool.candidates`);
    `weights`: a weights table (`matching.weights`), the shipped one when not given.
    """
    weights = default_weights() if weights is None else weights
    pairs = candidate_pairs(students, applicants) if pairs is None else pairs
    frame = _with_levels(_paired(students, applicants, pairs))
    frame = with_swaps(_with_names(frame, students, applicants)).with_columns(**_support())
    return with_weights(frame.with_columns(**field_levels()), weights)
