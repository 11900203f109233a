"""Twins: same surname, birth date and school; only the first name tells them apart."""

from __future__ import annotations

from typing import Any

import pytest

from tests.matching.builders import applicant, decisions, student


@pytest.fixture
def students_twins() -> list[dict[str, Any]]:
    """ROBERT and WILLIAM SMITH, born the same day at the same school."""
    return [
        student(1, first_name="ROBERT", middle_name=None, oen="111111118"),
        student(2, first_name="WILLIAM", middle_name=None, oen="222222226"),
    ]


@pytest.fixture
def applicants_twins() -> list[dict[str, Any]]:
    """Both twins applied, under their preferred names and without their OENs."""
    return [
        applicant("ROB", first_name="Rob", middle_name=None, oen=None),
        applicant("WILL", first_name="Will", middle_name=None, oen=None),
    ]


def _links(students: list[dict[str, Any]], applicants: list[dict[str, Any]]) -> dict[int, Any]:
    frame = decisions(students, applicants)
    return {
        row["student_key"]: (row["status"], row["application_number"]) for row in frame.to_dicts()
    }


def test_twins_without_oen_go_to_the_right_twin(
    students_twins: list[dict[str, Any]], applicants_twins: list[dict[str, Any]]
) -> None:
    assert _links(students_twins, applicants_twins) == {
        1: ("matched", "ROB"),
        2: ("matched", "WILL"),
    }


def test_twins_with_oen_go_to_the_right_twin(students_twins: list[dict[str, Any]]) -> None:
    applicants = [
        applicant("ROB", first_name="Robert", middle_name=None, oen="111111118"),
        applicant("WILL", first_name="William", middle_name=None, oen="222222226"),
    ]
    assert _links(students_twins, applicants) == {1: ("matched", "ROB"), 2: ("matched", "WILL")}


def test_twin_never_takes_the_other_twins_application(
    students_twins: list[dict[str, Any]], applicants_twins: list[dict[str, Any]]
) -> None:
    links = _links(students_twins, applicants_twins[1:])
    assert links == {1: ("pending", None), 2: ("matched", "WILL")}


def test_twins_whose_first_names_are_not_given_are_held(
    students_twins: list[dict[str, Any]],
) -> None:
    applicants = [
        applicant("A1", first_name="", middle_name=None, oen=None),
        applicant("A2", first_name="", middle_name=None, oen=None),
    ]
    frame = decisions(students_twins, applicants)
    assert frame["status"].to_list() == ["ambiguous", "ambiguous"]
    assert frame["application_number"].to_list() == [None, None]
    assert [sorted(c) for c in frame["candidates"].to_list()] == [["A1", "A2"], ["A1", "A2"]]


def test_look_alike_twin_yields_to_the_exact_name() -> None:
    """ELLA is one typo away from BELLA: only BELLA applied, ELLA must not take it."""
    twins = [
        student(1, first_name="ELLA", middle_name=None, oen=None),
        student(2, first_name="BELLA", middle_name=None, oen=None),
    ]
    bella = applicant("BELLA", first_name="Bella", middle_name=None, oen=None)
    frame = decisions(twins, [bella])
    ella, matched = frame.to_dicts()
    assert (matched["status"], matched["application_number"]) == ("matched", "BELLA")
    assert (ella["status"], ella["application_number"]) == ("pending", None)
    assert ella["reason"] == "applicant BELLA matches student 000000000002 better"


def test_twin_oens_swapped_on_the_applications_are_held(
    students_twins: list[dict[str, Any]],
) -> None:
    """Each twin typed the other's OEN: the OEN and the names contradict each other."""
    applicants = [
        applicant("ROB", first_name="Robert", middle_name=None, oen="222222226"),
        applicant("WILL", first_name="William", middle_name=None, oen="111111118"),
    ]
    frame = decisions(students_twins, applicants)
    assert frame["status"].to_list() == ["ambiguous", "ambiguous"]


def test_same_student_sent_by_two_schools_matches_once_each() -> None:
    """One person in two schools' files is not a rival of themself."""
    twice = [student(1), student(2, mident="912345", student_number="X9")]
    frame = decisions(twice, [applicant()])
    assert frame["status"].to_list() == ["matched", "matched"]
