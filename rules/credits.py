"""Credits earned and grade status of an academic record (docs/record.md), as column logic."""

from __future__ import annotations

import polars as pl

from rules.codes import allowed, number

MARK_DIGITS = "^[0-9]{3}$"
GRADE_STATUSES = ("none", "partial", "final")


def credit_hundredths(column: str = "credit_value") -> pl.Expr:
    """A credit value in hundredths of a credit (docs/format.md: two implied decimals)."""
    return pl.col(column).cast(pl.Int64, strict=False).fill_null(0)


def passed() -> pl.Expr:
    """A mark that passes: at least the passing mark, or a mark that grants the credit (EQV)."""
    numeric = pl.col("mark").str.contains(MARK_DIGITS)
    passing = pl.col("mark").cast(pl.Int64, strict=False) >= number("G1", "passing_mark")
    return (numeric & passing.fill_null(False)) | pl.col("mark").is_in(
        allowed("G1", "credit_granting_marks")
    )


def earns_credit() -> pl.Expr:
    """docs/record.md: a final grade, passed, not repeated, withdrawn or non-credit."""
    no_status = pl.col("course_status") == ""
    return (pl.col("grade_type") == "F") & no_status & passed()


def credits_earned() -> pl.Expr:
    """The hundredths of a credit a course earns (0 for one that earns none).

    Summed as integers, so that a total of half credits is exact.
    """
    return pl.when(earns_credit()).then(credit_hundredths()).otherwise(0)


def grade_status(courses: pl.Expr, finals: pl.Expr) -> pl.Expr:
    """`none` (no course), `partial` (a course without a final grade), `final` (all final)."""
    return (
        pl.when(courses == 0)
        .then(pl.lit("none"))
        .when(finals < courses)
        .then(pl.lit("partial"))
        .otherwise(pl.lit("final"))
    )


def record_totals(courses: pl.DataFrame) -> dict[str, object]:
    """Courses, finals, total credits earned and grade status of one record's courses."""
    count = courses.height
    finals = int((courses["grade_type"] == "F").sum()) if count else 0
    total = int(courses.select(credits_earned().sum()).item()) if count else 0
    status = pl.select(grade_status(pl.lit(count), pl.lit(finals))).item()
    return {
        "courses": count,
        "finals": finals,
        "total_credits": credits_text(total),
        "grade_status": status,
    }


def credits_text(hundredths: int | None) -> str:
    """Credits as people write them: 100 -> 1.00, 50 -> 0.50, 2350 -> 23.50."""
    value = hundredths or 0
    return f"{value // 100}.{value % 100:02d}"


def credits_column(column: str = "credit_value") -> pl.Expr:
    """A column of credit values (0100) as people write them (1.00)."""
    hundredths = credit_hundredths(column)
    return pl.format(
        "{}.{}", hundredths // 100, (hundredths % 100).cast(pl.Utf8).str.zfill(2)
    ).alias(column)
