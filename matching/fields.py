"""Field levels of the weighted evidence: what each field of a pair says (docs/matching.md).

Each compared field gets one named level (OEN `equal`, birth date `one_digit`, surname `typo`...).
The levels come from the agreement rules of the name, date and OEN modules, plus two that only
the weighted evidence uses: names swapped between the surname and first-name fields, and names
close but past a tolerated typing error (`fuzzy`).
"""

import polars as pl
from rapidfuzz.distance import JaroWinkler

from matching import first_names, middle_names, oen, surnames
from matching.similarity import edit_distances, pairwise, tolerated_edits

# The fields of the evidence, in the order they are shown.
FIELDS = ("oen", "birth_date", "surname", "first_name", "middle_name", "school")

# Jaro-Winkler similarity from which two names that are no tolerated typo are still `fuzzy`.
FUZZY_SIMILARITY = 0.88

SCHOOL_AGREES = 2  # as in matching.scoring
SCHOOL_UNKNOWN = 1


def similarities(left: pl.Series, right: pl.Series) -> pl.Series:
    """Jaro-Winkler similarity of each (left, right) pair, scored in bulk."""
    return pairwise(left, right, JaroWinkler.similarity, float_scores=True)


def _close(frame: pl.DataFrame, left: str, right: str) -> pl.Series:
    """Equal and non-empty, or within a tolerated typing error."""
    distance = edit_distances(frame[left], frame[right])
    tolerated = frame.select(tolerated_edits(pl.col(left), pl.col(right))).to_series()
    present = frame.select((pl.col(left) != "") & (pl.col(right) != "")).to_series()
    return present & (distance <= tolerated)


def with_swaps(frame: pl.DataFrame) -> pl.DataFrame:
    """Add `swapped`: the student's surname is the applicant's first name and the other way round.

    Each cross may carry a tolerated typing error; the names must not also agree in place.
    """
    if frame.is_empty():
        return frame.with_columns(swapped=pl.lit(False), sur_fuzzy=False, first_fuzzy=False)
    sur_first = _close(frame, "s_sur_c", "a_first_c")
    first_last = _close(frame, "s_first_c", "a_last_c")
    in_place = frame.select(pl.col("s_sur_c") == pl.col("a_last_c")).to_series()
    sur_similar = similarities(frame["s_sur_c"], frame["a_last_c"]) >= FUZZY_SIMILARITY
    first_similar = similarities(frame["s_first_c"], frame["a_first_c"]) >= FUZZY_SIMILARITY
    return frame.with_columns(
        swapped=(sur_first & first_last & ~in_place).fill_null(False),
        sur_fuzzy=sur_similar.fill_null(False),
        first_fuzzy=first_similar.fill_null(False),
    )


def _oen() -> pl.Expr:
    level = pl.col("oen_level")
    return (
        pl.when(level == oen.EQUAL)
        .then(pl.lit("equal"))
        .when(level == oen.SLIP)
        .then(pl.lit("slip"))
        .when(level == oen.UNKNOWN)
        .then(pl.lit("missing"))
        .otherwise(pl.lit("different"))
    )


def _birth_date() -> pl.Expr:
    slip = pl.col("bd_slip")
    same_year = pl.col("s_bd").dt.year() == pl.col("a_bd").dt.year()
    return (
        pl.when(pl.col("s_bd").is_null() | pl.col("a_bd").is_null())
        .then(pl.lit("missing"))
        .when(pl.col("bd_equal"))
        .then(pl.lit("equal"))
        .when(slip == "day and month swapped")
        .then(pl.lit("swapped"))
        .when(slip.is_not_null())
        .then(pl.lit("one_digit"))
        .when(same_year)
        .then(pl.lit("year"))
        .otherwise(pl.lit("different"))
    )


def _surname() -> pl.Expr:
    level = pl.col("sur_level")
    return (
        pl.when(level == surnames.EXACT)
        .then(pl.lit("exact"))
        .when(pl.col("swapped"))
        .then(pl.lit("swapped"))
        .when(level == surnames.VARIANT)
        .then(pl.lit("variant"))
        .when(level == surnames.TYPO)
        .then(pl.lit("typo"))
        .when(pl.col("a_last_c") == "")
        .then(pl.lit("missing"))
        .when(pl.col("sur_fuzzy"))
        .then(pl.lit("fuzzy"))
        .otherwise(pl.lit("different"))
    )


def _first_name() -> pl.Expr:
    level, kind = pl.col("first_level"), pl.col("first_kind")
    return (
        pl.when(level == first_names.EXACT)
        .then(pl.lit("exact"))
        .when(pl.col("swapped"))
        .then(pl.lit("swapped"))
        .when((level == first_names.VARIANT) & (kind == first_names.MIDDLE))
        .then(pl.lit("middle"))
        .when(level == first_names.VARIANT)
        .then(pl.lit("variant"))
        .when(level == first_names.TYPO)
        .then(pl.lit("typo"))
        .when(kind == first_names.NOT_GIVEN)
        .then(pl.lit("missing"))
        .when(kind == first_names.INITIAL)
        .then(pl.lit("initial"))
        .when(pl.col("first_fuzzy"))
        .then(pl.lit("fuzzy"))
        .otherwise(pl.lit("different"))
    )


def _middle_name() -> pl.Expr:
    level = pl.col("middle_level")
    return (
        pl.when(level == middle_names.SAME)
        .then(pl.lit("same"))
        .when(level == middle_names.COMPATIBLE)
        .then(pl.lit("compatible"))
        .when(level == middle_names.UNKNOWN)
        .then(pl.lit("missing"))
        .otherwise(pl.lit("different"))
    )


def _school() -> pl.Expr:
    level = pl.col("school")
    return (
        pl.when(level == SCHOOL_AGREES)
        .then(pl.lit("agrees"))
        .when(level == SCHOOL_UNKNOWN)
        .then(pl.lit("missing"))
        .otherwise(pl.lit("differs"))
    )


def field_levels() -> dict[str, pl.Expr]:
    """`<field>_fs`: the named level of each field (needs `with_swaps` and the pair evidence)."""
    levels = {
        "oen": _oen(),
        "birth_date": _birth_date(),
        "surname": _surname(),
        "first_name": _first_name(),
        "middle_name": _middle_name(),
        "school": _school(),
    }
    return {field + "_fs": expr for field, expr in levels.items()}
