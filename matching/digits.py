"""Typing slips between two numbers of the same width: one digit wrong, or two swapped.

Computed on whole columns at once, digit by digit as integer arrays (no string slicing and no
per-row Python); a null on either side is never a slip.
"""

import numpy as np
import polars as pl


def _digits(numbers: np.ndarray, width: int) -> np.ndarray:
    """One row per number, its `width` digits from the right."""
    powers = 10 ** np.arange(width, dtype=np.int64)
    digits: np.ndarray = (numbers[:, None] // powers) % 10
    return digits


def _pairs(left: pl.Series, right: pl.Series, width: int) -> tuple[np.ndarray, np.ndarray]:
    return (
        _digits(left.fill_null(0).cast(pl.Int64).to_numpy(), width),
        _digits(right.fill_null(0).cast(pl.Int64).to_numpy(), width),
    )


def _present(left: pl.Series, right: pl.Series) -> np.ndarray:
    present: np.ndarray = (left.is_not_null() & right.is_not_null()).to_numpy()
    return present


def _differing(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    differing: np.ndarray = (a != b).sum(axis=1)
    return differing


def _swapped(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Exactly two digits differ, and they are neighbours swapped (2007 / 2070)."""
    crossed = (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1]) & (a[:, :-1] != a[:, 1:])
    swapped: np.ndarray = (_differing(a, b) == 2) & crossed.any(axis=1)
    return swapped


def adjacent_swap(left: pl.Series, right: pl.Series, width: int) -> pl.Series:
    """Whether the numbers differ only by two neighbouring digits swapped (2007 / 2070)."""
    a, b = _pairs(left, right, width)
    return pl.Series(_swapped(a, b) & _present(left, right))


def one_digit(left: pl.Series, right: pl.Series, width: int) -> pl.Series:
    """Whether exactly one digit differs."""
    a, b = _pairs(left, right, width)
    return pl.Series((_differing(a, b) == 1) & _present(left, right))


def one_slip(left: pl.Series, right: pl.Series, width: int) -> pl.Series:
    """Whether one digit was mistyped or two neighbouring digits were swapped."""
    a, b = _pairs(left, right, width)
    slipped = (_differing(a, b) == 1) | _swapped(a, b)
    return pl.Series(slipped & _present(left, right))
