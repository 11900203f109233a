"""A-code findings show the applicant's own values, picked from the whole pool by number."""

from __future__ import annotations

import polars as pl

from matching import ApplicantPool
from matching.schema import MATCH_SCHEMA
from pipeline.transmission import matching_findings
from tests.matching.builders import applicant, applicants_frame, student, students_frame


def test_a004_and_a006_show_the_matched_applicants_oen_and_name() -> None:
    pool = ApplicantPool.of(
        applicants_frame(
            applicant("A0", first_name="Ann", last_name="Roy", oen="111111118"),
            applicant("A1", first_name="Robert", last_name="Smith", oen="123456782"),
            applicant("A2", first_name="Li", last_name="Ng", oen=None),
        )
    )
    # Keyed by their S1 lines, as the stage keys them.
    students = students_frame(student(12, first_name="BOB", oen="123456790"), student(40))
    decisions = pl.DataFrame(
        [
            (12, "matched", "A1", ["A004", "A006"], [], "", [], 0.9, 30.0, None),
            (40, "pending", None, ["A001"], [], "", [], 0.0, None, None),
        ],
        schema=MATCH_SCHEMA,
        orient="row",
    )
    found = matching_findings(decisions, students, pool)
    assert found.select("code", "line", "value", "expected").rows() == [
        ("A004", 12, "123456790", "123456782"),
        ("A006", 12, "BOB SMITH", "Robert Smith"),
        ("A001", 40, "123456782", None),
    ]


def test_a009_does_not_name_the_probable_applicant_to_the_school() -> None:
    pool = ApplicantPool.of(applicants_frame(applicant("A1")))
    decisions = pl.DataFrame(
        [(40, "review", "A1", ["A009"], [], "", [], 0.5, 12.0, None)],
        schema=MATCH_SCHEMA,
        orient="row",
    )
    found = matching_findings(decisions, students_frame(student(40)), pool)
    assert found.select("code", "line", "application_number").rows() == [("A009", 40, None)]
