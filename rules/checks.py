"""Column expressions that say whether a field's values are valid (True = valid)."""

from __future__ import annotations

import polars as pl


def is_blank(value: pl.Expr) -> pl.Expr:
    """Blank or cut off (SPEC 2.1: a short line reads as padded with blanks)."""
    return value.str.strip_chars(" ") == ""


def is_zero_or_blank(value: pl.Expr) -> pl.Expr:
    """A numeric field left blank or all zeros: "not reported"."""
    return value.str.contains(r"^[0 ]*$")


def has_digits(value: pl.Expr, count: int) -> pl.Expr:
    return value.str.contains(f"^[0-9]{{{count}}}$")


def as_date(value: pl.Expr) -> pl.Expr:
    """YYYYMMDD as a date, null when not a real calendar date."""
    return pl.when(has_digits(value, 8)).then(value.str.to_date("%Y%m%d", strict=False))


def as_int(value: pl.Expr) -> pl.Expr:
    """Digits as an integer, null otherwise."""
    return pl.when(value.str.contains(r"^[0-9]+$")).then(value.cast(pl.Int64, strict=False))


def is_month(value: pl.Expr) -> pl.Expr:
    """YYYYMM with a month 01-12."""
    month = value.str.slice(4, 2).cast(pl.Int32, strict=False)
    return has_digits(value, 6) & month.is_between(1, 12)


def is_time(value: pl.Expr) -> pl.Expr:
    """HHMMSS within a day."""
    parts = [value.str.slice(start, 2).cast(pl.Int32, strict=False) for start in (0, 2, 4)]
    return has_digits(value, 6) & (parts[0] < 24) & (parts[1] < 60) & (parts[2] < 60)


def is_one_of(value: pl.Expr, values: list[str]) -> pl.Expr:
    return value.is_in(values)


def age_in_years(birth: pl.Expr, on: pl.Expr) -> pl.Expr:
    """Whole years from `birth` to `on` (YYYYMMDD arithmetic handles birthdays exactly)."""
    as_number = [d.dt.strftime("%Y%m%d").cast(pl.Int64) for d in (birth, on)]
    return (as_number[1] - as_number[0]) // 10000
