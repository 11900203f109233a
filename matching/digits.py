"""Typing slips between two digit strings of the same width: one digit, or two swapped."""

import functools
import operator

import polars as pl


def _digit(text: pl.Expr, position: int) -> pl.Expr:
    return text.str.slice(position, 1)


def differing_digits(left: pl.Expr, right: pl.Expr, width: int) -> pl.Expr:
    """How many positions differ (the Hamming distance of two equal-width digit strings)."""
    differs = [(_digit(left, i) != _digit(right, i)).cast(pl.Int8) for i in range(width)]
    return functools.reduce(operator.add, differs)


def adjacent_swap(left: pl.Expr, right: pl.Expr, width: int) -> pl.Expr:
    """Whether the strings differ only by two neighbouring digits swapped (2007 / 2070)."""
    swaps = [
        (_digit(left, i) == _digit(right, i + 1))
        & (_digit(left, i + 1) == _digit(right, i))
        & (_digit(left, i) != _digit(left, i + 1))
        for i in range(width - 1)
    ]
    return (differing_digits(left, right, width) == 2) & pl.any_horizontal(swaps)


def one_slip(left: pl.Expr, right: pl.Expr, width: int) -> pl.Expr:
    """Whether one digit was mistyped or two neighbouring digits were swapped."""
    return (differing_digits(left, right, width) == 1) | adjacent_swap(left, right, width)
