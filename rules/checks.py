"""Column expressions that say whether a field's values are valid (True = valid)."""

from __future__ import annotations

import polars as pl


def is_blank(value: pl.Expr) -> pl.Expr:
    """Blank or cut off (docs/format.md: a short line reads as padded with blanks)."""
    return value.str.strip_chars(" ") == ""


def is_zero_or_blank(value: pl.Expr, count: int) -> pl.Expr:
    """A numeric field of `count` digits left blank or all zeros: "not reported".

    A mix of zeros and blanks (`00000000 `, a field cut short) is neither.
    """
    return value.str.contains(f"^(?: *|0{{{count}}})$")


def has_digits(value: pl.Expr, count: int) -> pl.Expr:
    return value.str.contains(f"^[0-9]{{{count}}}$")


def as_date(value: pl.Expr) -> pl.Expr:
    """YYYYMMDD as a date, null when not a real calendar date."""
    return pl.when(has_digits(value, 8)).then(value.str.to_date("%Y%m%d", strict=False))


def is_time(value: pl.Expr) -> pl.Expr:
    """HHMMSS within a day."""
    parts = [value.str.slice(start, 2).cast(pl.Int32, strict=False) for start in (0, 2, 4)]
    return has_digits(value, 6) & (parts[0] < 24) & (parts[1] < 60) & (parts[2] < 60)


def is_one_of(value: pl.Expr, values: list[str]) -> pl.Expr:
    """Membership in a long list of values, e.g. every course code G001 accepts.

    The lookup goes through an Enum of the values, whose table is built once with the
    expression; `is_in` would hash the whole list again for every frame it is applied to.
    """
    listed = pl.Enum(list(dict.fromkeys(values)))
    return value.cast(listed, strict=False).is_not_null()


def age_in_years(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from `birth` to `on` (YYYYMMDD arithmetic handles birthdays exactly)."""
    as_number = [d.dt.strftime("%Y%m%d").cast(pl.Int64) for d in (birth, on)]
    return (as_number[1] - as_number[0]) // 10000


def is_blank_or_digits(value: pl.Expr, count: int) -> pl.Expr:
    """A numeric field left blank, or exactly `count` digits (one pass instead of two)."""
    return value.str.contains(f"^(?: *|[0-9]{{{count}}})$")


def numbers_up_to(largest: int, width: int) -> list[str]:
    """Every zero-padded number from 0 to `largest` at `width` digits: "000" .. "100"."""
    return [f"{number:0{width}d}" for number in range(largest + 1)]


def valid_months(first_year: int, last_year: int) -> list[str]:
    """Every YYYYMM with a month 01-12 from January of `first_year` to December of `last_year`."""
    return [
        f"{year:04d}{month:02d}"
        for year in range(first_year, last_year + 1)
        for month in range(1, 13)
    ]
