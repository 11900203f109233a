"""The shape of match_students' answer: schema, one row per student, order, empty inputs."""

from __future__ import annotations

import polars as pl

from matching import MATCH_SCHEMA, match_students
from tests.matching.builders import applicant, applicants_frame, decisions, student, students_frame

STATUSES = {"matched", "pending", "ambiguous", "not_merged", "international", "review"}


def test_empty_inputs_give_an_empty_frame_with_the_schema() -> None:
    result = match_students(students_frame(), applicants_frame())
    assert result.height == 0
    assert result.schema == pl.Schema(MATCH_SCHEMA)


def test_students_without_applicants_are_all_pending() -> None:
    result = match_students(students_frame(student(1), student(2)), applicants_frame())
    assert result.schema == pl.Schema(MATCH_SCHEMA)
    assert result["status"].to_list() == ["pending", "pending"]
    assert result["codes"].to_list() == [["A001"], ["A001"]]


def test_one_row_per_student_in_the_students_order() -> None:
    keys = [42, 7, 19, 3]
    rows = [student(key, oen=f"{key:09d}", first_name=f"NAME{key}") for key in keys]
    result = decisions(rows, [applicant(oen="000000007", first_name="Name7")])
    assert result["student_key"].to_list() == keys
    assert set(result["status"].to_list()) <= STATUSES


def test_every_decision_keeps_a_reason() -> None:
    rows = [student(1), student(2, oen=None, surname="LI", first_name="AVA")]
    result = decisions(rows, [applicant()])
    assert result["reason"].null_count() == 0
    assert all(result["reason"].str.len_chars() > 0)


def test_extra_columns_are_ignored() -> None:
    students = students_frame(student()).with_columns(line=pl.lit(12))
    applicants = applicants_frame(applicant()).with_columns(paid=pl.lit(True))
    assert match_students(students, applicants)["status"].to_list() == ["matched"]
