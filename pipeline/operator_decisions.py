"""Operators' decisions as the automatic matcher must respect them (docs/review.md).

An operator's link (accept or link) holds until it is unlinked; a rejected or unlinked applicant
is never proposed again for that student. Both are keyed by the school and the student number.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

__all__ = [
    "EXCLUDING",
    "LINKING",
    "Rematch",
    "excluded_pairs",
    "exclusions",
    "linked_decisions",
    "links",
    "respecting",
    "returned",
]

LINKING = ("accept", "link")
EXCLUDING = ("reject", "unlink")


def links(decisions: pl.DataFrame) -> pl.DataFrame:
    """(mident, student_number, application_number, decided_by, decided_at) linked by operators.

    The latest linking or unlinking decision of each student says whether a link holds.
    """
    if decisions.is_empty():  # as most students have: a page's lookups ask for one or few
        return decisions.drop("id", "action")
    moves = decisions.filter(pl.col("action").is_in([*LINKING, "unlink"]))
    latest = moves.group_by("mident", "student_number").agg(pl.all().sort_by("id").last())
    return latest.filter(pl.col("action").is_in(LINKING)).drop("id", "action")


def returned(decisions: pl.DataFrame) -> pl.DataFrame:
    """The unlinks among `decisions` of students no later link took: back in the review
    queue until an operator decides again."""
    if decisions.is_empty():
        return decisions
    unlinks = decisions.filter(pl.col("action") == "unlink")
    linked = links(decisions).select("mident", "student_number")
    return unlinks.join(linked, on=["mident", "student_number"], how="anti")


def exclusions(decisions: pl.DataFrame) -> pl.DataFrame:
    """(mident, student_number, application_number) never to be proposed automatically."""
    if decisions.is_empty():
        return decisions.select("mident", "student_number", "application_number")
    latest = decisions.group_by("mident", "student_number", "application_number").agg(
        pl.col("action").sort_by("id").last()
    )
    return latest.filter(pl.col("action").is_in(EXCLUDING)).drop("action")


def excluded_pairs(students: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """(student_key, application_number): the exclusions, for these student records."""
    return (
        students.select("student_key", "mident", "student_number")
        .join(exclusions(decisions), on=["mident", "student_number"])
        .select("student_key", "application_number")
    )


def linked_decisions(students: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """MATCH decisions of the student records an operator linked (A007), in the match schema."""
    linked = students.select("student_key", "mident", "student_number").join(
        links(decisions), on=["mident", "student_number"]
    )
    when = pl.col("decided_at").dt.strftime("%Y-%m-%d %H:%M UTC")
    return linked.select(
        "student_key",
        status=pl.lit("matched"),
        application_number="application_number",
        codes=pl.concat_list(pl.lit("A007")),
        agreed=pl.lit([], pl.List(pl.String)),
        reason=pl.concat_str(
            pl.lit("linked by an operator ("),
            "decided_by",
            pl.lit(", "),
            when,
            pl.lit("): "),
            "reason",
        ),
        candidates=pl.lit([], pl.List(pl.String)),
        score=pl.lit(0.0),
        weight=pl.lit(None, pl.Float64),
        evidence=pl.lit(None, pl.String),
    )


Rematch = Callable[[pl.DataFrame, pl.DataFrame], pl.DataFrame]


def respecting(
    students: pl.DataFrame, decisions: pl.DataFrame, operator: pl.DataFrame, rematch: Rematch
) -> pl.DataFrame:
    """`decisions` with the operators' word applied: their links, and no excluded applicant.

    `students`: the records decided (student_key, mident, student_number and the matcher's
    columns); `operator`: their operator decisions (`decisions_for`); `rematch(students,
    excluded)` decides again the records whose decision named an excluded applicant.
    """
    if operator.is_empty() or decisions.is_empty():
        return decisions
    forced = linked_decisions(students, operator).cast(decisions.schema)
    excluded = excluded_pairs(students, operator)
    named = pl.concat_list(pl.col("application_number")).list.concat("candidates")
    touched = (
        decisions.select("student_key", named=named)
        .explode("named")
        .join(
            excluded,
            left_on=["student_key", "named"],
            right_on=["student_key", "application_number"],
        )
        .select("student_key")
        .unique()
    )
    redo = students.join(touched, on="student_key", how="semi").join(
        forced.select("student_key"), on="student_key", how="anti"
    )
    again = rematch(redo, excluded) if redo.height else decisions.clear()
    replaced = pl.concat([forced, again.cast(decisions.schema)])
    kept = decisions.join(replaced.select("student_key"), on="student_key", how="anti")
    order = decisions.select("student_key").with_row_index("order")
    return (
        pl.concat([kept, replaced])
        .join(order, on="student_key", how="left")
        .sort("order")
        .drop("order")
    )
