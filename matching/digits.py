"""Typing slips between two numbers of the same width: one digit wrong, or two swapped."""

import functools
import operator

import polars as pl


def _digit(number: pl.Expr, position: int) -> pl.Expr:
    """The digit `position` places from the right (integer arithmetic: no string slicing)."""
    digit: pl.Expr = (number // 10**position) % 10
    return digit


def differing_digits(left: pl.Expr, right: pl.Expr, width: int) -> pl.Expr:
    """How many of the `width` digit positions differ (the Hamming distance)."""
    differs = [(_digit(left, i) != _digit(right, i)).cast(pl.Int8) for i in range(width)]
    total: pl.Expr = functools.reduce(operator.add, differs)
    return total


def adjacent_swap(left: pl.Expr, right: pl.Expr, width: int) -> pl.Expr:
    """Whether the numbers differ only by two neighbouring digits swapped (2007 / 2070)."""
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
