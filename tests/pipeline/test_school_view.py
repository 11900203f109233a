"""What a school receives (docs/record.md): never what applicants told the application service.

One transmission raises every matching finding a school must or must not see; then every
school-facing output (its report files in both languages and its confirmation e-mail, body and
attachment) is searched for each value the applicants typed. The operators' report keeps them.
"""

from __future__ import annotations

from datetime import date
from email.message import EmailMessage
from typing import Any

import pytest

from pipeline.ingest import IngestContext, IngestOutcome
from pipeline.outputs import SCHOOL_FOLDER
from pipeline.school_view import school_report, school_sees
from tests.pipeline.builders import Student, applicant, grade, transmission
from tests.pipeline.conftest import Mailbox
from tests.pipeline.test_merge import add_applicants, ingest

ENG4U = grade("ENG4U", "202606", "F", "085")

STUDENTS = [
    # A006: her application gives her new surname, Reid (her previous one is Kowalski).
    Student("101", "KOWALSKI", "NATALIA", "20080214", "345678912", [ENG4U]),
    # A004: the applicant declared another OEN.
    Student("102", "SMITH", "ROBERT", "20070305", "123456782", [ENG4U]),
    # A003: the OEN belongs to an applicant whose name and birth date both differ.
    Student("103", "LEE", "ANNA", "20080101", "555666777", [ENG4U]),
    # A002: two applications match equally.
    Student("104", "TREMBLAY", "JULIE", "20080707", "", [ENG4U]),
    # A005: an international applicant.
    Student("105", "NGUYEN", "MINH", "20080909", "222333444", [ENG4U]),
    # A001: no application yet.
    Student("106", "ZED", "ZOE", "20081010", "", [ENG4U]),
]
APPLICANTS = [
    applicant(
        "2026-000101",
        "Natalia",
        "Reid",
        date(2008, 2, 14),
        "345678912",
        previous_last_name="Kowalski",
        account_number="ACC-REID-77",
    ),
    applicant("2026-000102", "Robert", "Smith", date(2007, 3, 5), "987654329"),
    applicant("2026-000103", "Priya", "Sharma", date(2005, 1, 9), "555666777"),
    applicant("2026-000104", "Julie", "Tremblay", date(2008, 7, 7)),
    applicant("2026-000114", "Julie", "Tremblay", date(2008, 7, 7)),
    applicant("2026-000105", "Minh", "Nguyen", date(2008, 9, 9), "222333444", international=True),
]
# What the applicants told the service and the school does not know: names as typed, birth
# dates, OENs, accounts, international status, and the applications its students were not
# merged into (A002's candidates, A003's and A005's applicants).
APPLICANT_SIDE = (
    "Reid",
    "REID",
    "ACC-REID-77",
    "987654329",
    "Priya",
    "Sharma",
    "2005-01-09",
    "20050109",
    "2026-000103",
    "2026-000104",
    "2026-000114",
    "2026-000105",
    "international",
    "internationale",
    "Robert Smith",
    "Natalia Reid",
)
OPERATORS_ONLY = ("A004", "A005", "A006")


def mail_text(message: EmailMessage) -> str:
    parts = [part.get_payload(decode=True) for part in message.walk() if not part.is_multipart()]
    return "\n".join(part.decode("utf-8-sig") for part in parts if isinstance(part, bytes))


@pytest.fixture
def outcome_with_every_matching_finding(ingest_ctx: IngestContext) -> IngestOutcome:
    add_applicants(ingest_ctx, *APPLICANTS)
    outcome = ingest(ingest_ctx, transmission(STUDENTS))
    codes = {finding["code"] for finding in outcome.report.findings}
    assert codes >= {"A001", "A002", "A003", "A004", "A005", "A006"}, codes
    return outcome


def school_outputs(ctx: IngestContext, outcome: IngestOutcome, mailbox: Mailbox) -> dict[str, str]:
    folder = ctx.settings.reports / str(outcome.transmission_id) / SCHOOL_FOLDER
    outputs = {path.name: path.read_text(encoding="utf-8-sig") for path in folder.iterdir()}
    [message] = mailbox.messages
    return {**outputs, "e-mail": mail_text(message)}


def test_nothing_a_school_receives_names_what_an_applicant_told_the_service(
    ingest_ctx: IngestContext, outcome_with_every_matching_finding: IngestOutcome, mailbox: Mailbox
) -> None:
    outputs = school_outputs(ingest_ctx, outcome_with_every_matching_finding, mailbox)
    assert len(outputs) == 7  # html, json and csv in two languages, and the e-mail
    for name, text in outputs.items():
        leaked = [value for value in APPLICANT_SIDE if value in text]
        assert not leaked, (name, leaked)
        assert not [code for code in OPERATORS_ONLY if code in text], name


def test_the_operators_report_keeps_everything(
    ingest_ctx: IngestContext, outcome_with_every_matching_finding: IngestOutcome
) -> None:
    folder = ingest_ctx.settings.reports / str(outcome_with_every_matching_finding.transmission_id)
    text = (folder / "report.json").read_text(encoding="utf-8")
    for value in ("Natalia Reid", "987654329", "2026-000103", "2026-000114", "international"):
        assert value in text, value


def test_a_school_reads_what_to_check_and_the_application_its_student_joined(
    ingest_ctx: IngestContext, outcome_with_every_matching_finding: IngestOutcome, mailbox: Mailbox
) -> None:
    outputs = school_outputs(ingest_ctx, outcome_with_every_matching_finding, mailbox)
    english, french = outputs["report.csv"], outputs["report.fr.csv"]
    assert "Student 106 is not yet matched to an application" in english
    assert "L'élève 106 n'est pas encore associé à une demande" in french
    for student in ("103", "104"):
        assert f"Student {student}: your data disagrees with the application's" in english
        assert f"Élève {student} : vos données ne concordent pas" in french
    assert "matching" not in outputs["report.json"].split('"findings"')[0]


def test_school_report_recounts_what_it_leaves_out() -> None:
    findings = [
        {"code": "A004", "severity": "warning", "student_number": "1", "message": "x"},
        {"code": "A002", "severity": "warning", "student_number": "2", "message": "x"},
        {"code": "A009", "severity": "warning", "student_number": "3", "message": "x"},
        {"code": "A007", "severity": "info", "student_number": "4", "message": "x"},
        {"code": "G004", "severity": "error", "student_number": "5", "message": "mark"},
    ]
    report: dict[str, Any] = {
        "status": "partially processed",
        "counts": {"students": 5, "grades": 5, "errors": 1, "warnings": 3},
        "findings": findings,
        "matching": {"matched": 2, "pending": 0, "ambiguous": 1, "not_merged": 1},
    }
    shown = school_report(report, "en")
    assert [row["code"] for row in shown["findings"]] == ["A002", "A009", "G004"]
    assert shown["counts"] == {"students": 5, "grades": 5, "errors": 1, "warnings": 2}
    assert "matching" not in shown
    assert shown["findings"][2]["message"] == "mark"  # the school's own errors as they are
    assert not school_sees("A010")  # a matching code not listed is for the operators
    assert school_sees("M002")


def test_the_school_html_keeps_the_merge_counts_without_the_matching_ones(
    ingest_ctx: IngestContext, outcome_with_every_matching_finding: IngestOutcome, mailbox: Mailbox
) -> None:
    html = school_outputs(ingest_ctx, outcome_with_every_matching_finding, mailbox)["report.html"]
    assert 'class="merge"' in html and 'class="matching"' not in html
