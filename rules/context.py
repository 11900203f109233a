"""What the rules need to know about a file beyond its records: header values and code tables."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import polars as pl

from rules.checks import as_date, has_digits, is_time
from rules.contact import contact_address


@dataclass(frozen=True)
class Header:
    """The T1 values the other rules rely on; None where the header lacks a valid value."""

    mident: str | None = None
    transmission_number: str | None = None
    created_at: datetime | None = None
    contact_name: str | None = None
    contact_email: str | None = None

    @property
    def creation_month(self) -> str | None:
        """YYYYMM of the creation date, comparable with completion dates as text."""
        return self.created_at.strftime("%Y%m") if self.created_at else None


@dataclass(frozen=True)
class RuleContext:
    """The header, the code tables and the reference date for date rules."""

    header: Header
    course_codes: frozenset[str]
    shsm_sectors: frozenset[str]
    countries: frozenset[str]
    today: date

    @property
    def reference_date(self) -> date:
        """Ages and "future" are judged at file creation, or today without a valid header."""
        return self.header.created_at.date() if self.header.created_at else self.today


def read_header(t1: pl.DataFrame) -> Header:
    """The first T1's valid values (an invalid field is F008 and stays None here)."""
    if t1.is_empty():
        return Header()
    row = t1.head(1).select(
        pl.when(has_digits(pl.col("mident"), 6)).then(pl.col("mident")).alias("mident"),
        pl.when(pl.col("transmission_number").str.contains("^[1-9]$"))
        .then(pl.col("transmission_number"))
        .alias("transmission_number"),
        pl.when(is_time(pl.col("creation_time")))
        .then(as_date(pl.col("creation_date")).dt.combine(_time(pl.col("creation_time"))))
        .alias("created_at"),
        pl.col("contact_name"),
        pl.col("contact_email"),
    )
    values = row.row(0, named=True)
    # Only the parsed address is ever written to (the confirmation e-mail goes there): F011.
    values["contact_email"] = contact_address(values["contact_email"])
    return Header(**values)


def _time(value: pl.Expr) -> pl.Expr:
    return value.str.to_time("%H%M%S", strict=False)
