"""What a school sees of a transmission report (docs/record.md, who sees what).

A school's report, its confirmation e-mail and its screens are about the data it sent and what
it must fix. They never show what applicants told the application service: no applicant's
name, birth date or OEN as typed, no international status, no account, and no application
number of an applicant its student was not merged into. `school_report` turns an operators'
report into that form; the web console and the mail call it as the ingest does.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.labels import label

WORDING_PATH = Path(__file__).parent / "data" / "school_view.toml"
MATCHING_LETTER = "A"
# Report parts about the matching itself, for the operators: counts of held, ambiguous and
# unmerged students (international applicants among them).
OPERATORS_ONLY_PARTS = ("matching",)


@lru_cache(maxsize=1)
def school_wording() -> dict[str, str]:
    """The matching codes a school sees, each with the label of its wording (the others'
    values never shown): pipeline/data/school_view.toml."""
    with WORDING_PATH.open("rb") as handle:
        table = tomllib.load(handle)["wording"]
    return {code: wording for wording, codes in table.items() for code in codes}


def school_sees(code: str) -> bool:
    """Whether a finding of this code is shown to a school."""
    return not code.startswith(MATCHING_LETTER) or code in school_wording()


def school_finding(row: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """A finding as a school reads it: a matching one in the school's wording, and the value
    the school itself sent (never the applicant's)."""
    shown = dict(row)
    shown.pop("expected", None)  # the applicant's value, where a row read from the store has it
    wording = school_wording().get(str(row["code"]))
    if wording is not None:
        student = row.get("student_number") or ""
        shown["message"] = label(lang, wording).format(student_number=student)
        if "application_number" in shown:  # held: merged into no application yet
            shown["application_number"] = None
    return shown


def school_findings(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    """The findings a school sees, each as `school_finding` gives it."""
    return [school_finding(row, lang) for row in rows if school_sees(str(row["code"]))]


def school_report(report: Mapping[str, Any], lang: str) -> dict[str, Any]:
    """The school-facing form of a transmission report in `lang` (see the module's doc).

    The counts of warnings and information findings leave out those the school does not see.
    """
    hidden = [row for row in report["findings"] if not school_sees(str(row["code"]))]
    counts = dict(report["counts"])
    for severity, key in (("error", "errors"), ("warning", "warnings")):
        if key in counts:
            counts[key] -= sum(1 for row in hidden if row.get("severity") == severity)
    shown = [
        school_finding(row, lang) for row in report["findings"] if school_sees(str(row["code"]))
    ]
    kept = {key: value for key, value in report.items() if key not in OPERATORS_ONLY_PARTS}
    return {**kept, "counts": counts, "findings": shown}


def school_reports(reports: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """`school_report` of each language's report."""
    return {lang: school_report(report, lang) for lang, report in reports.items()}
