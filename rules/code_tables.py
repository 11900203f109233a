"""The code tables of rules/data: Ministry course codes, SHSM sectors, ISO 3166 countries."""

from __future__ import annotations

import functools
import os
from collections.abc import Mapping
from pathlib import Path

import polars as pl

COURSE_CODES_ENV = "OST_COURSE_CODES"
DATA_DIR = Path(__file__).parent / "data"
COURSE_CODE_COLUMNS = ("code", "title", "discipline", "grade", "course_type")
SHSM_COLUMNS = ("code", "name_en", "name_fr")
COUNTRY_COLUMNS = ("alpha3", "name_en")
# docs/format.md: three letters, grade 1-4 or language level A-E, one course-type letter.
COURSE_CODE_PATTERN = r"^[A-Z]{3}[1-4A-E][A-Z]$"


class CodeTableError(ValueError):
    """A code table that cannot be used; the message names the file and the problem."""


def course_codes_path(*, environ: Mapping[str, str] | None = None) -> Path:
    """The course-code table in force: $OST_COURSE_CODES if set, else the packaged one."""
    override = (os.environ if environ is None else environ).get(COURSE_CODES_ENV, "")
    return Path(override) if override.strip() else DATA_DIR / "course_codes.csv"


def load_course_codes(path: Path | None = None) -> pl.DataFrame:
    """The validated course-code table at `path` (default: `course_codes_path()`)."""
    table_path = Path(path) if path is not None else course_codes_path()
    stat = _stat(table_path)
    # Keyed by modification time too, so a replaced file is read again.
    return _course_codes(table_path.resolve(), stat.st_mtime_ns, stat.st_size).clone()


@functools.lru_cache(maxsize=1)
def load_shsm_sectors() -> frozenset[str]:
    """The SHSM sector codes (docs/format.md, S1 shsm_sector)."""
    table = _read_table(DATA_DIR / "shsm_sectors.csv", SHSM_COLUMNS)
    return frozenset(table["code"].drop_nulls().to_list())


@functools.lru_cache(maxsize=1)
def load_countries() -> frozenset[str]:
    """The ISO 3166-1 alpha-3 country codes (docs/format.md, S1 citizenship)."""
    table = _read_table(DATA_DIR / "countries.csv", COUNTRY_COLUMNS)
    return frozenset(table["alpha3"].drop_nulls().to_list())


@functools.lru_cache(maxsize=8)
def _course_codes(path: Path, mtime_ns: int, size: int) -> pl.DataFrame:
    table = _read_table(path, COURSE_CODE_COLUMNS)
    _check_codes_well_formed(path, table)
    _check_codes_unique(path, table)
    return table


def _stat(path: Path) -> os.stat_result:
    try:
        return path.stat()
    except OSError as error:
        raise CodeTableError(f"{path}: cannot read the code table ({error.strerror})") from error


def _read_table(path: Path, columns: tuple[str, ...]) -> pl.DataFrame:
    """Every column as text; the header must be exactly `columns`."""
    try:
        table = pl.read_csv(path, infer_schema=False)
    except (OSError, pl.exceptions.PolarsError) as error:
        reason = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        raise CodeTableError(f"{path}: cannot read the code table ({reason})") from error
    if tuple(table.columns) != columns:
        raise CodeTableError(
            f"{path}: header is {','.join(table.columns)!r}, expected {','.join(columns)!r}"
        )
    return table


def _with_line(table: pl.DataFrame) -> pl.DataFrame:
    """The table with its file line number (the header is line 1)."""
    return table.with_row_index("line", offset=2)


def _check_codes_well_formed(path: Path, table: pl.DataFrame) -> None:
    bad = _with_line(table).filter(
        pl.col("code").is_null() | ~pl.col("code").str.contains(COURSE_CODE_PATTERN)
    )
    if bad.height:
        first = bad.row(0, named=True)
        more = f" (and {bad.height - 1} more)" if bad.height > 1 else ""
        raise CodeTableError(
            f"{path}: malformed course code {first['code']!r} on line {first['line']}{more}; "
            "expected 3 letters, a grade 1-4 or level A-E, and a course-type letter"
        )


def _check_codes_unique(path: Path, table: pl.DataFrame) -> None:
    repeated = (
        _with_line(table)
        .group_by("code", maintain_order=True)
        .agg(pl.col("line"))
        .filter(pl.col("line").list.len() > 1)
    )
    if repeated.height:
        first = repeated.row(0, named=True)
        lines = ", ".join(str(line) for line in first["line"])
        more = f" (and {repeated.height - 1} more)" if repeated.height > 1 else ""
        raise CodeTableError(
            f"{path}: duplicated course code {first['code']!r} on lines {lines}{more}"
        )
