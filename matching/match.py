"""match_students: each student record against the applicants, one decision and its reason."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from matching import reasons
from matching.decide import decide
from matching.prepare import prepare_applicants, prepare_students
from matching.schema import INTERNATIONAL, MATCH_SCHEMA, MATCHED, NOT_MERGED
from matching.scoring import DIMENSIONS, pair_evidence

_EVIDENCE = (*DIMENSIONS, "sur_kind", "first_kind", "bd_slip", "oen_match", "score")
_STUDENT = ("s_idx", "student_key", "mident", "s_oen", "s_bd", "s_surname", "s_first")
_APPLICANT = ("a_idx", "application_number", "a_oen", "a_bd", "a_last", "a_prev", "a_first")


def _application_numbers(decisions: pl.DataFrame, applicants: pl.DataFrame) -> pl.DataFrame:
    """s_idx and `candidates`: the application numbers of the tied candidates."""
    numbers = applicants.select(candidate_idx="a_idx", number="application_number")
    tied = decisions.select("s_idx", "candidate_idx").explode("candidate_idx").drop_nulls()
    joined = tied.join(numbers, on="candidate_idx", how="left", maintain_order="left")
    return joined.group_by("s_idx").agg(candidates=pl.col("number"))


def _explained(
    decisions: pl.DataFrame,
    evidence: pl.DataFrame,
    students: pl.DataFrame,
    applicants: pl.DataFrame,
) -> pl.DataFrame:
    """Decisions with the student, the applicant spoken of and that pair's evidence."""
    rivals = students.select(rival_idx="s_idx", rival_key="student_key")
    return (
        decisions.join(students.select(_STUDENT), on="s_idx", how="left")
        .join(applicants.select(_APPLICANT), on="a_idx", how="left")
        .join(evidence.select("s_idx", "a_idx", *_EVIDENCE), on=["s_idx", "a_idx"], how="left")
        .join(_application_numbers(decisions, applicants), on="s_idx", how="left")
        .join(rivals, on="rival_idx", how="left")
        .with_columns(pl.col("candidates").fill_null([]))
        .sort("s_idx")
    )


def _output(explained: pl.DataFrame) -> pl.DataFrame:
    shown = pl.col("status").is_in([MATCHED, INTERNATIONAL, NOT_MERGED])
    return explained.select(
        "student_key",
        "status",
        application_number=pl.when(shown).then("application_number"),
        codes=reasons.codes(),
        agreed=reasons.agreed(),
        reason=reasons.reason(),
        candidates="candidates",
        score=pl.col("score").fill_null(0.0),
    ).cast(MATCH_SCHEMA)  # type: ignore[arg-type]


@dataclass(frozen=True)
class ApplicantPool:
    """Applicants prepared once for many `match_students` calls (every file of a batch)."""

    frame: pl.DataFrame
    prepared: pl.DataFrame

    @classmethod
    def of(cls, applicants: pl.DataFrame) -> ApplicantPool:
        return cls(applicants, prepare_applicants(applicants))


def reachable(applicants: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """The prepared applicants some student can be paired with (blocking: OEN or birth date).

    Filtering keeps the cost of a small file independent of the number of applicants.
    """
    oens = students["s_oen"].drop_nulls().unique().implode()
    dates = students["s_bd"].drop_nulls().unique().implode()
    return applicants.filter(
        pl.col("a_bd").is_in(dates) | pl.col("a_oen").is_in(oens).fill_null(False)
    )


def match_students(
    students: pl.DataFrame, applicants: pl.DataFrame | ApplicantPool
) -> pl.DataFrame:
    """One decision per student (MATCH_SCHEMA), in the students' order (SPEC 5)."""
    pool = applicants if isinstance(applicants, ApplicantPool) else ApplicantPool.of(applicants)
    prepared_students = prepare_students(students)
    prepared_applicants = reachable(pool.prepared, prepared_students)
    evidence = pair_evidence(prepared_students, prepared_applicants)
    decisions = decide(evidence, prepared_students.height)
    return _output(_explained(decisions, evidence, prepared_students, prepared_applicants))
