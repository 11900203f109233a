"""The checks of `ost applicants import` on each row (docs/matching.md: applicants as they are).

An applicant needs an application number and at least one name; the birth date, OEN and the
other columns may be blank. A value that is there must be well formed, of a length the database
holds, without control characters, and a birth date must give an age of 10 to 100.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from rules.checks import age_in_years

# The longest value each column holds (pipeline/models.py, Applicant).
MAX_LENGTHS = {
    "application_number": 32,
    "account_number": 32,
    "first_name": 60,
    "middle_name": 60,
    "last_name": 60,
    "previous_last_name": 60,
    "gender": 1,
}
TEXT_COLUMNS = (*MAX_LENGTHS, "birth_date", "oen", "school_midents", "paid", "international")
YOUNGEST, OLDEST = 10, 100  # as for a student's birth date (docs/rules.md, S004)
SHOWN_CHARACTERS = 40  # a value quoted in a reason is cut to this length
CONTROL = r"[\x00-\x1f\x7f]"


def shown(column: str) -> pl.Expr:
    """The value as a reason quotes it: cut short, control characters as `?`."""
    value = pl.col(column).str.replace_all(CONTROL, "?").str.slice(0, SHOWN_CHARACTERS)
    cut = pl.col(column).str.len_chars() > SHOWN_CHARACTERS
    return pl.when(cut).then(value + pl.lit("...")).otherwise(value)


def problem(failed: pl.Expr, *parts: str | pl.Expr) -> pl.Expr:
    """The reason when `failed`; strings are literal, expressions are values shown."""
    pieces = [pl.lit(part) if isinstance(part, str) else part for part in parts]
    return pl.when(failed).then(pl.concat_str(pieces))


def quoted(column: str, text: str) -> pl.Expr:
    """`<column> '<value>' <text>`, when the column's value fails."""
    return pl.concat_str(pl.lit(f"{column} '"), shown(column), pl.lit(f"' {text}"))


def value_problems(today: date) -> list[pl.Expr]:
    """One expression per check, null when the row passes it (inputs: stripped text, `birth`,
    `paid_flag`, `international_flag`)."""
    number = pl.col("application_number")
    birth_text, birth = pl.col("birth_date"), pl.col("birth")
    age = age_in_years(birth, pl.lit(today))
    checks = [
        problem(number == "", "application_number is blank"),
        problem(
            number.is_duplicated() & (number != ""),
            quoted("application_number", "appears more than once"),
        ),
        problem(
            (pl.col("first_name") == "") & (pl.col("last_name") == ""),
            "first_name and last_name are both blank: at least one name is needed",
        ),
        problem(
            (birth_text != "") & birth.is_null(), quoted("birth_date", "is not a YYYY-MM-DD date")
        ),
        problem(
            birth.is_not_null() & ((age < YOUNGEST) | (age > OLDEST)),
            quoted("birth_date", f"is not plausible (an age of {YOUNGEST} to {OLDEST} is)"),
        ),
        problem(~pl.col("oen").str.contains("^([0-9]{9})?$"), quoted("oen", "is not nine digits")),
        problem(
            ~pl.col("school_midents").str.contains("^([0-9]{6}(;[0-9]{6})*;?)?$"),
            quoted("school_midents", "is not six-digit MIDENTs separated by ;"),
        ),
        problem(pl.col("paid_flag").is_null(), quoted("paid", "is not true/false")),
        problem(
            pl.col("international_flag").is_null(), quoted("international", "is not true/false")
        ),
    ]
    checks += [
        problem(
            pl.col(column).str.len_chars() > limit,
            f"{column} is longer than {limit} characters (",
            pl.col(column).str.len_chars().cast(pl.String),
            ")",
        )
        for column, limit in MAX_LENGTHS.items()
    ]
    checks += [
        problem(pl.col(column).str.contains(CONTROL), f"{column} holds a control character")
        for column in TEXT_COLUMNS
    ]
    return checks
