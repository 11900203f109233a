"""Student and applicant rows for matching tests: a clean pair by default, fields overridden."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from matching import APPLICANTS_SCHEMA, STUDENTS_SCHEMA, match_students

SCHOOL = "885827"
OTHER_SCHOOL = "912345"
BORN = date(2007, 3, 5)
OEN = "123456782"


def student(key: int = 1, **fields: Any) -> dict[str, Any]:
    """A student as a school sends it: ROBERT JAMES SMITH."""
    row: dict[str, Any] = {
        "student_key": key,
        "mident": SCHOOL,
        "student_number": f"{key:012d}",
        "oen": OEN,
        "surname": "SMITH",
        "first_name": "ROBERT",
        "middle_name": "JAMES",
        "birth_date": BORN,
        "gender": "M",
    }
    return row | fields


def applicant(number: str = "A1", **fields: Any) -> dict[str, Any]:
    """The same person's application, as typed."""
    row: dict[str, Any] = {
        "application_number": number,
        "first_name": "Robert",
        "middle_name": "James",
        "last_name": "Smith",
        "previous_last_name": None,
        "birth_date": BORN,
        "oen": OEN,
        "gender": "M",
        "school_midents": [SCHOOL],
        "international": False,
    }
    return row | fields


def students_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=STUDENTS_SCHEMA, orient="row")


def applicants_frame(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(list(rows), schema=APPLICANTS_SCHEMA, orient="row")


def decisions(students: list[dict[str, Any]], applicants: list[dict[str, Any]]) -> pl.DataFrame:
    """match_students on the given rows."""
    return match_students(students_frame(*students), applicants_frame(*applicants))


def decision(one_student: dict[str, Any], *applicants: dict[str, Any]) -> dict[str, Any]:
    """The single decision for one student against the given applicants."""
    rows = decisions([one_student], list(applicants)).to_dicts()
    assert len(rows) == 1
    return rows[0]
