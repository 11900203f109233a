"""Findings as values: one row per data problem, coded from the glossary."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass

import polars as pl

FINDING_SCHEMA: Mapping[str, pl.DataType] = {
    "code": pl.Utf8(),
    "line": pl.UInt32(),
    "record_type": pl.Utf8(),
    "field": pl.Utf8(),
    "value": pl.Utf8(),
    "expected": pl.Utf8(),
    "application_number": pl.Utf8(),
}


@dataclass(frozen=True)
class Finding:
    """A single data problem; its message is rendered from the glossary at report time."""

    code: str
    line: int | None = None
    record_type: str | None = None
    field: str | None = None
    value: str | None = None
    expected: str | None = None
    application_number: str | None = None


def empty_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def findings_frame(items: Iterable[Finding]) -> pl.DataFrame:
    """A findings frame from individual findings (file-level problems, a handful at most)."""
    rows = [asdict(item) for item in items]
    return pl.DataFrame(rows, schema=FINDING_SCHEMA) if rows else empty_findings()


def concat_findings(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """All findings in one frame, each cast to the finding schema."""
    parts = [
        frame.select(
            (pl.col(n) if n in frame.columns else pl.lit(None)).cast(t).alias(n)
            for n, t in FINDING_SCHEMA.items()
        )
        for frame in frames
    ]
    return pl.concat([empty_findings(), *parts], how="vertical")


def rows_as_findings(
    rows: pl.DataFrame | pl.LazyFrame,
    code: str,
    record_type: str,
    field: str,
    expected: str | pl.Expr | None = None,
) -> pl.DataFrame:
    """A finding for each of `rows` (which have `line` and the `field` column).

    `expected` is a value for every row, or a column of the rows (context for the message).
    Given a lazy filter of a record frame, only the columns needed are materialised.
    """
    context = expected if isinstance(expected, pl.Expr) else pl.lit(expected, dtype=pl.Utf8)
    return (
        rows.lazy()
        .select(
            pl.lit(code).alias("code"),
            pl.col("line"),
            pl.lit(record_type).alias("record_type"),
            pl.lit(field).alias("field"),
            pl.col(field).cast(pl.Utf8).alias("value"),
            context.cast(pl.Utf8).alias("expected"),
        )
        .collect()
    )
