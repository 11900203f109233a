"""Masking of personal values (OEN, birth dates) in console output and logs."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

import polars as pl

PERSONAL_FIELDS = frozenset({"oen", "birth_date"})
# A004 and A003 also show the applicant's declared OEN as the expected value.
OEN_IN_EXPECTED = frozenset({"A003", "A004"})
OEN_PATTERN = re.compile(r"(?<![0-9])[0-9]{9}(?![0-9])")
DATE_PATTERN = re.compile(r"(?<![0-9])(19|20)[0-9]{2}-?[01][0-9]-?[0-3][0-9](?![0-9])")


def mask_oen(oen: str | None) -> str:
    """Only the last three digits of an OEN are shown; the length stays (S005 is about it)."""
    text = (oen or "").strip()
    return "*" * (len(text) - 3) + text[-3:] if len(text) > 3 else "*" * len(text)


def mask_date(value: str | None) -> str:
    """The year stays (it is what a clerk needs to spot a typo); month and day do not."""
    text = (value or "").strip()
    return text[:4] + "*" * (len(text) - 4) if len(text) > 4 else "*" * len(text)


def is_calendar_date(value: str) -> bool:
    """YYYYMMDD or YYYY-MM-DD naming a day that exists."""
    for layout in ("%Y%m%d", "%Y-%m-%d"):
        try:
            datetime.strptime(value, layout)
        except ValueError:
            continue
        return True
    return False


def mask_value(field: str | None, value: str | None) -> str | None:
    """A personal value masked; a birth date that is no date at all (20080631) is nobody's,
    and shown: it is the very thing the clerk must correct."""
    if value is None or field not in PERSONAL_FIELDS:
        return value
    if field == "oen":
        return mask_oen(value)
    return mask_date(value) if is_calendar_date(value.strip()) else value


def mask_finding(row: Mapping[str, Any]) -> dict[str, Any]:
    """A finding whose personal values are masked, in its fields and in its message."""
    masked = dict(row)
    message = str(row.get("message") or "")
    value = str(row.get("value") or "").strip()
    if value and row.get("field") in PERSONAL_FIELDS:
        masked["value"] = mask_value(row["field"], value)
        message = message.replace(value, str(masked["value"]))
    masked["message"] = (
        OEN_PATTERN.sub(lambda m: mask_oen(m.group()), message)
        if row.get("code") in OEN_IN_EXPECTED
        else message
    )
    return masked


def mask_report(report: Mapping[str, Any]) -> dict[str, Any]:
    """A report for the console: the same, with personal values masked."""
    return {**report, "findings": [mask_finding(row) for row in report["findings"]]}


def masks_anything(report: Mapping[str, Any], masked: Mapping[str, Any]) -> bool:
    """Whether masking changed any finding of `report` (the clerk is then told how to see)."""
    return any(a != b for a, b in zip(report["findings"], masked["findings"], strict=True))


def mask_text(text: str) -> str:
    """Free text for logs: nine-digit numbers and dates masked wherever they appear."""
    text = OEN_PATTERN.sub(lambda m: mask_oen(m.group()), text)
    return DATE_PATTERN.sub(lambda m: mask_date(m.group()), text)


def _stars(count: pl.Expr) -> pl.Expr:
    """`count` asterisks (none for a count below one)."""
    return pl.lit("*" * 64).str.slice(0, count.clip(lower_bound=0))


def masked_personal_columns() -> list[pl.Expr]:
    """The `oen` and `birth_date` columns of an export masked as `mask_oen` and `mask_date`."""
    oen, born = pl.col("oen").fill_null(""), pl.col("birth_date").fill_null("")
    oen_length, born_length = oen.str.len_chars(), born.str.len_chars()
    return [
        pl.when(oen_length > 3)
        .then(_stars(oen_length - 3) + oen.str.slice(-3))
        .otherwise(_stars(oen_length))
        .alias("oen"),
        pl.when(born_length > 4)
        .then(born.str.slice(0, 4) + _stars(born_length - 4))
        .otherwise(_stars(born_length))
        .alias("birth_date"),
    ]
