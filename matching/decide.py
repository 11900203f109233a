"""Decisions: the candidate that beats every other, else ambiguity, a held OEN, or pending."""

import polars as pl

from matching import oen
from matching.schema import AMBIGUOUS, INTERNATIONAL, MATCHED, NOT_MERGED, PENDING
from matching.scoring import DIMENSIONS

DECISION_SCHEMA: dict[str, pl.DataType] = {
    "s_idx": pl.UInt32(),
    "status": pl.String(),
    "a_idx": pl.UInt32(),
    "candidate_idx": pl.List(pl.UInt32()),
    "rival_idx": pl.UInt32(),
}

_PERSON = ("s_oen", "s_sur_c", "s_first_c", "s_bd")


def _beats(mine: str, theirs: str) -> pl.Expr:
    """At least as strong on every field and stronger on one (Pareto dominance)."""
    at_least = pl.all_horizontal(pl.col(mine + d) >= pl.col(theirs + d) for d in DIMENSIONS)
    stronger = pl.any_horizontal(pl.col(mine + d) > pl.col(theirs + d) for d in DIMENSIONS)
    return at_least & stronger


def _faced(rows: pl.DataFrame, key: str, ident: str, extra: tuple[str, ...] = ()) -> pl.DataFrame:
    """Each row against each other row with the same `key`: fields `m_`/`o_`, the other's `o_`."""
    mine = rows.select(key, ident, *extra, *(pl.col(d).alias("m_" + d) for d in DIMENSIONS))
    theirs = rows.select(key, *(pl.col(c).alias("o_" + c) for c in (ident, *extra, *DIMENSIONS)))
    return mine.join(theirs, on=key).filter(pl.col(ident) != pl.col("o_" + ident))


def _standing(candidates: pl.DataFrame) -> pl.DataFrame:
    """Add `beats_all` (beats every other candidate of its student) and `beaten` (by one)."""
    faced = _faced(candidates, "s_idx", "a_idx")
    standing = faced.group_by("s_idx", "a_idx").agg(
        beats_all=_beats("m_", "o_").all(), beaten=_beats("o_", "m_").any()
    )
    joined = candidates.join(standing, on=["s_idx", "a_idx"], how="left")
    return joined.with_columns(
        pl.col("beats_all").fill_null(True), pl.col("beaten").fill_null(False)
    )


def _per_student(evidence: pl.DataFrame) -> pl.DataFrame:
    """s_idx, the winning `a_idx` (or null) and the unbeaten contenders, `front`."""
    contenders = evidence.filter("contender")
    # Beside an applicant whose OEN, birth date and name all agree, only another holder of the
    # same OEN can make a tie: the others are namesakes.
    uncontested = pl.col("oen_consistent").any().over("s_idx")
    contenders = contenders.filter(~uncontested | (pl.col("oen_level") == oen.EQUAL))
    standing = _standing(contenders)
    winners = standing.filter(pl.col("acceptable") & pl.col("beats_all")).select("s_idx", "a_idx")
    front = standing.filter(~pl.col("beaten")).group_by("s_idx").agg(front=pl.col("a_idx").sort())
    return front.join(winners, on="s_idx", how="left")


def _same_person() -> pl.Expr:
    """Two student records of one person: same OEN, or (no OEN) same name and birth date."""
    same_oen = pl.col("s_oen") == pl.col("o_s_oen")
    same_name = (
        (pl.col("s_sur_c") == pl.col("o_s_sur_c"))
        & (pl.col("s_first_c") == pl.col("o_s_first_c"))
        & (pl.col("s_bd") == pl.col("o_s_bd"))
    )
    return same_oen.fill_null(same_name)


def _rivalries(winners: pl.DataFrame) -> pl.DataFrame:
    """s_idx, `lost` and `rival_idx` of winners that do not beat another person's claim."""
    faced = _faced(winners, "a_idx", "s_idx", _PERSON).filter(~_same_person())
    claims = faced.group_by("s_idx").agg(
        beats_all=_beats("m_", "o_").all(),
        lost=_beats("o_", "m_").any(),
        rival_idx=pl.col("o_s_idx").min(),
    )
    return claims.filter(~pl.col("beats_all")).select("s_idx", "lost", "rival_idx")


def _status() -> pl.Expr:
    won = pl.col("a_idx").is_not_null()
    return (
        pl.when(won & pl.col("lost"))
        .then(pl.lit(PENDING))
        .when(won & pl.col("rival_idx").is_not_null())
        .then(pl.lit(AMBIGUOUS))
        .when(won & pl.col("a_international"))
        .then(pl.lit(INTERNATIONAL))
        .when(won)
        .then(pl.lit(MATCHED))
        .when(pl.col("front").list.len() >= 2)
        .then(pl.lit(AMBIGUOUS))
        .when(pl.col("conflict_idx").is_not_null())
        .then(pl.lit(NOT_MERGED))
        .otherwise(pl.lit(PENDING))
    )


def _explained() -> pl.Expr:
    """The applicant a decision speaks of: the winner, the OEN's holder, or the best near miss."""
    return pl.coalesce("a_idx", "conflict_idx", pl.col("front").list.first(), "near_idx")


def _near_misses(evidence: pl.DataFrame) -> pl.DataFrame:
    """s_idx and `near_idx`: the best candidate that agrees on name and birth date only."""
    near = evidence.filter("near_miss").sort("score", "a_idx", descending=[True, False])
    return near.group_by("s_idx").agg(near_idx=pl.col("a_idx").first())


def _candidates(status: pl.Expr) -> pl.Expr:
    """The tied applicants of an ambiguous decision."""
    tied = pl.when(pl.col("a_idx").is_null()).then("front").otherwise(pl.concat_list("a_idx"))
    return pl.when(status == AMBIGUOUS).then(tied)


def decide(evidence: pl.DataFrame, student_count: int) -> pl.DataFrame:
    """One decision per student index (DECISION_SCHEMA)."""
    chosen = _per_student(evidence)
    winners = evidence.join(chosen.select("s_idx", "a_idx").drop_nulls(), on=["s_idx", "a_idx"])
    conflicts = (
        evidence.filter("oen_conflict").group_by("s_idx").agg(conflict_idx=pl.col("a_idx").min())
    )
    frame = (
        pl.DataFrame({"s_idx": pl.arange(0, student_count, dtype=pl.UInt32, eager=True)})
        .join(chosen, on="s_idx", how="left")
        .join(_rivalries(winners), on="s_idx", how="left")
        .join(conflicts, on="s_idx", how="left")
        .join(_near_misses(evidence), on="s_idx", how="left")
        .join(winners.select("s_idx", "a_international"), on="s_idx", how="left")
        .with_columns(pl.col("lost").fill_null(False), pl.col("front").fill_null([]))
        .with_columns(status=_status())
    )
    return frame.select(
        "s_idx",
        "status",
        _explained().alias("a_idx"),
        _candidates(pl.col("status")).alias("candidate_idx"),
        "rival_idx",
    ).cast(DECISION_SCHEMA)  # type: ignore[arg-type]
