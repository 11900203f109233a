"""`ost applicants import`: applicants from the application system's CSV (docs/matching.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl
from sqlalchemy import Connection

from pipeline.bulk import bulk_upsert
from pipeline.models import Applicant
from pipeline.store import table

COLUMNS = (
    "application_number",
    "account_number",
    "first_name",
    "middle_name",
    "last_name",
    "previous_last_name",
    "birth_date",
    "oen",
    "gender",
    "school_midents",
    "paid",
    "international",
)
TRUE_WORDS = ["true", "t", "yes", "y", "1", "oui", "o"]
FALSE_WORDS = ["false", "f", "no", "n", "0", "non", ""]


class ApplicantFileError(ValueError):
    """The CSV cannot be read at all (missing columns, not CSV)."""


@dataclass(frozen=True)
class ApplicantImport:
    """Valid applicants ready to store and the rows refused, with line and reason."""

    applicants: pl.DataFrame
    problems: pl.DataFrame


def _problem(reason: str, failed: pl.Expr) -> pl.Expr:
    return pl.when(failed).then(pl.lit(reason))


def _flag(name: str) -> pl.Expr:
    word = pl.col(name).str.strip_chars().str.to_lowercase()
    return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)


def read_applicants(path: Path) -> ApplicantImport:
    """Parse and check every row; line numbers count the header as line 1."""
    try:
        raw = pl.read_csv(path, infer_schema=False).with_columns(pl.all().fill_null(""))
    except (pl.exceptions.PolarsError, OSError) as error:
        raise ApplicantFileError(f"{path}: not a readable CSV file ({error})") from None
    missing = [name for name in COLUMNS if name not in raw.columns]
    if missing:
        raise ApplicantFileError(f"{path}: missing column(s) {', '.join(missing)}")
    rows = raw.select(COLUMNS).with_columns(pl.all().str.strip_chars()).with_row_index("line", 2)
    checked = rows.with_columns(
        pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False).alias("birth"),
        _flag("paid").alias("paid_flag"),
        _flag("international").alias("international_flag"),
    ).with_columns(
        pl.concat_str(
            _problem("application_number is blank", pl.col("application_number") == ""),
            _problem(
                "application_number appears more than once",
                pl.col("application_number").is_duplicated() & (pl.col("application_number") != ""),
            ),
            _problem("first_name is blank", pl.col("first_name") == ""),
            _problem("last_name is blank", pl.col("last_name") == ""),
            _problem("birth_date is not a YYYY-MM-DD date", pl.col("birth").is_null()),
            _problem("oen is not nine digits", ~pl.col("oen").str.contains("^([0-9]{9})?$")),
            _problem(
                "school_midents must be six-digit MIDENTs separated by ;",
                ~pl.col("school_midents").str.contains("^([0-9]{6}(;[0-9]{6})*;?)?$"),
            ),
            _problem("paid is not true/false", pl.col("paid_flag").is_null()),
            _problem("international is not true/false", pl.col("international_flag").is_null()),
            separator="; ",
            ignore_nulls=True,
        ).alias("reason")
    )
    problems = checked.filter(pl.col("reason") != "").select("line", "application_number", "reason")
    valid = checked.filter(pl.col("reason") == "").select(
        *(name for name in COLUMNS if name not in ("birth_date", "paid", "international")),
        pl.col("birth").alias("birth_date"),
        pl.col("paid_flag").alias("paid"),
        pl.col("international_flag").alias("international"),
    )
    blank_to_null = ["account_number", "middle_name", "previous_last_name", "oen", "gender"]
    valid = valid.with_columns(pl.col(blank_to_null).replace("", None))
    return ApplicantImport(valid, problems)


def upsert_applicants(conn: Connection, applicants: pl.DataFrame, now: datetime) -> int:
    """Insert new applicants and update known ones by application number."""
    rows = applicants.with_columns(pl.lit(now).alias("updated_at"))
    bulk_upsert(conn, table(Applicant), rows, key="application_number")
    return rows.height
