"""An S1 record's values as they are matched and stored: polars expressions (docs/record.md)."""

from __future__ import annotations

import polars as pl


def student_values() -> list[pl.Expr]:
    """An S1 record's identity as stored and matched: OEN "not reported" and blanks as nulls."""
    return [
        pl.col("mident"),
        pl.col("student_number"),
        pl.when(pl.col("oen").str.contains("^[0-9]{9}$") & (pl.col("oen") != "000000000"))
        .then(pl.col("oen"))
        .alias("oen"),
        pl.col("surname"),
        pl.col("first_name"),
        pl.col("middle_name").replace("", None),
        pl.col("birth_date").str.to_date("%Y%m%d", strict=False),
        pl.col("gender").replace("", None),
    ]


def student_facts() -> list[pl.Expr]:
    """docs/record.md: an S1 record's facts as stored; blank (not reported) as null."""
    blank_as_null = ("community_involvement", "literacy_requirement", "grad_status", "shsm_sector")
    return [
        *(pl.col(name).replace("", None) for name in blank_as_null),
        pl.col("ossd_issue_date").str.to_date("%Y%m%d", strict=False),
    ]
