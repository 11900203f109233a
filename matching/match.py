"""match_students: each student record against the applicants, one decision and its evidence."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from matching import reasons
from matching.decide import beaten, by_account, decide, outranked, rivalries
from matching.fields import FIELDS
from matching.pool import ApplicantPool, rows_with
from matching.prepare import prepare_students
from matching.schema import (
    AMBIGUOUS,
    INTERNATIONAL,
    MATCH_SCHEMA,
    MATCHED,
    NOT_MERGED,
    PENDING,
    REVIEW,
)
from matching.scoring import DIMENSIONS, pair_evidence
from matching.weights import Zones, evidence_of

__all__ = ["ApplicantPool", "match_files", "match_students", "rows_with"]

# Students matched at a time: the memory a match needs is bounded by the block, not the file.
BLOCK_STUDENTS = 5_000
# Students searched at a time for rivals: only their pairs with a few claimed applicants are
# kept, so larger blocks stay small in memory and share the per-call costs (on the provincial
# re-match: 3.3 s instead of 4.9 s for 145,000 students).
RIVAL_BLOCK_STUDENTS = 50_000
# Held students matched again at a time: they are the ones whose OEN and birth date found no
# one, searched by their names too, with tens of candidates each (on the provincial re-match,
# blocks of 5,000 held the evidence of 3,000 such students at once: 2.0 GB at its peak, 1.0 GB
# in blocks of 1,000).
HELD_BLOCK_STUDENTS = 1_000

# Each field's level and weight: kept only until the decided pair's evidence is built.
_FIELD_COLUMNS = (*(field + "_fs" for field in FIELDS), *(field + "_w" for field in FIELDS))
_EVIDENCE = (
    *DIMENSIONS, "sur_kind", "first_kind", "bd_slip", "oen_match", "score", "weight",
    *_FIELD_COLUMNS,
)  # fmt: skip
_STUDENT = (
    "s_idx", "student_key", "mident", "s_oen", "s_bd", "s_surname", "s_first", "s_number",
    "s_sur_c", "s_first_c",
)  # fmt: skip
_APPLICANT = ("a_idx", "application_number", "a_oen", "a_bd", "a_last", "a_prev", "a_first")


def _numbers(applicants: pl.DataFrame, column: str) -> pl.Expr:
    """The application numbers of a list column of applicant indexes."""
    lookup = dict(zip(applicants["a_idx"], applicants["application_number"], strict=True))
    return pl.col(column).list.eval(
        pl.element().replace_strict(lookup, default=None, return_dtype=pl.String)
    )


def _explained_block(
    decisions: pl.DataFrame,
    evidence: pl.DataFrame,
    students: pl.DataFrame,
    applicants: pl.DataFrame,
) -> pl.DataFrame:
    """Decisions with the student, the applicant spoken of, that pair's evidence and the beaten."""
    return (
        decisions.join(students.select(_STUDENT), on="s_idx", how="left")
        .join(applicants.select(_APPLICANT), on="a_idx", how="left")
        .join(evidence.select("s_idx", "a_idx", *_EVIDENCE), on=["s_idx", "a_idx"], how="left")
        .join(beaten(evidence, decisions), on="s_idx", how="left")
        .with_columns(
            candidates=_numbers(applicants, "candidate_idx"),
            beaten_numbers=_numbers(applicants, "beaten_idx"),
            # Only the pair each decision speaks of keeps its field-by-field evidence.
            evidence_fields=pl.when(pl.col("weight").is_not_null()).then(evidence_of()),
        )
        .drop("candidate_idx", "beaten_idx", *_FIELD_COLUMNS)
    )


def _match_block(
    students: pl.DataFrame, pool: ApplicantPool, zones: Zones, excluded: pl.DataFrame | None
) -> pl.DataFrame:
    pairs, applicants = pool.candidates(students)
    if excluded is not None and not excluded.is_empty():
        pairs = _without(pairs, excluded, students, applicants)
    evidence = by_account(pair_evidence(students, applicants, pairs))
    decisions = decide(evidence, students["s_idx"], zones)
    return _explained_block(decisions, evidence, students, applicants)


def _without(
    pairs: pl.DataFrame, excluded: pl.DataFrame, students: pl.DataFrame, applicants: pl.DataFrame
) -> pl.DataFrame:
    """The pairs an operator did not reject (`excluded`: student_key, application_number)."""
    named = excluded.join(students.select("s_idx", "student_key"), on="student_key").join(
        applicants.select("a_idx", "application_number"), on="application_number"
    )
    return pairs.join(named.select("s_idx", "a_idx"), on=["s_idx", "a_idx"], how="anti")


def _settle_rivalries(explained: pl.DataFrame, zones: Zones) -> pl.DataFrame:
    """Claims of two people on one applicant: the weaker loses it (pending), close ones tie.

    Merged decisions are settled first; then a decision held for review whose applicant
    another person is merged into, with more weight by the margin, is pending instead.
    """
    claims = rivalries(explained.filter(pl.col("status") == MATCHED), zones)
    joined = explained.drop("rival_idx").join(claims, on="s_idx", how="left")
    rivalled = pl.col("rival_idx").is_not_null()
    lost = pl.col("lost").fill_null(False)
    settled = joined.with_columns(
        status=pl.when(rivalled & lost)
        .then(pl.lit(PENDING))
        .when(rivalled)
        .then(pl.lit(AMBIGUOUS))
        .otherwise("status"),
        candidates=pl.when(rivalled & ~lost)
        .then(pl.concat_list(pl.col("application_number")))
        .otherwise("candidates"),
    )
    beaten_by = outranked(
        settled.filter(pl.col("status") == REVIEW),
        settled.filter(pl.col("status") == MATCHED),
        zones,
    )
    settled = settled.join(beaten_by, on="s_idx", how="left").with_columns(
        status=pl.when(pl.col("outranked_by").is_not_null())
        .then(pl.lit(PENDING))
        .otherwise("status"),
        rival_idx=pl.coalesce("rival_idx", "outranked_by"),
    )
    rivals = explained.select(rival_idx="s_idx", rival_number="s_number")
    return settled.join(rivals, on="rival_idx", how="left").drop("lost", "outranked_by")


def _evidence_json() -> pl.Expr:
    """A decision's evidence as JSON: total weight, fields (level, weight), candidates beaten."""
    beaten_list = pl.concat_list(
        pl.struct(
            application_number=pl.col("beaten_numbers").list.get(i, null_on_oob=True),
            weight=pl.col("beaten_weight").list.get(i, null_on_oob=True).round(2),
        )
        for i in range(5)
    ).list.eval(pl.element().filter(pl.element().struct.field("application_number").is_not_null()))
    return (
        pl.when(pl.col("weight").is_not_null())
        .then(
            pl.struct(
                weight=pl.col("weight").round(2),
                fields="evidence_fields",
                beaten=beaten_list,
            ).struct.json_encode()
        )
        .otherwise(pl.lit(None, pl.String))
    )


def _output(explained: pl.DataFrame) -> pl.DataFrame:
    shown = pl.col("status").is_in([MATCHED, INTERNATIONAL, NOT_MERGED, REVIEW])
    return explained.select(
        "student_key",
        "status",
        application_number=pl.when(shown).then("application_number"),
        codes=reasons.codes(),
        agreed=reasons.agreed(),
        reason=reasons.reason(),
        candidates=pl.col("candidates").fill_null([]),
        score=pl.col("score").fill_null(0.0),
        weight="weight",
        evidence=_evidence_json(),
    ).cast(MATCH_SCHEMA)  # type: ignore[arg-type]


def _blocks(
    prepared: pl.DataFrame,
    pool: ApplicantPool,
    zones: Zones,
    excluded: pl.DataFrame | None,
    size: int = BLOCK_STUDENTS,
) -> list[pl.DataFrame]:
    return [
        _match_block(prepared.slice(start, size), pool, zones, excluded)
        for start in range(0, prepared.height, size)
    ]


def _claimants(
    students: pl.DataFrame, pool: ApplicantPool, pairs: pl.DataFrame, zones: Zones
) -> pl.Series:
    """The students that one of `pairs` could merge: at the merge threshold with nothing
    against it. A student is merged into an applicant (or its account) only through such a
    pair, so the others of `pairs` claim none of them."""
    if pairs.is_empty():
        return pairs["s_idx"]
    applicants = pool.prepared[pairs["a_idx"].unique().sort()]
    evidence = pair_evidence(students, applicants, pairs)
    return evidence.filter(pl.col("floor") & (pl.col("weight") >= zones.merge))["s_idx"]


def _focused(
    prepared: pl.DataFrame,
    pool: ApplicantPool,
    zones: Zones,
    excluded: pl.DataFrame | None,
    focus: pl.Series,
) -> list[pl.DataFrame]:
    """The blocks of the students of `focus`, and of the others that may claim their applicant.

    A decision changes with other students' only when they are merged into the applicant it
    names (rivalries); such a student has that applicant among its candidates, at the merge
    threshold (`_claimants`). Every other student is left out without changing any decision
    of `focus`.
    """
    wanted = pl.col("student_key").is_in(focus.implode())
    mine = _blocks(prepared.filter(wanted), pool, zones, excluded, HELD_BLOCK_STUDENTS)
    named = [b.filter(pl.col("status").is_in([MATCHED, REVIEW]))["a_idx"] for b in mine]
    claimed = pl.concat([pl.Series("a_idx", [], pl.UInt32), *named]).unique()
    others = prepared.filter(~wanted)
    if claimed.is_empty() or others.is_empty():
        return mine
    # The claimed applicants and the other applications of their accounts: a student merged
    # into one of those may be named by its account's representative.
    claims = pl.col("a_idx").is_in(claimed.implode()) | pl.col("a_rep").is_in(claimed.implode())
    # Searching those alone finds every pair the whole pool would with them, and a few more
    # (the names are searched for more students): the superset costs a few more scores.
    narrow = pool.restricted_to(pool.prepared.filter(claims)["a_idx"])
    rivals = []
    for start in range(0, others.height, RIVAL_BLOCK_STUDENTS):
        block = others.slice(start, RIVAL_BLOCK_STUDENTS)
        pairs = narrow.candidates(block)[0]
        rivals.append(_claimants(block, pool, pairs, zones))
    found = pl.concat(rivals).unique().implode()
    return mine + _blocks(others.filter(pl.col("s_idx").is_in(found)), pool, zones, excluded)


def _decided(explained: pl.DataFrame, zones: Zones, focus: pl.Series | None) -> pl.DataFrame:
    """The final decisions of one set of competing students, in their order (MATCH_SCHEMA)."""
    settled = _settle_rivalries(explained, zones)
    if focus is not None:
        settled = settled.filter(pl.col("student_key").is_in(focus.implode()))
    return _output(settled.sort("s_idx"))


def match_students(
    students: pl.DataFrame,
    applicants: pl.DataFrame | ApplicantPool,
    zones: Zones | None = None,
    excluded: pl.DataFrame | None = None,
    focus: pl.Series | None = None,
) -> pl.DataFrame:
    """One decision per student (MATCH_SCHEMA), in the students' order (docs/matching.md).

    `zones`: the thresholds (the pool's when not given); `excluded`: pairs
    (student_key, application_number) an operator rejected, never proposed again; `focus`:
    the student keys whose decisions are wanted (all when not given): only they and the
    students competing with them for an applicant are scored, and only their decisions are
    returned. Students are matched in blocks of BLOCK_STUDENTS, so that memory does not grow
    with their number.
    """
    pool = applicants if isinstance(applicants, ApplicantPool) else ApplicantPool.of(applicants)
    zones = pool.zones if zones is None else zones
    prepared = prepare_students(students)
    if focus is None:
        blocks = _blocks(prepared, pool, zones, excluded)
    else:
        blocks = _focused(prepared, pool, zones, excluded, focus)
    if not blocks:
        return pl.DataFrame(schema=MATCH_SCHEMA)
    return _decided(pl.concat(blocks, how="diagonal_relaxed"), zones, focus)


def match_files(
    files: Sequence[pl.DataFrame], applicants: ApplicantPool, zones: Zones | None = None
) -> list[pl.DataFrame]:
    """`match_students` of each frame of students (one per file), the same decisions as one call
    per file.

    A student's candidates, evidence and decision are its own; only the rivalries for an
    applicant are settled among the students of one file. So the per-student work of many
    small files is done in shared blocks (far fewer and larger operations), and the rivalries
    file by file.
    """
    zones = applicants.zones if zones is None else zones
    if not files:
        return []
    together = pl.concat(
        [students.with_columns(file=pl.lit(i, pl.UInt32)) for i, students in enumerate(files)],
        how="vertical_relaxed",
    )
    prepared = prepare_students(together.drop("file"))
    owner = prepared.select("s_idx").with_columns(together["file"])
    blocks = _blocks(prepared, applicants, zones, None)
    if not blocks:
        return [pl.DataFrame(schema=MATCH_SCHEMA) for _ in files]
    explained = pl.concat(blocks, how="diagonal_relaxed").join(owner, on="s_idx")
    return [
        _decided(explained.filter(pl.col("file") == i).drop("file"), zones, None)
        for i in range(len(files))
    ]
