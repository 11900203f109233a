"""The complete academic record (docs/record.md) through real ingests, SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from pipeline import queries
from pipeline.ingest import IngestContext
from tests.pipeline.builders import Student, grade, transmission
from tests.pipeline.test_merge import EMILIE, add_applicants, ingest

FACTS = {
    "grad_status": "G",
    "ossd_issue_date": "20260630",
    "literacy_requirement": "1",
    "community_involvement": "1",
    "shsm_sector": "AVI",
}
COURSES = [
    grade("ENG4U", "202606", "F", "085", course_title="English"),
    # Taken at another school, supplied by a virtual school.
    grade(
        "MCV4U",
        "202606",
        "F",
        "088",
        course_mident="881234",
        supplier_mident="880999",
        course_title="Calculus and Vectors",
        notes="T",
    ),
    grade("MHF4U", "202601", "F", "045"),  # failed: no credit
    grade("CHV2O", "202406", "F", "076", credit_value="0050"),
    grade("MHF4U", "202506", "F", "062", course_status="R", credit_value="0000"),
    grade("SBI4U", "202701", "C", "070", delivery_type="N"),  # not final yet
]


def emilie(facts: dict[str, str], *grades: dict[str, str]) -> Student:
    return Student("4471002", "GAGNON", "ÉMILIE", "20080521", "345678912", list(grades), facts)


def view_of(ctx: IngestContext) -> dict[str, Any]:
    with ctx.engine.connect() as conn:
        view = queries.applicant_view(conn, EMILIE["application_number"])
    assert view is not None
    return view


@pytest.fixture
def ctx_with_record(ingest_ctx: IngestContext) -> IngestContext:
    add_applicants(ingest_ctx, EMILIE)
    ingest(ingest_ctx, transmission([emilie(FACTS, *COURSES)]))
    return ingest_ctx


def test_record_keeps_the_s1_facts_and_each_course_own_school(
    ctx_with_record: IngestContext,
) -> None:
    view = view_of(ctx_with_record)
    student = view["record"]["student"]
    assert {name: student[name] for name in FACTS} == {
        **FACTS,
        "ossd_issue_date": date(2026, 6, 30).isoformat(),
    }
    courses = {
        course["course_code"] + course["completion_date"]: course for course in view["courses"]
    }
    calculus = courses["MCV4U202606"]
    assert (calculus["course_mident"], calculus["supplier_mident"]) == ("881234", "880999")
    assert (calculus["course_title"], calculus["notes"], calculus["course_type"]) == (
        "Calculus and Vectors",
        "T",
        "R",
    )
    english = courses["ENG4U202606"]
    assert (english["course_mident"], english["supplier_mident"]) == ("885827", "")  # home school
    assert english["credit_value"] == "1.00" and courses["CHV2O202406"]["credit_value"] == "0.50"


def test_total_credits_count_final_passed_courses_without_a_status(
    ctx_with_record: IngestContext,
) -> None:
    totals = view_of(ctx_with_record)["record"]["totals"]
    # ENG4U 1.00 + MCV4U 1.00 + CHV2O 0.50; MHF4U failed (45) and repeated (R), SBI4U current.
    assert totals == {"courses": 6, "finals": 5, "total_credits": "2.50", "grade_status": "partial"}


def test_the_latest_accepted_s1_gives_the_facts_and_an_ignored_value_is_not_kept(
    ctx_with_record: IngestContext,
) -> None:
    later = {**FACTS, "literacy_requirement": "9", "shsm_sector": "", "grad_status": "N"}
    later["ossd_issue_date"] = ""
    dropped = grade("SBI4U", "202701", "C", course_status="D", delivery_type="N")
    outcome = ingest(
        ctx_with_record,
        transmission([emilie(later, dropped)], created="20261118090000", number="2"),
    )
    assert [f["code"] for f in outcome.report.findings] == ["S007"]  # literacy 9: ignored
    view = view_of(ctx_with_record)
    student = view["record"]["student"]
    assert student["grad_status"] == "N" and student["literacy_requirement"] is None
    assert student["shsm_sector"] is None and student["ossd_issue_date"] is None
    # The current course deleted, every course left has its final grade.
    assert view["record"]["totals"]["grade_status"] == "final"
    assert view["record"]["totals"]["total_credits"] == "2.50"


def test_an_applicant_without_courses_has_grade_status_none(ingest_ctx: IngestContext) -> None:
    add_applicants(ingest_ctx, EMILIE)
    view = view_of(ingest_ctx)
    assert view["courses"] == []
    assert view["record"]["totals"] == {
        "courses": 0,
        "finals": 0,
        "total_credits": "0.00",
        "grade_status": "none",
    }
    assert view["record"]["student"]["grad_status"] is None
