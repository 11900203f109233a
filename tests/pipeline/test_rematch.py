"""Held students matched again at later runs: twins stay apart."""

from __future__ import annotations

from datetime import date

from pipeline.ingest import IngestContext
from pipeline.rematch import rematch_held
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
