"""Held students (A001, A002, A003, A005) matched again, and their courses merged once matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from matching import ApplicantPool, match_students
from matching.schema import INTERNATIONAL, MATCHED, NOT_MERGED, PENDING
from pipeline import store
from pipeline.database import Connection
from pipeline.ingest import IngestContext
from pipeline.merge import EMPTY_COUNTS, course_query, merge_counts, merge_findings, plan_against
from pipeline.operator_decisions import excluded_pairs
from pipeline.store.applicants import applicants_version
from pipeline.store.review import decisions_for
from pipeline.transmission import incoming_courses
from rules.findings import concat_findings

# Held decisions that depend on the student's own candidates only (or on a claim that more
# rivals cannot undo): matched again against the same applicants they come out the same. Review
# and ambiguous decisions may still lose their applicant to a student merged from another file.
SETTLED = (PENDING, NOT_MERGED, INTERNATIONAL)


@dataclass(frozen=True)
class MatchedInRun:
    """The transmissions a run matched, and the version of the applicants it matched them
    against (`store.applicants.applicants_version`, read before the run loaded them)."""

    applicants: tuple[int, datetime | None]
    transmissions: frozenset[int]
    pool: ApplicantPool | None = None  # the applicants as the run loaded them


def unchanged(fresh: MatchedInRun | None, applicants: tuple[int, datetime | None]) -> bool:
    """Whether the applicants on record are those the run matched against."""
    return fresh is not None and applicants == fresh.applicants


def to_rematch(
    held: pl.DataFrame, fresh: MatchedInRun | None, applicants: tuple[int, datetime | None]
) -> pl.Series:
    """The keys of the held students to match again: all of them, but those this run decided
    against the applicants still on record when their decision cannot change (SETTLED)."""
    if fresh is None or not unchanged(fresh, applicants):
        return held["student_key"]
    settled = pl.col("transmission_id").is_in(sorted(fresh.transmissions)) & pl.col(
        "match_status"
    ).is_in(SETTLED)
    return held.filter(~settled)["student_key"]


@dataclass(frozen=True)
class RematchOutcome:
    held: int
    newly_matched: int
    merge: dict[str, int]


def changed_decisions(decisions: pl.DataFrame, held: pl.DataFrame) -> pl.DataFrame:
    """Only the decisions that differ from what is on record (no history rows for no news)."""
    before = held.select("student_key", "match_status", "application_number")
    return (
        decisions.join(before, on="student_key", suffix="_before")
        .filter(
            pl.col("status").ne_missing(pl.col("match_status"))
            | pl.col("application_number").ne_missing(pl.col("application_number_before"))
        )
        .drop("match_status", "application_number_before")
    )


def merge_courses(
    conn: Connection,
    incoming: pl.DataFrame,
    transmission_id: int,
    created_at: datetime,
    now: datetime,
) -> tuple[dict[str, int], pl.DataFrame]:
    """Plan and apply the merge of one transmission's courses; counts and M findings."""
    snapshot = store.read_courses(conn, course_query(incoming, created_at))
    plan = plan_against(incoming, snapshot, created_at)
    store.apply_plan(conn, plan, transmission_id, created_at, now)
    return merge_counts(plan), merge_findings(plan)


def merge_held(conn: Connection, decisions: pl.DataFrame, now: datetime) -> dict[str, int]:
    """The held courses of newly matched students, transmission by transmission (in the order
    of docs/merging.md)."""
    matched = decisions.filter(pl.col("status") == MATCHED)
    totals = dict(EMPTY_COUNTS)
    if matched.is_empty():
        return totals
    grades = store.held_grades(conn, matched["student_key"].to_list())
    for (transmission_id,), part in grades.sort("created_at").group_by(
        "transmission_id", maintain_order=True
    ):
        created_at = part["created_at"][0]
        incoming = incoming_courses(part, decisions)
        counts, findings = merge_courses(conn, incoming, int(transmission_id), created_at, now)
        store.save_findings(conn, int(transmission_id), concat_findings([findings]), now)
        totals = {key: totals[key] + counts[key] for key in totals}
    return totals


def rematch_held(ctx: IngestContext, fresh: MatchedInRun | None = None) -> RematchOutcome:
    """Match every held student against the applicants on record, in one transaction.

    `fresh`: what this run has just matched; those of its decisions that cannot change are
    not matched again (`to_rematch`).
    """
    with ctx.engine.begin() as conn:
        held = store.unmatched_students(conn)
        version = applicants_version(conn)
        focus = to_rematch(held, fresh, version)
        if focus.is_empty():
            return RematchOutcome(held.height, 0, dict(EMPTY_COUNTS))
        if fresh is not None and fresh.pool is not None and unchanged(fresh, version):
            applicants = fresh.pool  # not read and prepared again
        else:
            applicants = store.load_applicant_pool(conn, ctx.settings.zones)
        # Matched students of the same schools compete too, so that a held twin or sibling
        # is not given the applicant their matched namesake already is.
        settled = store.matched_students(conn, held["mident"].unique().to_list())
        competing = pl.concat([held, settled]).drop(
            "transmission_id", "line", "match_status", "application_number"
        )
        # Never proposed again: the applicants operators rejected or unlinked for a student.
        excluded = excluded_pairs(competing, decisions_for(conn, held))
        decisions = match_students(competing, applicants, excluded=excluded, focus=focus)
        changed = changed_decisions(decisions, held)
        store.save_decisions(conn, changed, ctx.clock())
        merge = merge_held(conn, changed, ctx.clock())
    newly = int((changed["status"] == MATCHED).sum())
    return RematchOutcome(held.height, newly, merge)
