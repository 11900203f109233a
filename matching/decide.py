"""Decisions by total weight: merge, hold for review, or pending (docs/matching.md, zones).

A student's candidates are ranked by the total weight of their evidence. The best one is merged
when it reaches the merge threshold and leads every other candidate by the margin; two or more
candidates within the margin of each other, at the review threshold or above, are a tie (A002);
a best candidate between the review and merge thresholds is held for review (A009) when a field
besides the names agrees (`CORROBORATING`: on the names alone an operator could tell a namesake
from the student no better than the weights do); below that,
an applicant holding the student's OEN is not merged (A003), and otherwise the student is
pending (A001). Applications of one account are one person: only its representative competes.
"""

import polars as pl

from matching import oen
from matching.fields import FIELDS
from matching.schema import AMBIGUOUS, INTERNATIONAL, MATCHED, NOT_MERGED, PENDING, REVIEW
from matching.weights import Zones

DECISION_SCHEMA: dict[str, pl.DataType] = {
    "s_idx": pl.UInt32(),
    "status": pl.String(),
    "a_idx": pl.UInt32(),
    "candidate_idx": pl.List(pl.UInt32()),
    "rival_idx": pl.UInt32(),
    # Pending although its best candidate reached the review zone: only the names agreed.
    "names_only": pl.Boolean(),
}

BEATEN_SHOWN = 5
DISAGREEING = (
    "different",
    "differs",
    "year",
)  # field levels that speak of another person  # candidates beaten, kept in a decision's evidence

_PERSON = ("s_oen", "s_sur_c", "s_first_c", "s_bd")
# The field levels beside the names that tell a person from a namesake: a pair with none of
# them rests on the names alone and is not held for review.
CORROBORATING = {
    "oen": ("equal", "slip"),
    "birth_date": ("equal", "swapped"),
    "school": ("agrees",),
    "middle_name": ("same",),
}


def _corroborated() -> pl.Expr:
    agreeing = (pl.col(f + "_fs").is_in(levels) for f, levels in CORROBORATING.items())
    return pl.any_horizontal(agreeing).fill_null(False)


def by_account(evidence: pl.DataFrame) -> pl.DataFrame:
    """One row per (student, account): the account's best-scoring application, named by `a_rep`.

    The evidence kept is that of the application that scored best; the decision speaks of the
    account's representative (its paid application, the most recent if several), provided that
    the representative is itself a candidate of the student that nothing contradicts: an account
    number shared by unrelated records never carries grades to someone else.
    """
    plausible = evidence.filter("floor").select("s_idx", a_rep="a_idx", rep_ok=pl.lit(True))
    keyed = evidence.join(plausible, on=["s_idx", "a_rep"], how="left").with_columns(
        a_rep=pl.when(pl.col("rep_ok").fill_null(False)).then("a_rep").otherwise("a_idx")
    )
    best = keyed.drop("rep_ok").sort("weight", "a_idx", descending=[True, False])
    return best.unique(["s_idx", "a_rep"], keep="first", maintain_order=True).with_columns(
        a_idx=pl.col("a_rep")
    )


def ranked(evidence: pl.DataFrame) -> pl.DataFrame:
    """The candidates of each student, best first, with `rank` (0 = best)."""
    ordered = evidence.sort("s_idx", "weight", "a_idx", descending=[False, True, False])
    return ordered.with_columns(rank=pl.int_range(pl.len(), dtype=pl.UInt32).over("s_idx"))


def _contested(candidates: pl.DataFrame, zones: Zones) -> pl.DataFrame:
    """s_idx and `contested`: another candidate that may merge is better than the best on a field.

    Two candidates that both reach the least that must agree, the other stronger on a field where
    the best one disagrees (twins who typed each other's OEN), are a tie however their total
    weights compare.
    """
    weights = [f + "_w" for f in FIELDS]
    best = candidates.filter(pl.col("rank") == 0).select(
        "s_idx",
        *(pl.col(w).alias("best_" + w) for w in weights),
        *(pl.col(f + "_fs").alias("best_" + f) for f in FIELDS),
    )
    plausible = (pl.col("rank") > 0) & pl.col("floor") & (pl.col("weight") >= zones.review)
    others = candidates.filter(plausible).join(best, on="s_idx")
    stronger = pl.any_horizontal(
        (pl.col(f + "_w") > pl.col("best_" + f + "_w")) & pl.col("best_" + f).is_in(DISAGREEING)
        for f in FIELDS
    )
    return others.group_by("s_idx").agg(contested=stronger.any())


def _per_student(candidates: pl.DataFrame, zones: Zones) -> pl.DataFrame:
    """s_idx, best `a_idx`, its weight, the runner-up's, the tied front and an OEN holder."""
    best = pl.col("weight").first()
    return candidates.group_by("s_idx").agg(
        best_floor=pl.col("floor").first(),
        best_corroborated=_corroborated().first(),
        best_oen=pl.col("oen_level").first() == oen.EQUAL,
        best_idx=pl.col("a_idx").first(),
        best_weight=best,
        second_weight=pl.col("weight").get(1, null_on_oob=True),
        front=pl.col("a_idx").filter(
            (pl.col("weight") > best - zones.margin) & (pl.col("weight") >= zones.review)
        ),
        conflict_idx=pl.col("a_idx")
        .filter((pl.col("oen_level") == oen.EQUAL) & ~pl.col("floor"))
        .first(),
        contenders=pl.col("a_idx").filter(
            (pl.col("floor") & (pl.col("weight") >= zones.review)) | (pl.col("rank") == 0)
        ),
        international=pl.col("a_international").first(),
    )


def _status(zones: Zones) -> pl.Expr:
    best, second = pl.col("best_weight"), pl.col("second_weight").fill_null(float("-inf"))
    leads = best - second >= zones.margin
    merges = (best >= zones.merge) & leads & pl.col("best_floor") & ~pl.col("contested")
    return (
        pl.when(merges & pl.col("international"))
        .then(pl.lit(INTERNATIONAL))
        .when(merges)
        .then(pl.lit(MATCHED))
        .when((pl.col("front").list.len() >= 2) | (pl.col("contested") & (best >= zones.review)))
        .then(pl.lit(AMBIGUOUS))
        .when(pl.col("best_oen") & ~pl.col("best_floor"))
        .then(pl.lit(NOT_MERGED))
        .when((best >= zones.review) & pl.col("best_corroborated"))
        .then(pl.lit(REVIEW))
        .when(pl.col("conflict_idx").is_not_null())
        .then(pl.lit(NOT_MERGED))
        .otherwise(pl.lit(PENDING))
    )


def _tied() -> pl.Expr:
    """The tied candidates: those within the margin, or the best and the ones contesting it."""
    front = pl.col("front")
    widened = pl.when(front.list.len() >= 2).then(front).otherwise(pl.col("contenders"))
    return widened.list.sort()


def decide(evidence: pl.DataFrame, indexes: pl.Series, zones: Zones) -> pl.DataFrame:
    """One decision per student index of `indexes` (DECISION_SCHEMA), before rivalries.

    `evidence`: one row per (student, account representative), as `by_account` gives.
    """
    candidates = ranked(evidence)
    per_student = _per_student(candidates, zones)
    frame = (
        pl.DataFrame({"s_idx": indexes.cast(pl.UInt32)})
        .join(per_student, on="s_idx", how="left")
        .join(_contested(candidates, zones), on="s_idx", how="left")
        .with_columns(
            pl.col("front").fill_null([]),
            pl.col("international").fill_null(False),
            pl.col("contested").fill_null(False),
            pl.col("best_floor").fill_null(False),
            pl.col("best_corroborated").fill_null(False),
            pl.col("best_oen").fill_null(False),
        )
        .with_columns(status=_status(zones))
    )
    status = pl.col("status")
    named = (
        pl.when((status == NOT_MERGED) & ~pl.col("best_oen"))
        .then("conflict_idx")
        .when((status == AMBIGUOUS) & (pl.col("front").list.len() > 0))
        .then(pl.col("front").list.first())
        .when(status != PENDING)
        .then("best_idx")
    )
    return frame.select(
        "s_idx",
        "status",
        named.alias("a_idx"),
        pl.when(status == AMBIGUOUS).then(_tied()).alias("candidate_idx"),
        pl.lit(None, pl.UInt32).alias("rival_idx"),
        names_only=(status == PENDING)
        & (pl.col("best_weight") >= zones.review).fill_null(False)
        & ~pl.col("best_corroborated"),
    ).cast(DECISION_SCHEMA)  # type: ignore[arg-type]


def beaten(evidence: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """s_idx and `beaten_idx`/`beaten_weight`: the best other candidates of each decision."""
    chosen = decisions.select("s_idx", chosen_idx="a_idx")
    others = (
        ranked(evidence)
        .join(chosen, on="s_idx", how="left")
        .filter(pl.col("a_idx").ne_missing(pl.col("chosen_idx")))
    )
    return others.group_by("s_idx").agg(
        beaten_idx=pl.col("a_idx").head(BEATEN_SHOWN),
        beaten_weight=pl.col("weight").head(BEATEN_SHOWN),
    )


def _same_person() -> pl.Expr:
    """Two student records of one person: same OEN, or (no OEN) same name and birth date."""
    same_oen = pl.col("s_oen") == pl.col("o_s_oen")
    same_name = (
        (pl.col("s_sur_c") == pl.col("o_s_sur_c"))
        & (pl.col("s_first_c") == pl.col("o_s_first_c"))
        & (pl.col("s_bd") == pl.col("o_s_bd"))
    )
    return same_oen.fill_null(same_name)


def rivalries(merged: pl.DataFrame, zones: Zones) -> pl.DataFrame:
    """s_idx, `lost` and `rival_idx` of merged students whose applicant another person claims.

    `merged`: s_idx, a_idx, weight and the person columns of each merged decision. The claim
    ahead of every other by the margin keeps the applicant; the others lose it (pending); claims
    within the margin of each other are a tie (ambiguous).
    """
    mine = merged.select("s_idx", "a_idx", "weight", *_PERSON)
    theirs = merged.select(
        "a_idx", *(pl.col(c).alias("o_" + c) for c in ("s_idx", "weight", *_PERSON))
    )
    faced = mine.join(theirs, on="a_idx").filter(pl.col("s_idx") != pl.col("o_s_idx"))
    faced = faced.filter(~_same_person())
    claims = faced.group_by("s_idx").agg(
        leads=(pl.col("weight") - pl.col("o_weight") >= zones.margin).all(),
        lost=(pl.col("o_weight") - pl.col("weight") >= zones.margin).any(),
        rival_idx=pl.col("o_s_idx").sort_by("o_weight", descending=True).first(),
    )
    return claims.filter(~pl.col("leads")).select("s_idx", "lost", "rival_idx")


def outranked(held: pl.DataFrame, merged: pl.DataFrame, zones: Zones) -> pl.DataFrame:
    """s_idx and `outranked_by`: held decisions whose applicant another person is merged into.

    Only when the merged claim has more weight by the margin, and is not the same person's.
    """
    mine = held.select("s_idx", "a_idx", "weight", *_PERSON)
    theirs = merged.select(
        "a_idx", *(pl.col(c).alias("o_" + c) for c in ("s_idx", "weight", *_PERSON))
    )
    faced = mine.join(theirs, on="a_idx").filter(~_same_person())
    faced = faced.filter(pl.col("o_weight") - pl.col("weight") >= zones.margin)
    return faced.group_by("s_idx").agg(outranked_by=pl.col("o_s_idx").first())
