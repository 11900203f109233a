"""Held students matched again at later runs: twins stay apart."""

from __future__ import annotations

from datetime import date, datetime

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bench.linkage_noise import hard_linkage_set
from matching import ApplicantPool, match_files, match_students
from pipeline import store
from pipeline.ingest import IngestContext
from pipeline.rematch import SETTLED, MatchedInRun, rematch_held, to_rematch
from pipeline.store.applicants import applicants_version
from tests.pipeline.builders import Student, applicant, grade, transmission
from tests.pipeline.test_merge import add_applicants, courses, ingest

BELLA = applicant("2026-000777", "Bella", "Martin", date(2008, 3, 14))


def test_held_twin_does_not_take_the_applicant_of_the_matched_one(
    ingest_ctx: IngestContext,
) -> None:
    add_applicants(ingest_ctx, BELLA)
    twins = [
        Student(
            "1001", "MARTIN", "BELLA", "20080314", grades=[grade("ENG4U", "202606", "F", "081")]
        ),
        Student(
            "1002", "MARTIN", "ELLA", "20080314", grades=[grade("SBI4U", "202606", "F", "077")]
        ),
    ]
    outcome = ingest(ingest_ctx, transmission(twins))
    assert outcome.report.matching["matched"] == 1
    assert courses(ingest_ctx)["student_number"].to_list() == ["1001"]

    again = rematch_held(ingest_ctx)
    assert (again.held, again.newly_matched) == (1, 0)
    assert courses(ingest_ctx)["student_number"].to_list() == ["1001"]


def test_settled_decisions_of_a_run_come_out_the_same_when_matched_again() -> None:
    """Why a run does not match again what it has just decided as pending, not merged or
    international: with every other student competing, those decisions do not change."""
    linkage = hard_linkage_set(3_000, 5)
    pool = ApplicantPool.of(linkage.applicants)
    students = linkage.students
    files = [students.slice(start, 250) for start in range(0, students.height, 250)]
    decided = pl.concat(match_files(files, pool))
    settled = decided.filter(pl.col("status").is_in(SETTLED))
    assert settled.height > 100
    again = match_students(students, pool, focus=settled["student_key"])
    assert_frame_equal(again, settled)


def test_a_run_matches_again_only_what_may_change() -> None:
    at = datetime(2026, 11, 2, 4, 0)
    held = pl.DataFrame(
        {
            "student_key": [1, 2, 3, 4, 5, 6],
            "transmission_id": [7, 7, 7, 7, 7, 3],
            "match_status": ["pending", "not_merged", "international", "review", "ambiguous", None],
        }
    )
    fresh = MatchedInRun((10, at), frozenset({7}))
    assert to_rematch(held, fresh, (10, at)).to_list() == [4, 5, 6]
    # Applicants imported since the run loaded them, or no run: everyone again.
    assert to_rematch(held, fresh, (11, at)).to_list() == [1, 2, 3, 4, 5, 6]
    assert to_rematch(held, fresh, (10, datetime(2026, 11, 2, 5, 0))).len() == 6
    assert to_rematch(held, None, (10, at)).len() == 6


def test_the_run_s_applicants_are_used_again_only_while_unchanged(
    ingest_ctx: IngestContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_applicants(ingest_ctx, BELLA)
    nobody_yet = Student(
        "1003", "NGUYEN", "LINH", "20070101", grades=[grade("SBI4U", "202606", "F", "077")]
    )
    assert ingest(ingest_ctx, transmission([nobody_yet])).report.matching["pending"] == 1
    with ingest_ctx.engine.connect() as conn:
        version = applicants_version(conn)
        pool = store.load_applicant_pool(conn, ingest_ctx.settings.zones)
    held_from_before = MatchedInRun(version, frozenset(), pool)  # nothing decided in this run
    loads: list[int] = []
    real_load = store.load_applicant_pool
    monkeypatch.setattr(
        store, "load_applicant_pool", lambda *a, **k: loads.append(1) or real_load(*a, **k)
    )
    first = rematch_held(ingest_ctx, held_from_before)
    assert (first.held, first.newly_matched, loads) == (1, 0, [])  # the run's pool, unchanged
    add_applicants(ingest_ctx, applicant("2026-000778", "Linh", "Nguyen", date(2007, 1, 1)))
    again = rematch_held(ingest_ctx, held_from_before)
    assert (again.newly_matched, loads) == (1, [1])  # read again: the new applicant is found
