"""Typing errors: bulk Damerau-Levenshtein distances (rapidfuzz), and how many edits to tolerate."""

from typing import Any

import numpy as np
import polars as pl
from rapidfuzz.distance import DamerauLevenshtein
from rapidfuzz.process import cpdist

# Tuned on the labelled linkage set (bench/linkage_eval.py): when the longer of the two names
# has fewer than SHORT_NAME letters no edit is tolerated (LI / LU, ANA / AVA are different
# names), from SHORT_NAME letters one (LIAM / LIM), from LONG_NAME letters two.
SHORT_NAME = 4
LONG_NAME = 9


def pairwise(left: pl.Series, right: pl.Series, scorer: Any, float_scores: bool) -> pl.Series:
    """`scorer` (a rapidfuzz scorer) of each (left, right) pair, in bulk; nulls are empty."""
    dtype = pl.Float64 if float_scores else pl.Int32
    if left.len() == 0:
        return pl.Series(dtype=dtype)
    scores = cpdist(
        left.fill_null("").to_list(),
        right.fill_null("").to_list(),
        scorer=scorer,
        dtype=np.float64 if float_scores else np.int32,
    )
    return pl.Series(scores, dtype=dtype)


def edit_distances(left: pl.Series, right: pl.Series) -> pl.Series:
    """Damerau-Levenshtein distance of each (left, right) pair, scored in bulk."""
    return pairwise(left, right, DamerauLevenshtein.distance, float_scores=False)


def tolerated_edits(left: pl.Expr, right: pl.Expr) -> pl.Expr:
    """How many edits a typing error may make between two names, by the longer name's length."""
    longer = pl.max_horizontal(left.str.len_chars(), right.str.len_chars())
    return (
        pl.when(longer >= LONG_NAME)
        .then(pl.lit(2, pl.Int32))
        .when(longer >= SHORT_NAME)
        .then(pl.lit(1, pl.Int32))
        .otherwise(pl.lit(0, pl.Int32))
    )


def with_typo(
    frame: pl.DataFrame, left: str, right: str, needed: pl.Expr, name: str
) -> pl.DataFrame:
    """Add boolean column `name`: the two names differ by a tolerated typing error."""
    # Only rows where `needed` holds are scored; the others compare two empty strings.
    pick = frame.select(
        pl.when(needed).then(pl.col(left)).otherwise(pl.lit("")),
        pl.when(needed).then(pl.col(right)).otherwise(pl.lit("")),
    )
    distance = pl.lit(edit_distances(pick.to_series(0), pick.to_series(1)))
    within = (distance > 0) & (distance <= tolerated_edits(pl.col(left), pl.col(right))) & needed
    return frame.with_columns(within.fill_null(False).alias(name))
