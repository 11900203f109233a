"""S1 student field rules (S001-S009)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import polars as pl

from rules.checks import (
    age_in_years,
    as_date,
    is_blank,
    is_blank_or_digits,
    is_one_of,
    is_zero_or_blank,
)
from rules.codes import allowed
from rules.context import RuleContext
from rules.schema import FieldRule, validate_fields

MIN_AGE, MAX_AGE = 10, 100
# Canada Post: no D F I O Q U anywhere, no W or Z in first position.
POSTAL_CODE = r"^[ABCEGHJ-NPRSTVXY][0-9][ABCEGHJ-NPRSTV-Z][0-9][ABCEGHJ-NPRSTV-Z][0-9]$"
CODED_DEMOGRAPHICS = (
    "home_school",
    "first_language",
    "community_involvement",
    "literacy_requirement",
    "grad_status",
)


def _coded(name: str) -> FieldRule:
    return FieldRule("S007", name, pl.col(name).is_in(allowed("S1", name)))


def _in_table(name: str, table: frozenset[str]) -> FieldRule:
    return FieldRule("S007", name, is_one_of(pl.col(name), ["", *sorted(table)]))


def _birth_date_rule(reference_date: date) -> FieldRule:
    """S004: a real date, not in the future, age 10-100 at file creation."""
    on = pl.lit(reference_date)
    birth = as_date(pl.col("birth_date"))
    age = age_in_years(birth, on)
    return FieldRule(
        "S004", "birth_date", birth.is_not_null() & (birth <= on) & age.is_between(MIN_AGE, MAX_AGE)
    )


def _ossd_rule(reference_date: date) -> FieldRule:
    """S008: a real date, not in the future; required when the student graduated."""
    issued = as_date(pl.col("ossd_issue_date"))
    given_and_valid = issued.is_not_null() & (issued <= pl.lit(reference_date))
    blank = is_zero_or_blank(pl.col("ossd_issue_date"), 8)
    return FieldRule(
        "S008",
        "ossd_issue_date",
        pl.when(pl.col("grad_status") == "G")
        .then(given_and_valid)
        .otherwise(blank | given_and_valid),
    )


def student_rules(context: RuleContext) -> tuple[FieldRule, ...]:
    """The S1 rules for a file: they depend on its reference date and the code tables only."""
    return _student_rules(context.reference_date, context.countries, context.shsm_sectors)


@lru_cache(maxsize=16)
def _student_rules(
    reference_date: date, countries: frozenset[str], shsm_sectors: frozenset[str]
) -> tuple[FieldRule, ...]:
    return (
        FieldRule("S001", "student_number", ~is_blank(pl.col("student_number"))),
        FieldRule("S002", "surname", ~is_blank(pl.col("surname"))),
        FieldRule("S003", "first_name", ~is_blank(pl.col("first_name"))),
        _birth_date_rule(reference_date),
        # docs/format.md: 000000000 (nine digits too) or blank means "not reported".
        FieldRule("S005", "oen", is_blank_or_digits(pl.col("oen"), 9)),
        FieldRule("S006", "gender", pl.col("gender").is_in(allowed("S1", "gender"))),
        *(_coded(name) for name in CODED_DEMOGRAPHICS),
        FieldRule("S007", "citizenship", is_one_of(pl.col("citizenship"), sorted(countries))),
        _in_table("shsm_sector", shsm_sectors),
        _ossd_rule(reference_date),
        FieldRule(
            "S009",
            "postal_code",
            (pl.col("postal_code") == "") | pl.col("postal_code").str.contains(POSTAL_CODE),
        ),
        FieldRule("S009", "phone", is_blank_or_digits(pl.col("phone"), 10)),
    )


def validate_students(s1: pl.DataFrame, context: RuleContext) -> pl.DataFrame:
    return validate_fields("S1", s1, student_rules(context))


# docs/record.md: the S1 facts kept for the academic record; a value S007 or S008 flags is
# ignored, as those warnings say.
STUDENT_FACTS = (
    "community_involvement",
    "literacy_requirement",
    "grad_status",
    "ossd_issue_date",
    "shsm_sector",
)
IGNORING_CODES = ("S007", "S008")


def without_ignored_facts(s1: pl.DataFrame, findings: pl.DataFrame) -> pl.DataFrame:
    """The S1 records with each fact that a warning says is ignored made blank."""
    ignored = findings.filter(
        pl.col("code").is_in(IGNORING_CODES) & pl.col("field").is_in(STUDENT_FACTS)
    )
    if ignored.is_empty():
        return s1
    return s1.with_columns(
        pl.when(pl.col("line").is_in(ignored.filter(pl.col("field") == name)["line"].implode()))
        .then(pl.lit(""))
        .otherwise(pl.col(name))
        .alias(name)
        for name in STUDENT_FACTS
    )
