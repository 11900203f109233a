"""G1 grade field rules (G001-G014, G016-G020) and duplicate courses (G015)."""

from __future__ import annotations

import polars as pl

from rules.checks import as_int, has_digits, is_blank, is_month
from rules.codes import allowed
from rules.context import RuleContext
from rules.findings import rows_as_findings
from rules.schema import FieldRule, validate_fields

FIRST_COMPLETION_YEAR = 1990
MAX_CREDIT_HUNDREDTHS = 400
COURSE_CODE_SHAPE = r"^[A-Z0-9]{5}[A-Z0-9]?$"
# SPEC 6: a course is identified by these three fields.
COURSE_IDENTITY = ("course_code", "completion_date", "delivery_type")


def _notes_have(codes: list[str]) -> pl.Expr:
    return pl.col("notes").str.contains(f"[{''.join(codes)}]")


def _mark_rules() -> list[FieldRule]:
    mark, grade_type = pl.col("mark"), pl.col("grade_type")
    numeric = has_digits(mark, 3) & (as_int(mark) <= 100)
    return [
        FieldRule("G004", "mark", numeric | mark.is_in(allowed("G1", "mark_symbols"))),
        FieldRule("G005", "mark", ~(grade_type.is_in(["F", "M"]) & (mark == ""))),
        FieldRule("G006", "mark", ~((mark == "EQV") & (grade_type == "M"))),
    ]


def _credit_rules() -> list[FieldRule]:
    credit, status = pl.col("credit_value"), pl.col("course_status")
    well_formed = has_digits(credit, 4) & (as_int(credit) <= MAX_CREDIT_HUNDREDTHS)
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
    codes = "".join(allowed("G1", "notes"))
    distinct = notes.str.split("").list.n_unique() == notes.str.len_chars()
    return FieldRule(
        "G014", "notes", (notes == "") | (notes.str.contains(f"^[{codes}]{{1,5}}$") & distinct)
    )


def _date_rules(context: RuleContext) -> list[FieldRule]:
    completion, grade_type = pl.col("completion_date"), pl.col("grade_type")
    last_year = context.reference_date.year + 2
    year = completion.str.slice(0, 4).cast(pl.Int32, strict=False)
    valid = is_month(completion) & year.is_between(FIRST_COMPLETION_YEAR, last_year)
    rules = [FieldRule("G002", "completion_date", valid)]
    month = context.header.creation_month
    if month is not None:
        rules += [
            FieldRule(
                "G016",
                "completion_date",
                pl.when(valid & (grade_type == "F")).then(completion <= month),
            ),
            FieldRule(
                "G017",
                "completion_date",
                pl.when(valid & grade_type.is_in(["P", "C"])).then(completion >= month),
            ),
        ]
    return rules


def _mident_rule(name: str) -> FieldRule:
    return FieldRule("G013", name, is_blank(pl.col(name)) | has_digits(pl.col(name), 6))


def _coded(code: str, name: str) -> FieldRule:
    return FieldRule(code, name, pl.col(name).is_in(allowed("G1", name)))


def grade_rules(context: RuleContext) -> list[FieldRule]:
    course_code, status, grade_type = (
        pl.col("course_code"),
        pl.col("course_status"),
        pl.col("grade_type"),
    )
    known_course = course_code.str.contains(COURSE_CODE_SHAPE) & course_code.str.slice(0, 5).is_in(
        sorted(context.course_codes)
    )
    return [
        FieldRule("G001", "course_code", known_course),
        *_date_rules(context),
        _coded("G003", "grade_type"),
        *_mark_rules(),
        *_credit_rules(),
        _coded("G009", "course_status"),
        FieldRule("G010", "grade_type", (status != "D") | grade_type.is_in(["P", "C"])),
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
    ]


def validate_grades(g1: pl.DataFrame, context: RuleContext) -> pl.DataFrame:
    return validate_fields("G1", g1, grade_rules(context))


def duplicate_courses(owned_grades: pl.DataFrame) -> pl.DataFrame:
    """G015: the same course twice for one student; every occurrence is rejected.

    `owned_grades` carries `owner_line`, the line of the S1 each G1 belongs to.
    """
    repeated = pl.len().over("owner_line", *COURSE_IDENTITY) > 1
    rows = owned_grades.filter(pl.col("owner_line").is_not_null() & repeated)
    return rows_as_findings(rows, "G015", "G1", "completion_date")
