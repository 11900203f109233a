"""One transmission as a pure stage: validation result, applicants and stored data in, a frozen
outcome out (match decisions, merge plan, findings, status, reports).

No database, no clock, no files: the shell (`pipeline.ingest`) reads, calls `stage`, writes the
outcome in one transaction, then publishes it. Every frame here is keyed by the S1 line
(`student_key`); the shell keys what it stores by the records' ids once they are written.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Protocol

import polars as pl

from matching import ApplicantPool, match_files, match_students
from matching.schema import MATCHED
from parsers.layout import SCHOOL_TIMEZONE
from pipeline import reports
from pipeline.merge import (
    COURSE_VALUES,
    EMPTY_COUNTS,
    CourseQuery,
    CourseSnapshot,
    course_query,
    course_school,
    merge_counts,
    merge_findings,
    plan_against,
)
from pipeline.operator_decisions import respecting
from pipeline.report import EMPTY_MATCHING, FindingRow, Report
from pipeline.reports import finding_rows, listed_report, with_cap
from pipeline.student_columns import student_values
from rules.findings import concat_findings
from rules.validate import ValidationResult, describe, status_of, with_severity

LANGUAGES = ("en", "fr")


@dataclass(frozen=True)
class Prepared:
    """What the stage decides from the file alone, before anything stored is read: its
    validation, its students in the matcher's schema, the matcher's decisions (None when the
    transmission is not matched) and the validation's findings as the reports list them, in
    each language. The workers of `ost run` prepare files ahead."""

    result: ValidationResult
    students: pl.DataFrame
    matched: pl.DataFrame | None
    rows: Mapping[str, tuple[FindingRow, ...]]


class StoredReads(Protocol):
    """The stored data the stage needs, read by the shell inside the transmission's
    transaction (tests hand in frames of their own)."""

    def operator_decisions(self, students: pl.DataFrame) -> pl.DataFrame:
        """The operators' decisions on these students (`pipeline.operator_decisions`)."""
        ...

    def courses(self, query: CourseQuery) -> CourseSnapshot:
        """The stored courses a merge plan of these applicants meets."""
        ...


@dataclass(frozen=True)
class TransmissionOutcome:
    """What one transmission comes to: written by the shell, then published.

    `decisions` (by S1 line) and `plan` are None for a transmission that is not matched;
    `findings` are its A and M findings, as stored; `reports` its report in each language.
    """

    transmission_id: int
    result: ValidationResult
    created_at: datetime | None
    decisions: pl.DataFrame | None
    plan: pl.DataFrame | None
    findings: pl.DataFrame
    status: str
    reports: Mapping[str, Report]


def created_at_utc(result: ValidationResult) -> datetime | None:
    """The header's creation time (school time, docs/format.md) in UTC."""
    created = result.header.created_at
    return created.replace(tzinfo=SCHOOL_TIMEZONE).astimezone(UTC) if created else None


def students_for_matching(result: ValidationResult) -> pl.DataFrame:
    """The accepted S1 records in the matcher's input schema, keyed by their line."""
    return result.accepted_students.select(
        pl.col("line").cast(pl.Int64).alias("student_key"), *student_values()
    )


def is_matched(result: ValidationResult) -> bool:
    """Whether a transmission's students are matched: not rejected, and dated (docs/rules.md,
    docs/merging.md)."""
    return result.status != "rejected" and created_at_utc(result) is not None


def prepare(result: ValidationResult, applicants: ApplicantPool) -> Prepared:
    """The file's students, the matcher's decisions on them (by line), and the validation's
    findings rendered (as many as a report lists)."""
    [prepared] = prepare_files([result], applicants)
    return prepared


def prepare_files(results: Sequence[ValidationResult], applicants: ApplicantPool) -> list[Prepared]:
    """`prepare` of each file, with the students of all of them matched in shared blocks
    (the same decisions as one file at a time, in far fewer operations)."""
    students = [students_for_matching(result) for result in results]
    wanted = [i for i, result in enumerate(results) if is_matched(result)]
    decided = match_files([students[i] for i in wanted], applicants)
    matched: dict[int, pl.DataFrame] = dict(zip(wanted, decided, strict=True))
    limit = reports.MAX_REPORTED_FINDINGS
    return [
        Prepared(
            result,
            mine,
            matched.get(i),
            {lang: finding_rows(result.findings, lang, limit) for lang in LANGUAGES},
        )
        for i, (result, mine) in enumerate(zip(results, students, strict=True))
    ]


def stage(
    transmission_id: int, prepared: Prepared, applicants: ApplicantPool, reads: StoredReads
) -> TransmissionOutcome:
    """The whole decision on one transmission.

    Which stored data matter is known only as the stage goes: the operators' decisions of the
    file's students, then the courses of the applicants they are matched to. `reads` gives
    each at that point; nothing else of the outside world is consulted.
    """
    result, created_at = prepared.result, created_at_utc(prepared.result)
    if prepared.matched is None or created_at is None:
        return _outcome(transmission_id, prepared, None, None, concat_findings([]))
    decisions = _respected(prepared, applicants, reads)
    incoming = incoming_courses(accepted_grades_by_line(result), decisions)
    plan = plan_against(incoming, reads.courses(course_query(incoming, created_at)), created_at)
    a_findings = matching_findings(decisions, prepared.students, applicants)
    findings = concat_findings([a_findings, merge_findings(plan)])
    return _outcome(transmission_id, prepared, decisions, plan, findings, created_at)


def _respected(prepared: Prepared, applicants: ApplicantPool, reads: StoredReads) -> pl.DataFrame:
    """The matcher's decisions with the operators' word on them applied (docs/review.md)."""
    matched = prepared.matched
    assert matched is not None
    if matched.is_empty():
        return matched

    def rematch(redo: pl.DataFrame, excluded: pl.DataFrame) -> pl.DataFrame:
        return match_students(redo, applicants, excluded=excluded)

    operator = reads.operator_decisions(prepared.students)
    return respecting(prepared.students, matched, operator, rematch)


def _outcome(
    transmission_id: int,
    prepared: Prepared,
    decisions: pl.DataFrame | None,
    plan: pl.DataFrame | None,
    findings: pl.DataFrame,
    created_at: datetime | None = None,
) -> TransmissionOutcome:
    result = prepared.result
    own = describe(with_severity(findings), result.students, result.grades)
    merged = ReportFindings.of(result, own.select(result.findings.columns))
    status = status_of(merged.frame)
    matching = EMPTY_MATCHING if decisions is None else matching_counts(decisions)
    merge = EMPTY_COUNTS if plan is None else merge_counts(plan)
    by_language = {
        lang: ingest_report(transmission_id, prepared, merged, lang, status, matching, merge)
        for lang in LANGUAGES
    }
    return TransmissionOutcome(
        transmission_id, result, created_at, decisions, plan, findings, status, by_language
    )


def accepted_grades_by_line(result: ValidationResult) -> pl.DataFrame:
    """The accepted G1 records, each with its student's key (the line of its S1)."""
    return result.accepted_grades.with_columns(
        pl.col("owner_line").cast(pl.Int64).alias("student_record_id")
    )


def incoming_courses(grades: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """Accepted grades of matched students, keyed for the merge (`grades.student_record_id`
    is the `student_key` of `decisions`)."""
    matched = decisions.filter(pl.col("status") == MATCHED).select(
        pl.col("student_key").alias("student_record_id"), "application_number"
    )
    joined = grades.join(matched, on="student_record_id")
    return joined.with_columns(
        course_school().alias("course_mident"), pl.col("supplier_mident").str.strip_chars(" ")
    ).select(
        "application_number",
        "course_code",
        "completion_date",
        "delivery_type",
        *(name for name in COURSE_VALUES if name != "mident"),
        "mident",
        pl.col("line").cast(pl.Int64),
    )


def matching_findings(
    decisions: pl.DataFrame, students: pl.DataFrame, applicants: ApplicantPool
) -> pl.DataFrame:
    """A001-A006 as findings on the students' S1 lines, with the values their messages show."""
    if decisions.is_empty():
        return concat_findings([])
    coded = decisions.explode("codes").filter(pl.col("codes").is_not_null())
    people = applicants.applicants(coded["application_number"]).select(
        "application_number",
        pl.col("oen").alias("applicant_oen"),
        pl.concat_str("first_name", "last_name", separator=" ").alias("applicant_name"),
    )
    coded = coded.join(
        students.select("student_key", "oen", "first_name", "surname"), on="student_key"
    ).join(people, on="application_number", how="left")
    code = pl.col("codes")
    return coded.select(
        code.alias("code"),
        pl.col("student_key").cast(pl.UInt32).alias("line"),
        pl.lit("S1").alias("record_type"),
        pl.when(code == "A006").then(pl.lit("first_name")).otherwise(pl.lit("oen")).alias("field"),
        pl.when(code == "A006")
        .then(pl.concat_str("first_name", "surname", separator=" "))
        .otherwise(pl.col("oen"))
        .alias("value"),
        pl.when(code == "A002")
        .then(pl.col("candidates").list.join(", "))
        .when(code == "A004")
        .then(pl.col("applicant_oen"))
        .when(code == "A006")
        .then(pl.col("applicant_name"))
        .alias("expected"),
        # A probable applicant held for review is the operators' to see, not the school's.
        pl.when(code != "A009").then(pl.col("application_number")).alias("application_number"),
    )


def matching_counts(decisions: pl.DataFrame) -> dict[str, int]:
    """docs/commands.md "matching" counts."""
    status = decisions["status"]
    return {
        "matched": int((status == "matched").sum()),
        "pending": int((status == "pending").sum()),
        # Held for an operator's review (A002 ties and A009 probable matches) count as ambiguous.
        "ambiguous": int(status.is_in(["ambiguous", "review"]).sum()),
        "not_merged": int(status.is_in(["not_merged", "international"]).sum()),
    }


@dataclass(frozen=True)
class ReportFindings:
    """The validation's findings and the stage's own (`own`, described), in report order:
    `frame`, and for each of its rows where it came from (`source`: the row of the validation's
    findings, or the validation's count plus the row of `own`)."""

    frame: pl.DataFrame
    source: pl.Series
    own: pl.DataFrame

    @classmethod
    def of(cls, result: ValidationResult, own: pl.DataFrame) -> ReportFindings:
        validated = result.findings.with_row_index("source")
        added = own.with_row_index("source", offset=result.findings.height)
        merged = pl.concat([validated, added])
        ordered = merged.sort("line", "code", nulls_last=False, maintain_order=True)
        return cls(ordered.drop("source"), ordered["source"], own)

    def rows(
        self, validated: tuple[FindingRow, ...], lang: str, limit: int
    ) -> tuple[FindingRow, ...]:
        """The first `limit` rows rendered in `lang`; `validated`: the validation's, rendered
        ahead (its first `limit` at least: a merge keeps their order)."""
        count = self.frame.height - self.own.height
        own = finding_rows(self.own, lang)
        listed = self.source.head(limit).to_list()
        return tuple(validated[i] if i < count else own[i - count] for i in listed)


def ingest_report(
    transmission_id: int,
    prepared: Prepared,
    findings: ReportFindings,
    lang: str,
    status: str,
    matching: Mapping[str, int],
    merge: Mapping[str, int],
) -> Report:
    """docs/commands.md: the validate report plus id, matching and merge counts."""
    result, limit = prepared.result, reports.MAX_REPORTED_FINDINGS
    full = ValidationResult(
        result.file_name,
        result.header,
        result.encoding,
        findings.frame,
        result.students,
        result.grades,
    )
    rows = findings.rows(prepared.rows[lang], lang, limit)
    report = with_cap(listed_report(full, rows), findings.frame.height, limit)
    return replace(
        report, id=transmission_id, status=status, matching=dict(matching), merge=dict(merge)
    )
