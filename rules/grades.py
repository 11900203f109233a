"""G1 grade field rules (G001-G014, G016-G020) and duplicate courses (G015)."""

from __future__ import annotations

import re
from functools import lru_cache

import polars as pl

from rules.checks import is_blank_or_digits, is_one_of, numbers_up_to, valid_months
from rules.codes import allowed
from rules.context import RuleContext
from rules.findings import rows_as_findings
from rules.schema import FieldRule, validate_fields

FIRST_COMPLETION_YEAR = 1990
MAX_CREDIT_HUNDREDTHS = 400
MAX_MARK = 100
# docs/format.md: five characters from the table, then an optional local character.
MINISTRY_CODE_SHAPE = "[A-Z0-9]{5}"
LOCAL_CHARACTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
# docs/merging.md: a course is identified by these three fields.
COURSE_IDENTITY = ("course_code", "completion_date", "delivery_type")


def known_course_codes(table: frozenset[str]) -> list[str]:
    """Every course code G001 accepts: a table code alone or with a local 6th character.

    Listing them turns the shape and table checks into one lookup per record.
    """
    codes = sorted(code for code in table if re.fullmatch(MINISTRY_CODE_SHAPE, code))
    return codes + [code + local for code in codes for local in LOCAL_CHARACTERS]


def _notes_have(codes: list[str]) -> pl.Expr:
    return pl.col("notes").str.contains(f"[{''.join(codes)}]")


def _mark_rules() -> list[FieldRule]:
    mark, grade_type = pl.col("mark"), pl.col("grade_type")
    # 000-100 (three digits) or one of the symbols.
    marks = numbers_up_to(MAX_MARK, 3) + allowed("G1", "mark_symbols")
    return [
        FieldRule("G004", "mark", is_one_of(mark, marks)),
        FieldRule("G005", "mark", ~(grade_type.is_in(["F", "M"]) & (mark == ""))),
        FieldRule("G006", "mark", ~((mark == "EQV") & (grade_type == "M"))),
    ]


def _credit_rules() -> list[FieldRule]:
    credit, status = pl.col("credit_value"), pl.col("course_status")
    # Four digits, at most 0400.
    well_formed = is_one_of(credit, numbers_up_to(MAX_CREDIT_HUNDREDTHS, 4))
    earns_no_credit = status.is_in(allowed("G1", "no_credit_status")) | _notes_have(
        allowed("G1", "no_credit_notes")
    )
    return [
        FieldRule("G007", "credit_value", well_formed),
        FieldRule(
            "G008", "credit_value", pl.when(well_formed & earns_no_credit).then(credit == "0000")
        ),
    ]


def _notes_rule() -> FieldRule:
    """G014: known one-letter codes, left-justified, no repeats (at most five by the width)."""
    notes = pl.col("notes")
    codes = allowed("G1", "notes")
    # A code twice, e.g. "A.*A": one regex pass, a third of the cost of splitting into letters.
    repeated = notes.str.contains("|".join(f"{re.escape(c)}.*{re.escape(c)}" for c in codes))
    return FieldRule(
        "G014",
        "notes",
        (notes == "") | (notes.str.contains(f"^[{''.join(codes)}]{{1,5}}$") & ~repeated),
    )


def _date_rules(reference_year: int, creation_month: str | None) -> list[FieldRule]:
    completion, grade_type = pl.col("completion_date"), pl.col("grade_type")
    # YYYYMM, month 01-12, year 1990 .. two years past the file's.
    valid = is_one_of(completion, valid_months(FIRST_COMPLETION_YEAR, reference_year + 2))
    rules = [FieldRule("G002", "completion_date", valid)]
    if creation_month is not None:
        rules += [
            FieldRule(
                "G016",
                "completion_date",
                pl.when(valid & (grade_type == "F")).then(completion <= creation_month),
            ),
            FieldRule(
                "G017",
                "completion_date",
                pl.when(valid & grade_type.is_in(["P", "C"])).then(completion >= creation_month),
            ),
        ]
    return rules


def _mident_rule(name: str) -> FieldRule:
    return FieldRule("G013", name, is_blank_or_digits(pl.col(name), 6))


def _coded(code: str, name: str) -> FieldRule:
    return FieldRule(code, name, pl.col(name).is_in(allowed("G1", name)))


def grade_rules(context: RuleContext) -> tuple[FieldRule, ...]:
    """The G1 rules for a file: they depend on the course codes and the file's dates only."""
    return _grade_rules(
        context.course_codes, context.reference_date.year, context.header.creation_month
    )


@lru_cache(maxsize=16)
def _grade_rules(
    course_codes: frozenset[str], reference_year: int, creation_month: str | None
) -> tuple[FieldRule, ...]:
    status, grade_type = pl.col("course_status"), pl.col("grade_type")
    known_course = is_one_of(pl.col("course_code"), known_course_codes(course_codes))
    return (
        FieldRule("G001", "course_code", known_course),
        *_date_rules(reference_year, creation_month),
        _coded("G003", "grade_type"),
        *_mark_rules(),
        *_credit_rules(),
        _coded("G009", "course_status"),
        FieldRule(
            "G010",
            "grade_type",
            (status != "D") | grade_type.is_in(allowed("G1", "deletable_grade_types")),
        ),
        _coded("G011", "delivery_type"),
        _coded("G012", "course_type"),
        _mident_rule("course_mident"),
        _mident_rule("supplier_mident"),
        _notes_rule(),
        FieldRule("G018", "course_status", ~((status == "W") & (grade_type != "F"))),
        _coded("G019", "language"),
        FieldRule(
            "G020", "notes", ~_notes_have(allowed("G1", "no_credit_notes")) | (status == "X")
        ),
    )


def validate_grades(g1: pl.DataFrame, context: RuleContext) -> pl.DataFrame:
    return validate_fields("G1", g1, grade_rules(context))


def duplicate_courses(owned_grades: pl.DataFrame) -> pl.DataFrame:
    """G015: the same course twice for one student; every occurrence is rejected.

    `owned_grades` carries `owner_line`, the line of the S1 each G1 belongs to.
    """
    identity = ["owner_line", *COURSE_IDENTITY]
    # Grouping by one hash of the identity is much cheaper than by its four columns: it keeps
    # the few candidates, and the exact count on those decides (a collision stays a candidate).
    candidates = pl.len().over(pl.struct(identity).hash()) > 1
    rows = (
        owned_grades.lazy()
        .filter(pl.col("owner_line").is_not_null() & candidates)
        .filter(pl.len().over(identity) > 1)
    )
    # docs/commands.md: the finding names the course; the completion date goes into the message.
    return rows_as_findings(rows, "G015", "G1", "course_code", expected=pl.col("completion_date"))
