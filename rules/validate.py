"""A whole transmission through every rule: findings, dispositions and status (docs/format.md,
docs/rules.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import polars as pl

from error_glossary import severities
from parsers.fixed_width import Source, parse, source_size
from parsers.layout import Layout, default_layout
from rules.attempts import delivery_types_differ, repeat_on_higher_mark
from rules.code_tables import load_countries, load_course_codes, load_shsm_sectors
from rules.context import Header, RuleContext, read_header
from rules.filename import check_file_name
from rules.findings import Finding, concat_findings, findings_frame
from rules.grades import duplicate_courses, validate_grades
from rules.header import validate_header
from rules.limits import DEFAULT_MAX_FILE_MB
from rules.structure import (
    assign_owners,
    duplicate_students,
    file_shape,
    mident_agreement,
    orphan_grades,
    record_shape,
    trailer_counts,
)
from rules.students import validate_students, without_ignored_facts

# polars' default engine choice (streaming, for most queries) pays a fixed cost per query that
# only large inputs repay. Measured over whole validations: in memory is faster up to 38 MiB
# (64 ms against 72 ms for a 2 MiB file), the default from 95 MiB (1.01 s against 1.22 s for
# 199 MiB).
STREAMING_FROM_BYTES = 64 * 2**20


@dataclass(frozen=True)
class CodeTables:
    course_codes: frozenset[str]
    shsm_sectors: frozenset[str]
    countries: frozenset[str]


def packaged_code_tables() -> CodeTables:
    """The course-code table in force (OST_COURSE_CODES or packaged) and the other tables."""
    return CodeTables(
        course_codes=frozenset(load_course_codes()["code"].to_list()),
        shsm_sectors=load_shsm_sectors(),
        countries=load_countries(),
    )


@dataclass(frozen=True)
class Counts:
    students: int
    grades: int
    errors: int
    warnings: int


@dataclass(frozen=True)
class ValidationResult:
    """What the rules concluded about one file.

    `students` and `grades` hold every S1 and G1 with an `accepted` column; grades also carry
    `owner_line`, the line of their S1. `findings` are sorted by line, with their severity and
    who they concern (student number, names, course).
    """

    file_name: str
    header: Header
    encoding: str | None
    findings: pl.DataFrame
    students: pl.DataFrame
    grades: pl.DataFrame

    @property
    def status(self) -> str:
        """The file's status on its own findings (`status_of`)."""
        return status_of(self.findings)

    @property
    def counts(self) -> Counts:
        severity = self.findings["severity"]
        return Counts(
            students=self.students.height,
            grades=self.grades.height,
            errors=int((severity == "error").sum()),
            warnings=int((severity == "warning").sum()),
        )

    @property
    def accepted_students(self) -> pl.DataFrame:
        return self.students.filter("accepted")

    @property
    def accepted_grades(self) -> pl.DataFrame:
        return self.grades.filter("accepted")

    @property
    def recorded_students(self) -> pl.DataFrame:
        """Every S1 as it is recorded: the facts a warning ignores made blank (S007, S008)."""
        return without_ignored_facts(self.students, self.findings)


def status_of(findings: pl.DataFrame) -> str:
    """docs/rules.md: rejected (a file error), partially processed (a record or, at merge, a
    course refused), processed. The one place a transmission's status is decided."""
    errors = findings.filter(pl.col("severity") == "error")
    if errors.filter(pl.col("code").str.starts_with("F")).height:
        return "rejected"
    return "partially processed" if errors.height else "processed"


def megabytes(count: int) -> str:
    """A size in MB as a message shows it: 0.00211, 1.04, 312.4, 65536 (never 6.55e+04)."""
    value = count / 2**20
    return f"{value:.3g}" if value < 100 else f"{value:.1f}".removesuffix(".0")


def oversized(file_name: str, size: int, max_bytes: int) -> ValidationResult | None:
    """F010 before reading: a file over the limit is rejected unread."""
    if size <= max_bytes:
        return None
    size_mb, limit_mb = megabytes(size), megabytes(max_bytes)
    finding = Finding("F010", field="size", value=size_mb, expected=limit_mb)
    return _result(file_name, Header(), None, findings_frame([finding]), _no_records())


def validate_file(
    file_name: str,
    source: Source,
    *,
    tables: CodeTables,
    today: date,
    max_bytes: int = DEFAULT_MAX_FILE_MB * 2**20,
    layout: Layout | None = None,
) -> ValidationResult:
    """Every rule of docs/rules.md except the ingest-only ones (F009, A and M codes).

    `source` is the file's bytes or the open file itself (read in place; see parsers).
    """
    size = source_size(source)
    too_big = oversized(file_name, size, max_bytes)
    if too_big is not None:
        return too_big
    with pl.Config(engine_affinity=engine_for(size)):
        return _validate(file_name, source, tables, today, layout or default_layout())


def engine_for(size: int) -> Literal["auto", "in-memory"]:
    """The polars engine that validates `size` bytes faster (see STREAMING_FROM_BYTES)."""
    return "auto" if size >= STREAMING_FROM_BYTES else "in-memory"


def _validate(
    file_name: str, source: Source, tables: CodeTables, today: date, layout: Layout
) -> ValidationResult:
    parsed = parse(source, layout)
    if not parsed.is_text:
        return _result(file_name, Header(), None, findings_frame([Finding("F001")]), _no_records())
    header = read_header(parsed.of("T1"))
    context = RuleContext(header, tables.course_codes, tables.shsm_sectors, tables.countries, today)
    owned = assign_owners(parsed.of("S1"), parsed.of("G1"))
    findings = concat_findings(
        [
            findings_frame(check_file_name(file_name, header)),
            file_shape(parsed.lines),
            record_shape(parsed.lines, layout.record_types),
            validate_header(parsed.of("T1"), context),
            trailer_counts(parsed, layout),
            mident_agreement(parsed, header.mident),
            validate_students(parsed.of("S1"), context),
            duplicate_students(parsed.of("S1")),
            orphan_grades(owned),
            validate_grades(owned, context),
            duplicate_courses(owned),
            delivery_types_differ(owned),
            repeat_on_higher_mark(owned),
        ]
    )
    return _result(file_name, header, parsed.encoding, findings, (parsed.of("S1"), owned))


def _no_records() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Empty S1 and G1 frames for a file that could not be read."""
    layout = default_layout()
    students, grades = (
        pl.DataFrame(schema={"line": pl.UInt32, **{f.name: pl.Utf8 for f in layout.fields_of(t)}})
        for t in ("S1", "G1")
    )
    return students, grades.with_columns(pl.lit(None, dtype=pl.UInt32).alias("owner_line"))


def _result(
    file_name: str,
    header: Header,
    encoding: str | None,
    findings: pl.DataFrame,
    records: tuple[pl.DataFrame, pl.DataFrame],
) -> ValidationResult:
    students, grades = records
    findings = with_severity(findings)
    students, grades = _dispositions(findings, students, grades)
    return ValidationResult(
        file_name=file_name,
        header=header,
        encoding=encoding,
        findings=describe(findings, students, grades),
        students=students,
        grades=grades,
    )


def with_severity(findings: pl.DataFrame) -> pl.DataFrame:
    """Each finding's severity, from the glossary."""
    return findings.with_columns(
        pl.col("code").replace_strict(severities(), return_dtype=pl.Utf8).alias("severity")
    )


def _dispositions(
    findings: pl.DataFrame, students: pl.DataFrame, grades: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """docs/rules.md: an S1 error rejects the student and their G1s; a G1 error rejects that G1."""
    errors = findings.filter(pl.col("severity") == "error")
    file_rejected = errors.filter(pl.col("code").str.starts_with("F"))
    rejected_lines = errors["line"].drop_nulls().unique()
    students = students.with_columns(
        (~pl.col("line").is_in(rejected_lines.implode()) & file_rejected.is_empty()).alias(
            "accepted"
        )
    )
    accepted_owners = students.filter("accepted")["line"].implode()
    grades = grades.with_columns(
        (
            ~pl.col("line").is_in(rejected_lines.implode())
            & pl.col("owner_line").is_in(accepted_owners)
        ).alias("accepted")
    )
    return students, grades


def describe(findings: pl.DataFrame, students: pl.DataFrame, grades: pl.DataFrame) -> pl.DataFrame:
    """Each finding with the student and course it concerns, sorted by line then code."""
    concerned = findings["line"].drop_nulls().implode()
    grades = grades.filter(pl.col("line").is_in(concerned))
    owners = grades["owner_line"].drop_nulls().implode()
    names = students.filter(pl.col("line").is_in(concerned) | pl.col("line").is_in(owners)).select(
        pl.col("line").alias("owner_line"), "student_number", "surname", "first_name"
    )
    who = pl.concat(
        [
            names.rename({"owner_line": "line"}).with_columns(
                pl.lit(None, dtype=pl.Utf8).alias("course")
            ),
            grades.select(
                "line", "owner_line", "student_number", pl.col("course_code").alias("course")
            )
            .join(names.drop("student_number"), on="owner_line", how="left")
            .drop("owner_line"),
        ],
        how="diagonal",
    )
    return findings.join(who, on="line", how="left").sort(
        "line", "code", nulls_last=False, maintain_order=True
    )
