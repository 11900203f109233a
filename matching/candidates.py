"""Blocking: the candidate (student, applicant) pairs, found by joins and never by all pairs."""

import polars as pl

from matching.keys import APPLICANT_NAMES, name_keys, name_pairs, oen_slip_keys, slip_pairs
from matching.variants import variant_pairs

PAIRS_SCHEMA: dict[str, pl.DataType] = {"s_idx": pl.UInt32(), "a_idx": pl.UInt32()}

# A blocking key is the first letters of a name word: a typo past them still meets its match.
KEY_LENGTH = 3


def _word_keys(words: pl.Expr) -> pl.Expr:
    """The first letters of every word in a list of words, and its last ones.

    Surnames and given names share the namespace, so that names swapped between the two fields
    meet; the last letters catch a typing error in the first ones.
    """
    heads = words.list.eval(pl.lit("n:") + pl.element().str.slice(0, KEY_LENGTH))
    tails = words.list.eval(
        pl.lit("e:")
        + pl.element().filter(pl.element().str.len_chars() > KEY_LENGTH + 1).str.slice(-KEY_LENGTH)
    )
    return pl.concat_list(heads, tails)


def _first_name_variants(students: pl.DataFrame) -> pl.DataFrame:
    """(s_idx, birth date, variant) for every known variant of the student's given names."""
    words = students.select(
        "s_idx", "s_bd", name=pl.concat_list("s_first_t", "s_middle_t", pl.col("s_first_c"))
    ).explode("name")
    return words.join(variant_pairs(), on="name").select(
        "s_idx", "s_bd", words=pl.concat_list("variant")
    )


def _keys(frame: pl.DataFrame, index: str, birth_date: str, *lists: pl.Expr) -> pl.DataFrame:
    """One row per distinct (index, birth date, key) of the given key lists."""
    return (
        frame.select(index, birth_date=birth_date, key=pl.concat_list(*lists))
        .explode("key")
        .drop_nulls()
        .unique()
    )


def student_keys(students: pl.DataFrame) -> pl.DataFrame:
    """Blocking keys of the students: surname, given names and the given names' variants."""
    names = _keys(
        students,
        "s_idx",
        "s_bd",
        _word_keys(pl.col("s_sur_core")),
        _word_keys(pl.concat_list("s_first_t", "s_middle_t")),
    )
    variants = _keys(_first_name_variants(students), "s_idx", "s_bd", _word_keys(pl.col("words")))
    return pl.concat([names, variants]).unique()


def applicant_keys(applicants: pl.DataFrame) -> pl.DataFrame:
    """Blocking keys of the applicants: last and previous surname, given names."""
    return _keys(
        applicants,
        "a_idx",
        "a_bd",
        _word_keys(pl.concat_list("a_last_core", "a_prev_core")),
        _word_keys(pl.concat_list("a_first_t", "a_middle_t")),
    )


def oen_pairs(students: pl.DataFrame, applicants: pl.DataFrame) -> pl.DataFrame:
    """Pairs whose OENs are equal (docs/matching.md: the first blocking key)."""
    return (
        students.select("s_idx", oen="s_oen")
        .drop_nulls()
        .join(applicants.select("a_idx", oen="a_oen").drop_nulls(), on="oen")
        .select("s_idx", "a_idx")
    )


def dated_key() -> pl.Expr:
    """`dated`: a key table's birth date and key as one string, to look both up at once."""
    return (pl.col("birth_date").cast(pl.String) + "|" + pl.col("key")).alias("dated")


def birth_date_pairs(
    students: pl.DataFrame, keys: pl.DataFrame, mine: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Pairs with equal birth dates that share a name key (surname, given name or variant).

    `keys` are the applicants' (`applicant_keys`), computed once for many files; `mine` the
    students' (`student_keys`) when already computed.
    """
    mine = student_keys(students) if mine is None else mine
    return (
        mine.select("s_idx", "birth_date", "key")
        .join(keys.select("a_idx", "birth_date", "key"), on=["birth_date", "key"])
        .select("s_idx", "a_idx")
        .unique()
    )


def candidate_pairs(
    students: pl.DataFrame,
    applicants: pl.DataFrame,
    keys: pl.DataFrame | None = None,
    more: pl.DataFrame | None = None,
    mine: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every candidate pair: equal OEN, equal birth date with a shared name key, and `more`.

    `more`: pairs found on the other keys (an OEN one digit off, the names without the birth
    date); computed here from `applicants` when not given. `mine`: the students' name keys.
    """
    keys = applicant_keys(applicants) if keys is None else keys
    if more is None:
        more = pl.concat(
            [
                slip_pairs(students, oen_slip_keys(applicants, "a_idx", "a_oen")),
                name_pairs(students, name_keys(applicants, "a_idx", *APPLICANT_NAMES)),
            ]
        )
    found = [oen_pairs(students, applicants), birth_date_pairs(students, keys, mine), more]
    return pl.concat(found).unique().sort("s_idx", "a_idx").cast(PAIRS_SCHEMA)  # type: ignore[arg-type]
