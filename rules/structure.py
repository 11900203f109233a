"""Cross-record rules: file structure (F002-F006), records (R001-R005) and G1 ownership."""

from __future__ import annotations

import re

import polars as pl

from parsers.fixed_width import ParsedFile
from parsers.layout import RECORD_LENGTH, Layout
from rules.findings import Finding, concat_findings, findings_frame, rows_as_findings

TRAILER_COUNTS = ("student_count", "grade_count", "record_count")


def _lines_with(lines: pl.DataFrame, code: str, mask: pl.Expr) -> pl.DataFrame:
    return lines.filter(mask).select(
        pl.lit(code).alias("code"),
        "line",
        "record_type",
        pl.lit("record_type").alias("field"),
        pl.col("record_type").alias("value"),
        pl.lit(None, dtype=pl.Utf8).alias("expected"),
    )


def file_shape(lines: pl.DataFrame) -> pl.DataFrame:
    """F002 empty, F003 first not T1, F004 last not B1, F006 extra T1/B1 or records after B1."""
    if lines.is_empty():
        return findings_frame([Finding("F002")])
    record_type, line = pl.col("record_type"), pl.col("line")
    first_t1 = pl.when(record_type == "T1").then(line).min()
    first_b1 = pl.when(record_type == "B1").then(line).min()
    extra = ((record_type == "T1") & (line > first_t1)) | (line > first_b1)
    return concat_findings(
        [
            _lines_with(lines.head(1), "F003", record_type != "T1"),
            _lines_with(lines.tail(1), "F004", record_type != "B1"),
            _lines_with(lines, "F006", extra.fill_null(False)),
        ]
    )


def record_shape(lines: pl.DataFrame, known_types: tuple[str, ...]) -> pl.DataFrame:
    """R001 unknown record type, R002 non-blank content past column 200."""
    too_long = lines.filter(
        (pl.col("length") > RECORD_LENGTH) & pl.col("excess").str.contains(r"\S")
    ).select(
        pl.lit("R002").alias("code"),
        "line",
        "record_type",
        pl.lit(None, dtype=pl.Utf8).alias("field"),
        pl.col("excess").str.strip_chars().str.slice(0, 40).alias("value"),
        pl.col("length").cast(pl.Utf8).alias("expected"),
    )
    return concat_findings(
        [_lines_with(lines, "R001", ~pl.col("record_type").is_in(known_types)), too_long]
    )


def mident_agreement(parsed: ParsedFile, header_mident: str | None) -> pl.DataFrame:
    """R003: every S1, G1 and B1 carries the header's MIDENT."""
    if header_mident is None:
        return concat_findings([])
    return concat_findings(
        rows_as_findings(
            parsed.of(record_type).lazy().filter(pl.col("mident") != header_mident),
            "R003",
            record_type,
            "mident",
            expected=header_mident,
        )
        for record_type in ("S1", "G1", "B1")
    )


def trailer_counts(parsed: ParsedFile, layout: Layout) -> pl.DataFrame:
    """F005: the first B1's counts against the records actually in the file.

    A count is read only when it fills its field with digits (docs/format.md: N fields are
    zero-padded; a field cut short reads as padded with blanks).
    """
    trailer = parsed.of("B1")
    if trailer.is_empty():
        return concat_findings([])
    row = trailer.row(0, named=True)
    actual = {
        "student_count": parsed.of("S1").height,
        "grade_count": parsed.of("G1").height,
        "record_count": parsed.lines.height,
    }
    return findings_frame(
        Finding("F005", row["line"], "B1", name, row[name], str(actual[name]))
        for name in TRAILER_COUNTS
        if _count(row[name], layout.field("B1", name).length) != actual[name]
    )


def _count(value: str, width: int) -> int | None:
    """A count field's number; None unless it is exactly `width` ASCII digits."""
    return int(value) if re.fullmatch(f"[0-9]{{{width}}}", value) else None


def duplicate_students(s1: pl.DataFrame) -> pl.DataFrame:
    """R005: a later S1 for a student number already in the file."""
    later = ~pl.col("student_number").is_first_distinct()
    repeated = s1.lazy().sort("line").filter((pl.col("student_number") != "") & later)
    return rows_as_findings(repeated, "R005", "S1", "student_number")


def assign_owners(s1: pl.DataFrame, g1: pl.DataFrame) -> pl.DataFrame:
    """Each G1 with `owner_line`: the nearest S1 above it with the same student number."""
    if s1.is_empty():
        return g1.with_columns(pl.lit(None, dtype=pl.UInt32).alias("owner_line"))
    students = s1.lazy().select(pl.col("line").alias("owner_line"), "student_number")
    # Usually a G1's owner is simply the S1 above it: one backward as-of join finds that one ...
    above = students.rename({"student_number": "above"})
    owned = (
        g1.lazy()
        .join_asof(
            above,
            left_on="line",
            right_on="owner_line",
            strategy="backward",
            check_sortedness=False,  # both sides come from the parser in line order
        )
        .with_columns(
            pl.when(pl.col("above") == pl.col("student_number"))
            .then(pl.col("owner_line"))
            .alias("owner_line")
        )
        .drop("above")
        .collect()
    )
    strays = owned.filter(pl.col("owner_line").is_null())
    if strays.is_empty():
        return owned
    # ... and only for the others search every S1 above with the same number.
    found = strays.drop("owner_line").join_asof(
        students.collect(),
        left_on="line",
        right_on="owner_line",
        by="student_number",
        strategy="backward",
        check_sortedness=False,
    )
    # Looked up per line, so the column keeps the chunks of the others (see parsers.parse).
    found_owner = pl.col("line").replace_strict(
        found["line"], found["owner_line"], default=None, return_dtype=pl.UInt32
    )
    return owned.lazy().with_columns(pl.coalesce("owner_line", found_owner)).collect()


def orphan_grades(owned_grades: pl.DataFrame) -> pl.DataFrame:
    """R004: a G1 with no S1 above it for the same student number."""
    orphans = owned_grades.lazy().filter(pl.col("owner_line").is_null())
    return rows_as_findings(orphans, "R004", "G1", "student_number")
