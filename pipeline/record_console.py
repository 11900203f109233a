"""The academic record as `ost applicants show` prints it for admissions staff."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.printable import printable
from pipeline.privacy import mask_date, mask_oen

# docs/format.md, S1 layout: what the coded facts mean.
FACT_MEANINGS: dict[str, dict[str, str]] = {
    "grad_status": {"G": "graduated (OSSD)", "N": "not yet graduated"},
    "literacy_requirement": {"1": "met", "2": "not yet met"},
    "community_involvement": {"1": "completed", "2": "not completed"},
}
FACT_LABELS = {
    "grad_status": "graduation status",
    "ossd_issue_date": "OSSD issued",
    "literacy_requirement": "literacy requirement",
    "community_involvement": "community involvement",
    "shsm_sector": "SHSM sector",
}
COURSE_HEADINGS = {
    "course_code": "course",
    "course_title": "title",
    "completion_date": "completion",
    "delivery_type": "delivery",
    "course_type": "course type",
    "grade_type": "grade type",
    "mark": "mark",
    "credit_value": "credit",
    "course_status": "status",
    "notes": "notes",
    "course_mident": "taken at",
    "supplier_mident": "supplier",
    "last_changed_by": "last changed by",
}


def applicant_line(person: Mapping[str, Any], show_personal: bool) -> str:
    born, oen = str(person["birth_date"]), person["oen"] or ""
    if not show_personal:
        born, oen = mask_date(born), mask_oen(oen)
    return (
        f"{person['application_number']}  {person['first_name'] or ''} "
        f"{person['last_name'] or ''}  born {born}  OEN {oen}"
    )


def fact_text(name: str, value: str | None) -> str:
    if value is None:
        return "not reported"
    meaning = FACT_MEANINGS.get(name, {}).get(value)
    return f"{value} ({meaning})" if meaning else value


def record_lines(record: Mapping[str, Any]) -> list[str]:
    """The S1 facts of the latest accepted record and the totals, one line each."""
    student = record["student"]
    source = (
        f" (school {student['from_school']}, student {student['student_number']})"
        if student.get("from_school")
        else " (no student record matched yet)"
    )
    lines = [f"academic record{source}"]
    lines += [f"  {label}: {fact_text(name, student[name])}" for name, label in FACT_LABELS.items()]
    totals = record["totals"]
    lines.append(
        f"  courses {totals['courses']}, finals {totals['finals']}, "
        f"total credits earned {totals['total_credits']}, grade status {totals['grade_status']}"
    )
    return lines


def print_academic_record(console: Console, view: Mapping[str, Any], show_personal: bool) -> None:
    # Names and codes come from schools and applicants: escaped, never read as markup.
    console.print(Text(printable(applicant_line(view["applicant"], show_personal))))
    for line in record_lines(view["record"]):
        console.print(Text(printable(line)))
    courses = Table(*COURSE_HEADINGS.values())
    for course in view["courses"]:
        courses.add_row(*(Text(printable(str(course[name] or ""))) for name in COURSE_HEADINGS))
    console.print(courses)
