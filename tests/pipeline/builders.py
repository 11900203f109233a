"""Small OST transmissions and applicants for ingest tests, written through the layout."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import polars as pl

from parsers.writer import format_file

MIDENT = "885827"


@dataclass
class Student:
    number: str
    surname: str
    first_name: str
    birth_date: str  # YYYYMMDD
    oen: str = ""
    grades: list[dict[str, str]] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)  # more S1 fields (grad_status, ...)

    def record(self, mident: str) -> dict[str, str]:
        return {
            "mident": mident,
            "student_number": self.number,
            "oen": self.oen,
            "surname": self.surname,
            "first_name": self.first_name,
            "birth_date": self.birth_date,
            "gender": "F",
            "home_school": "Y",
            "citizenship": "CAN",
            "first_language": "E",
            **self.facts,
        }


def grade(
    course_code: str,
    completion_date: str,
    grade_type: str,
    mark: str = "",
    *,
    course_status: str = "",
    delivery_type: str = "D",
    credit_value: str = "0100",
    **more: str,
) -> dict[str, str]:
    return {
        "course_code": course_code,
        "completion_date": completion_date,
        "grade_type": grade_type,
        "mark": mark,
        "credit_value": credit_value,
        "course_status": course_status,
        "delivery_type": delivery_type,
        "course_type": "R",
        "language": "E",
        **more,
    }


def transmission(
    students: Sequence[Student],
    *,
    created: str = "20261115093000",
    number: str = "1",
    mident: str = MIDENT,
) -> tuple[str, bytes]:
    """(file name, bytes) of a well-formed transmission."""
    records: list[tuple[str, Mapping[str, str]]] = [
        (
            "T1",
            {
                "mident": mident,
                "centre": "C",
                "transmission_number": number,
                "creation_date": created[:8],
                "creation_time": created[8:],
                "contact_name": "Guidance Office",
                "contact_email": "guidance@school.example.ca",
                "layout_version": "2026",
            },
        )
    ]
    grades = 0
    for student in students:
        records.append(("S1", student.record(mident)))
        for values in student.grades:
            grades += 1
            records.append(("G1", {"mident": mident, "student_number": student.number, **values}))
    records.append(
        (
            "B1",
            {
                "mident": mident,
                "student_count": str(len(students)),
                "grade_count": str(grades),
                "record_count": str(len(records) + 1),
            },
        )
    )
    return f"S{mident}.C{number}", format_file(records).encode("utf-8")


def applicants_frame(rows: Sequence[Mapping[str, Any]]) -> pl.DataFrame:
    """Applicants in the import's stored shape (see pipeline.applicants)."""
    defaults: dict[str, Any] = {
        "account_number": None,
        "middle_name": None,
        "previous_last_name": None,
        "oen": None,
        "gender": None,
        "school_midents": MIDENT,
        "paid": True,
        "international": False,
    }
    return pl.DataFrame([{**defaults, **row} for row in rows]).with_columns(
        pl.col("birth_date").cast(pl.Date)
    )


def applicant(
    number: str, first: str, last: str, born: date, oen: str | None = None, **extra: Any
) -> dict[str, Any]:
    return {
        "application_number": number,
        "first_name": first,
        "last_name": last,
        "birth_date": born,
        "oen": oen,
        **extra,
    }


def at(stamp: str) -> datetime:
    return datetime.strptime(stamp, "%Y%m%d%H%M%S")
