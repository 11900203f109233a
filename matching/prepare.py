"""The two sides of a match, with row indexes and normalised names beside the raw values."""

import polars as pl

from matching.names import accented, compact, core_tokens, initials, tokens
from matching.schema import APPLICANTS_SCHEMA, STUDENTS_SCHEMA


def _oen(column: str) -> pl.Expr:
    """Nine digits, or null when blank, all zeros or malformed (SPEC 2.2: 000000000 = none)."""
    digits = pl.col(column).str.replace_all(r"[^0-9]", "")
    valid = (digits.str.len_chars() == 9) & (digits != "000000000")
    return pl.when(valid).then(digits)


def _joined(first: str, middle: str) -> pl.Expr:
    """First and middle name written as one compact name."""
    return compact(pl.concat_str(pl.col(first), pl.col(middle), separator=" ", ignore_nulls=True))


def prepare_students(students: pl.DataFrame) -> pl.DataFrame:
    """Students with `s_`-prefixed raw and normalised columns and their row index `s_idx`."""
    return students.cast(STUDENTS_SCHEMA).select(  # type: ignore[arg-type]
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("s_idx"),
        "student_key",
        "mident",
        s_oen=_oen("oen"),
        s_bd="birth_date",
        s_surname="surname",
        s_first="first_name",
        s_middle="middle_name",
        s_sur_c=compact(pl.col("surname")),
        s_sur_core=core_tokens(pl.col("surname")),
        s_sur_a=accented(pl.col("surname")),
        s_first_c=compact(pl.col("first_name")),
        s_first_t=tokens(pl.col("first_name")),
        s_first_a=accented(pl.col("first_name")),
        s_first_i=initials(pl.col("first_name")),
        s_middle_c=compact(pl.col("middle_name")),
        s_middle_t=tokens(pl.col("middle_name")),
        s_fm_c=_joined("first_name", "middle_name"),
    )


def prepare_applicants(applicants: pl.DataFrame) -> pl.DataFrame:
    """Applicants with `a_`-prefixed raw and normalised columns and their row index `a_idx`."""
    return applicants.cast(APPLICANTS_SCHEMA).select(  # type: ignore[arg-type]
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("a_idx"),
        "application_number",
        a_oen=_oen("oen"),
        a_bd="birth_date",
        a_last="last_name",
        a_prev="previous_last_name",
        a_first="first_name",
        a_middle="middle_name",
        a_last_c=compact(pl.col("last_name")),
        a_last_core=core_tokens(pl.col("last_name")),
        a_last_a=accented(pl.col("last_name")),
        a_prev_c=compact(pl.col("previous_last_name")),
        a_prev_core=core_tokens(pl.col("previous_last_name")),
        a_first_c=compact(pl.col("first_name")),
        a_first_t=tokens(pl.col("first_name")),
        a_first_a=accented(pl.col("first_name")),
        a_first_i=initials(pl.col("first_name")),
        a_middle_c=compact(pl.col("middle_name")),
        a_middle_t=tokens(pl.col("middle_name")),
        a_fm_c=_joined("first_name", "middle_name"),
        a_schools=pl.col("school_midents").fill_null([]),
        a_international=pl.col("international").fill_null(False),
    )
