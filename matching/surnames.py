"""Surname agreement: exact, one part of a double surname, a previous surname, a typo."""

import polars as pl

from matching.ladder import Rule, first_rule
from matching.similarity import with_typo
from matching.variants import variant_pairs

EXACT = 4
VARIANT = 3
TYPO = 2
NONE = 0

PART = "part of a double surname"
PREVIOUS = "previous surname"
SPELLING = "spelling variant"
TYPING = "typo"
ACCENTS = "accents"


def words_contained(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """All words of one list are in the other (neither empty): GARCIA ~ GARCIA LOPEZ."""
    left_in_right = left.list.set_difference(right).list.len() == 0
    right_in_left = right.list.set_difference(left).list.len() == 0
    both = (left.list.len() > 0) & (right.list.len() > 0)
    return both & (left_in_right | right_in_left)


def _with_spelling(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add `sur_spelling`: the curated variant table lists the two surnames together."""
    curated = (
        variant_pairs()
        .filter("curated")
        .select(s_sur_c="name", a_last_c="variant", sur_spelling=pl.lit(True))
    )
    joined = pairs.join(curated, on=["s_sur_c", "a_last_c"], how="left", maintain_order="left")
    return joined.with_columns(pl.col("sur_spelling").fill_null(False))


def _with_typos(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add `sur_typo` (last name) and `prev_typo` (previous surname)."""
    not_exact = pl.col("s_sur_c") != pl.col("a_last_c")
    typed = with_typo(pairs, "s_sur_c", "a_last_c", not_exact, "sur_typo")
    has_previous = (pl.col("a_prev_c") != "") & (pl.col("s_sur_c") != pl.col("a_prev_c"))
    return with_typo(typed, "s_sur_c", "a_prev_c", has_previous & not_exact, "prev_typo")


def with_surname_evidence(pairs: pl.DataFrame) -> pl.DataFrame:
    """Add `sur_level` (EXACT .. NONE) and `sur_kind` (how a non-exact surname agreed)."""
    pairs = _with_typos(_with_spelling(pairs))
    exact = (pl.col("s_sur_c") == pl.col("a_last_c")) & (pl.col("s_sur_c") != "")
    previous = (pl.col("s_sur_c") == pl.col("a_prev_c")) & (pl.col("s_sur_c") != "")
    previous_part = words_contained(pl.col("s_sur_core"), pl.col("a_prev_core"))
    rules: list[Rule] = [
        (exact & (pl.col("s_sur_a") != pl.col("a_last_a")), EXACT, ACCENTS),
        (exact, EXACT, None),
        (words_contained(pl.col("s_sur_core"), pl.col("a_last_core")), VARIANT, PART),
        (previous | previous_part, VARIANT, PREVIOUS),
        (pl.col("sur_spelling"), VARIANT, SPELLING),
        (pl.col("sur_typo"), TYPO, TYPING),
        (pl.col("prev_typo"), TYPO, PREVIOUS + " with a " + TYPING),
    ]
    level, kind = first_rule(rules, NONE)
    return pairs.with_columns(sur_level=level, sur_kind=kind)
