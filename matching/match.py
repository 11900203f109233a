"""match_students: each student record against the applicants, one decision and its reason."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from matching import reasons
from matching.candidates import applicant_keys, candidate_pairs
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
    # A rival is named by the school's student number: what the school's report can show.
    rivals = students.select(rival_idx="s_idx", rival_number="s_number")
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


def rows_with(ordered: pl.DataFrame, column: str, values: pl.Series) -> pl.DataFrame:
    """The rows of `ordered` (sorted on `column`) whose `column` is one of `values`.

    Two binary searches per value instead of a scan, so that the cost of a small file does
    not grow with the number of applicants.
    """
    values = values.drop_nulls().unique()
    if values.is_empty():
        return ordered.clear()
    sorted_column = ordered[column]
    bounds = pl.DataFrame(
        {
            "start": sorted_column.search_sorted(values, side="left"),
            "end": sorted_column.search_sorted(values, side="right"),
        }
    )
    positions = bounds.select(pl.int_ranges("start", "end", dtype=pl.UInt32)).explode("start")
    return ordered[positions.to_series().drop_nulls()]


@dataclass(frozen=True)
class ApplicantPool:
    """Applicants prepared once for many `match_students` calls (every file of a batch).

    Beside the prepared applicants (row `a_idx` at position `a_idx`): their OENs and their
    blocking keys, each sorted, and the applicants as given sorted by application number, to
    find what a file needs by binary search rather than by scanning every applicant.
    """

    by_number: pl.DataFrame
    prepared: pl.DataFrame
    by_oen: pl.DataFrame
    keys: pl.DataFrame

    @classmethod
    def of(cls, applicants: pl.DataFrame) -> ApplicantPool:
        prepared = prepare_applicants(applicants)
        return cls(
            applicants.sort("application_number"),
            prepared,
            by_oen=prepared.select("a_idx", "a_oen").drop_nulls("a_oen").sort("a_oen"),
            keys=applicant_keys(prepared).sort("birth_date"),
        )

    def candidates(self, students: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame]:
        """The students' candidate pairs, and the prepared applicants those pairs name.

        The pairs are found on the narrow OEN and key tables; only the applicants in some
        pair are then taken whole.
        """
        oens = rows_with(self.by_oen, "a_oen", students["s_oen"])
        keys = rows_with(self.keys, "birth_date", students["s_bd"])
        pairs = candidate_pairs(students, oens, keys)
        return pairs, self.prepared[pairs["a_idx"].unique().sort()]

    def applicants(self, numbers: pl.Series) -> pl.DataFrame:
        """The applicants (as given) with these application numbers."""
        return rows_with(self.by_number, "application_number", numbers)


def match_students(
    students: pl.DataFrame, applicants: pl.DataFrame | ApplicantPool
) -> pl.DataFrame:
    """One decision per student (MATCH_SCHEMA), in the students' order (docs/matching.md)."""
    pool = applicants if isinstance(applicants, ApplicantPool) else ApplicantPool.of(applicants)
    prepared_students = prepare_students(students)
    pairs, prepared_applicants = pool.candidates(prepared_students)
    evidence = pair_evidence(prepared_students, prepared_applicants, pairs)
    decisions = decide(evidence, prepared_students.height)
    return _output(_explained(decisions, evidence, prepared_students, prepared_applicants))
