"""T1 header field rules (F008, and F011 for the contact e-mail)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import polars as pl

from rules.checks import as_date, has_digits, is_time
from rules.codes import allowed
from rules.contact import is_contact_address
from rules.context import RuleContext
from rules.schema import FieldRule, validate_fields


def header_rules(context: RuleContext) -> tuple[FieldRule, ...]:
    """docs/rules.md F008: MIDENT, centre, transmission number, date, time; F011: e-mail."""
    return _header_rules(context.today)


@lru_cache(maxsize=4)
def _header_rules(today: date) -> tuple[FieldRule, ...]:
    # A creation date a day ahead of the clock is tolerated for time zones and clock drift.
    latest = today + timedelta(days=1)
    return (
        FieldRule("F008", "mident", has_digits(pl.col("mident"), 6)),
        FieldRule("F008", "centre", pl.col("centre").is_in(allowed("T1", "centre"))),
        FieldRule(
            "F008", "transmission_number", pl.col("transmission_number").str.contains("^[1-9]$")
        ),
        FieldRule(
            "F008",
            "creation_date",
            as_date(pl.col("creation_date")).is_not_null()
            & (as_date(pl.col("creation_date")) <= latest),
        ),
        FieldRule("F008", "creation_time", is_time(pl.col("creation_time"))),
        FieldRule("F011", "contact_email", is_contact_address(pl.col("contact_email"))),
    )


def validate_header(t1: pl.DataFrame, context: RuleContext) -> pl.DataFrame:
    """Findings for the header's fields (only the first T1: a second one is F006)."""
    return validate_fields("T1", t1.head(1), header_rules(context))
