"""The two sides of a match, with row indexes and normalised names beside the raw values."""

import polars as pl

from matching.names import accented, compact, core_words, folded, initials, words
from matching.schema import ACCOUNT_SCHEMA, APPLICANTS_SCHEMA, STUDENTS_SCHEMA


def normalised_oen(column: str) -> pl.Expr:
    """Nine digits, or null when blank, all zeros or malformed (docs/format.md: 000000000 =
    none)."""
    digits = pl.col(column).str.replace_all(r"[^0-9]", "")
    valid = (digits.str.len_chars() == 9) & (digits != "000000000")
    return pl.when(valid).then(digits)


def _folded(frame: pl.DataFrame, columns: dict[str, str]) -> pl.DataFrame:
    """Add each raw name column folded, as `<prefix>_f`."""
    return frame.with_columns(
        folded(pl.col(raw)).alias(prefix + "_f") for prefix, raw in columns.items()
    )


def _given_names(prefix: str) -> dict[str, pl.Expr]:
    """Compact form, words, accented form and initials of a first name, and the middle name's."""
    first, middle = pl.col(prefix + "_first_f"), pl.col(prefix + "_middle_f")
    return {
        prefix + "_first_c": compact(first),
        prefix + "_first_t": words(first),
        prefix + "_first_i": initials(words(first)),
        prefix + "_middle_c": compact(middle),
        prefix + "_middle_t": words(middle),
        prefix + "_fm_c": compact(first) + compact(middle),
    }


def prepare_students(students: pl.DataFrame) -> pl.DataFrame:
    """Students with `s_`-prefixed raw and normalised columns and their row index `s_idx`."""
    frame = students.cast(STUDENTS_SCHEMA).select(  # type: ignore[arg-type]
        pl.int_range(pl.len(), dtype=pl.UInt32).alias("s_idx"),
        "student_key",
        "mident",
        s_number="student_number",
        s_oen=normalised_oen("oen"),
        s_bd="birth_date",
        s_surname="surname",
        s_first="first_name",
        s_middle="middle_name",
    )
    frame = _folded(frame, {"s_sur": "s_surname", "s_first": "s_first", "s_middle": "s_middle"})
    return frame.with_columns(
        s_sur_c=compact(pl.col("s_sur_f")),
        s_sur_core=core_words(words(pl.col("s_sur_f"))),
        s_sur_a=accented(pl.col("s_surname")),
        s_first_a=accented(pl.col("s_first")),
        **_given_names("s"),
    ).drop("s_sur_f", "s_first_f", "s_middle_f")


def with_accounts(applicants: pl.DataFrame) -> pl.DataFrame:
    """The applicants with `account_number` and `paid`, null and false when not given."""
    missing = {
        name: pl.lit(None, dtype) for name, dtype in ACCOUNT_SCHEMA.items()
        if name not in applicants.columns
    }  # fmt: skip
    return applicants.with_columns(**missing).cast(ACCOUNT_SCHEMA)  # type: ignore[arg-type]


def representatives() -> pl.Expr:
    """`a_rep`: the application that speaks for its account: the paid one, the latest if several.

    Applications are numbered in the order they were made, so the latest has the highest
    number. An application without an account speaks for itself.
    """
    order = pl.struct(pl.col("a_paid"), pl.col("application_number"))
    best = pl.col("a_idx").sort_by(order, descending=True).first().over("a_account")
    return pl.when(pl.col("a_account").is_null()).then(pl.col("a_idx")).otherwise(best)


def prepare_applicants(applicants: pl.DataFrame) -> pl.DataFrame:
    """Applicants with `a_`-prefixed raw and normalised columns and their row index `a_idx`."""
    typed = applicants.cast(APPLICANTS_SCHEMA)  # type: ignore[arg-type]
    frame = (
        with_accounts(typed)
        .select(
            pl.int_range(pl.len(), dtype=pl.UInt32).alias("a_idx"),
            "application_number",
            a_oen=normalised_oen("oen"),
            a_bd="birth_date",
            a_last="last_name",
            a_prev="previous_last_name",
            a_first="first_name",
            a_middle="middle_name",
            a_schools=pl.col("school_midents").fill_null([]),
            a_international=pl.col("international").fill_null(False),
            a_account=pl.col("account_number").str.strip_chars().replace("", None),
            a_paid=pl.col("paid").fill_null(False),
        )
        .with_columns(a_rep=representatives())
    )
    names = {"a_last": "a_last", "a_prev": "a_prev", "a_first": "a_first", "a_middle": "a_middle"}
    frame = _folded(frame, names)
    return frame.with_columns(
        a_last_c=compact(pl.col("a_last_f")),
        a_last_core=core_words(words(pl.col("a_last_f"))),
        a_last_a=accented(pl.col("a_last")),
        a_prev_c=compact(pl.col("a_prev_f")),
        a_prev_core=core_words(words(pl.col("a_prev_f"))),
        a_first_a=accented(pl.col("a_first")),
        **_given_names("a"),
    ).drop("a_last_f", "a_prev_f", "a_first_f", "a_middle_f")
