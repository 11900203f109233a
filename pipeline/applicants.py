"""`ost applicants import`: applicants from the application system's CSV (docs/matching.md)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import polars as pl

from pipeline.applicant_rows import value_problems
from pipeline.store.applicants import save_applicants

if TYPE_CHECKING:
    from pipeline.database import Connection

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
    """The CSV cannot be read at all (not text, not CSV, columns other than expected)."""


@dataclass(frozen=True)
class ApplicantImport:
    """Valid applicants ready to store and the rows refused, with line and reason."""

    applicants: pl.DataFrame
    problems: pl.DataFrame


def _flag(name: str) -> pl.Expr:
    word = pl.col(name).str.strip_chars().str.to_lowercase()
    return pl.when(word.is_in(TRUE_WORDS)).then(True).when(word.is_in(FALSE_WORDS)).then(False)


def decoded(path: Path, raw: bytes) -> str:
    """UTF-8 (a byte-order mark skipped), else Windows-1252 as for transmissions; a byte that
    is neither is refused with its line."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        byte = raw[error.start]
        raise ApplicantFileError(
            f"{path}:{line}: byte 0x{byte:02x} is neither UTF-8 nor Windows-1252 text"
        ) from None


def header_problem(path: Path, columns: list[str]) -> str | None:
    """What is wrong with the header, saying what was found and what was expected."""
    missing = [name for name in COLUMNS if name not in columns]
    if not missing:
        return None
    found = ",".join(columns)[:200]
    expected = ",".join(COLUMNS)
    if len(columns) == 1 and ";" in columns[0]:
        why = "the columns are separated by ';' where ',' is expected"
    elif {name.strip().lower() for name in columns} >= set(COLUMNS):
        why = "the column names must be written in lower case, as expected"
    else:
        why = f"missing column(s) {', '.join(missing)}"
    return f"{path}: {why}; found the header {found!r}, expected {expected!r}"


def read_applicants(path: Path, today: date | None = None) -> ApplicantImport:
    """Parse and check every row; line numbers count the header as line 1."""
    try:
        text = decoded(path, path.read_bytes())
    except OSError as error:
        raise ApplicantFileError(f"{path}: {error.strerror or error}") from None
    header = next(csv.reader(io.StringIO(text.partition("\n")[0])), [])
    if (reason := header_problem(path, header)) is not None:
        raise ApplicantFileError(reason)
    try:
        raw = pl.read_csv(
            text.encode("utf-8"), infer_schema=False, truncate_ragged_lines=False
        ).with_columns(pl.all().fill_null(""))
    except (pl.exceptions.PolarsError, OSError) as error:
        raise ApplicantFileError(f"{path}: not a readable CSV file ({error})") from None
    rows = raw.select(COLUMNS).with_columns(pl.all().str.strip_chars()).with_row_index("line", 2)
    checked = rows.with_columns(
        pl.col("birth_date").str.to_date("%Y-%m-%d", strict=False).alias("birth"),
        _flag("paid").alias("paid_flag"),
        _flag("international").alias("international_flag"),
    ).with_columns(
        pl.concat_str(
            *value_problems(today or date.today()), separator="; ", ignore_nulls=True
        ).alias("reason")
    )
    problems = checked.filter(pl.col("reason") != "").select("line", "application_number", "reason")
    valid = checked.filter(pl.col("reason") == "").select(
        *(name for name in COLUMNS if name not in ("birth_date", "paid", "international")),
        pl.col("birth").alias("birth_date"),
        pl.col("paid_flag").alias("paid"),
        pl.col("international_flag").alias("international"),
    )
    blank_to_null = [
        "account_number",
        "first_name",
        "middle_name",
        "last_name",
        "previous_last_name",
        "oen",
        "gender",
    ]
    valid = valid.with_columns(pl.col(blank_to_null).replace("", None))
    return ApplicantImport(valid, problems)


def upsert_applicants(conn: Connection, applicants: pl.DataFrame, now: datetime) -> int:
    """Insert new applicants and update known ones by application number."""
    rows = applicants.with_columns(pl.lit(now).alias("updated_at"))
    save_applicants(conn, rows)
    return rows.height
