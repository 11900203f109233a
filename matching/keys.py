"""Blocking keys beyond the equal OEN and birth date: an OEN one digit off, the names alone.

An OEN with one digit mistyped or two neighbouring digits swapped shares, with the true one,
one of its deletion keys (the OEN with one digit left out). Names typed in full meet on keys
made of both names, in either field order, so that names swapped between the surname and
first-name fields meet too; a name mistyped past its first letters meets on a key made of the
other name in full and its first letters (`typo_name_keys`).
"""

import numpy as np
import polars as pl
from rapidfuzz.distance import Indel

from matching.similarity import pairwise

OEN_DIGITS = 9
PREFIX = 3  # letters of the other name in a typo key
TYPO_KEY_SEED = 20_261_207  # of the hash of the typo keys (any fixed value)
# Pairs found on the names alone are kept when their full names are this similar (Indel),
# in either field order or with the middle name as the first: a shared key alone is common.
NAME_SIMILARITY = 0.85

# The surname, then the given names: a middle name used as the first name meets it too.
STUDENT_NAMES = ("s_sur_c", "s_first_c", "s_middle_c")
APPLICANT_NAMES = ("a_last_c", "a_first_c", "a_middle_c")


def oen_slip_keys(frame: pl.DataFrame, index: str, column: str) -> pl.DataFrame:
    """(index, key): each OEN with one of its digits left out, nine keys per OEN."""
    oens = frame.select(index, column).drop_nulls(column)
    parts = [
        oens.select(index, key=pl.col(column).str.slice(0, i) + pl.col(column).str.slice(i + 1))
        for i in range(OEN_DIGITS)
    ]
    return pl.concat(parts).unique()


def slip_pairs(students: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """(s_idx, a_idx) whose OENs share a deletion key (the equal ones among them too)."""
    mine = oen_slip_keys(students, "s_idx", "s_oen")
    return (
        mine.join(keys, on="key").select("s_idx", pl.col(keys.columns[0]).alias("a_idx")).unique()
    )


def _pair(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """The two parts of a key in sorted order (null when a name is missing)."""
    ordered = pl.when(left <= right).then(left + "|" + right).otherwise(right + "|" + left)
    return pl.when((left.str.len_chars() > 1) & (right.str.len_chars() > 1)).then(ordered)


def name_keys(frame: pl.DataFrame, index: str, surname: str, *given: str) -> pl.DataFrame:
    """(index, key): the surname and each given name, both in full.

    Keys are sorted pairs, so that a surname typed as the first name (and the reverse) meets.
    """
    sur = pl.col(surname).fill_null("")
    parts = []
    for name in given:
        other = pl.col(name).fill_null("")
        parts.append(_pair(sur, other))
    keys = frame.select(index, key=pl.concat_list(parts))
    return keys.explode("key").drop_nulls().unique()


def typo_name_keys(frame: pl.DataFrame, index: str, surname: str, *given: str) -> pl.DataFrame:
    """(index, key): the surname in full and the first PREFIX letters of a given name, and the
    reverse, as sorted pairs: a name mistyped past its first letters meets the true one when
    the other name is typed in full (in either field order).

    The keys are hashed (an integer each, not a string): every applicant has four of them, kept
    for the whole run; two keys that hash alike only add a pair that the names' similarity
    then drops."""
    sur = pl.col(surname).fill_null("")
    parts = []
    for name in given:
        other = pl.col(name).fill_null("")
        parts += [
            _pair(sur, "~" + other.str.slice(0, PREFIX)),
            _pair("~" + sur.str.slice(0, PREFIX), other),
        ]
    keys = frame.select(index, key=pl.concat_list(parts)).explode("key").drop_nulls()
    return keys.select(index, key=pl.col("key").hash(TYPO_KEY_SEED)).unique()


def name_pairs(students: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """(s_idx, a_idx) sharing a name key, whatever their birth dates and OENs."""
    mine = name_keys(students, "s_idx", *STUDENT_NAMES)
    return (
        mine.join(keys, on="key").select("s_idx", pl.col(keys.columns[0]).alias("a_idx")).unique()
    )


def _indel(left: pl.Series, right: pl.Series) -> np.ndarray:
    return pairwise(left, right, Indel.normalized_similarity, float_scores=True).to_numpy()


def similar_names(
    pairs: pl.DataFrame, students: pl.DataFrame, applicants: pl.DataFrame
) -> pl.DataFrame:
    """The (s_idx, a_idx) pairs whose full names are similar (NAME_SIMILARITY).

    `students` and `applicants` are the prepared sides, indexed by position (`s_idx`, `a_idx`).
    """
    if pairs.is_empty():
        return pairs
    s = students.select("s_idx", "s_sur_c", "s_first_c", "s_middle_c")
    a = applicants.select("a_idx", "a_last_c", "a_first_c")
    joined = pairs.join(s, on="s_idx").join(a, on="a_idx")
    student = joined["s_sur_c"] + " " + joined["s_first_c"]
    middle = joined["s_sur_c"] + " " + joined["s_middle_c"]
    applicant = joined["a_last_c"] + " " + joined["a_first_c"]
    reversed_ = joined["a_first_c"] + " " + joined["a_last_c"]
    best = np.maximum.reduce(
        [
            _indel(student, applicant),
            _indel(student, reversed_),
            _indel(middle, applicant),
        ]
    )
    return joined.filter(pl.Series(best >= NAME_SIMILARITY)).select("s_idx", "a_idx")
