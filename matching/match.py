"""match_students: each student record against the applicants, one decision and its reason."""

import polars as pl

from matching import reasons
from matching.decide import decide
from matching.prepare import normalised_oen, prepare_applicants, prepare_students
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


def reachable(applicants: pl.DataFrame, students: pl.DataFrame) -> pl.DataFrame:
    """The applicants some student can be paired with: blocking is on OEN or birth date.

    Filtering first keeps the cost of a small file independent of the number of applicants.
    """
    oens = students["s_oen"].drop_nulls().unique().implode()
    dates = students["s_bd"].drop_nulls().unique().implode()
    oen = normalised_oen("oen")
    return applicants.filter(pl.col("birth_date").is_in(dates) | oen.is_in(oens).fill_null(False))


def match_students(students: pl.DataFrame, applicants: pl.DataFrame) -> pl.DataFrame:
    """One decision per student (MATCH_SCHEMA), in the students' order (SPEC 5)."""
    prepared_students = prepare_students(students)
    prepared_applicants = prepare_applicants(reachable(applicants, prepared_students))
    evidence = pair_evidence(prepared_students, prepared_applicants)
    decisions = decide(evidence, prepared_students.height)
    return _output(_explained(decisions, evidence, prepared_students, prepared_applicants))
