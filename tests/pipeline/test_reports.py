"""Report rendering: CSV safe to open in a spreadsheet, HTML that shows data as text."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date

import pytest

from pipeline.report import Report
from pipeline.reports import neutralise_cell, render_csv, render_html, validation_report
from rules.validate import ValidationResult, packaged_code_tables, validate_file
from tests.pipeline.builders import Student, grade, transmission

TODAY = date(2026, 11, 20)
CSV_HEADER = [
    "file",
    "code",
    "severity",
    "line",
    "record_type",
    "student_number",
    "surname",
    "first_name",
    "course",
    "field",
    "value",
    "message",
]


def validated(students: list[Student], file_name: str | None = None) -> ValidationResult:
    name, raw = transmission(students)
    return validate_file(file_name or name, raw, tables=packaged_code_tables(), today=TODAY)


def report_of(result: ValidationResult, lang: str = "en") -> Report:
    return validation_report(result, lang)


def csv_rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def result_formula_like() -> ValidationResult:
    """Findings whose names, numbers and values start like spreadsheet formulas."""
    return validated(
        [
            Student(
                "@SUM(A1:A9)",
                '=HYPERLINK("http://x.example")',
                "+1+2",
                "20080315",
                grades=[grade("=1+2", "202606", "F", "085"), grade("ENG4U", "202606", "F", "-1")],
            ),
            Student(
                "552700107",
                "FRASER",
                "JENNIFER",
                "20080412",
                grades=[grade("SBI3C", "202606", "F", "8O")],
            ),
        ]
    )


@pytest.fixture
def result_html_like() -> ValidationResult:
    """A student whose names and values are HTML, with findings that show them."""
    return validated(
        [
            Student(
                "<s>1</s>",
                "<script>alert(1)</script>",
                "<b>X</b>",
                "20080315",
                grades=[grade("ENG4U", "202606", "F", "<i>"), grade("<u>x", "202606", "F", "085")],
            )
        ]
    )


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1)", "\t=1+2", "\r=1+2"])
def test_formula_prefixes_are_neutralised(text: str) -> None:
    assert neutralise_cell(text) == "'" + text


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("LEBLANC", "LEBLANC"),
        ("O'NEIL", "O'NEIL"),
        ("", ""),
        (None, ""),
        (57, "57"),
        ("8=8", "8=8"),
    ],
)
def test_ordinary_cells_are_unchanged(value: object, cell: str) -> None:
    assert neutralise_cell(value) == cell


def test_csv_has_a_header_and_one_row_per_finding(result_formula_like: ValidationResult) -> None:
    report = report_of(result_formula_like)
    rows = csv_rows(render_csv([report]))
    assert rows[0] == CSV_HEADER
    assert len(rows) == 1 + len(report.findings) >= 4
    assert {row[0] for row in rows[1:]} == {"S885827.C1"}
    assert [row[1] for row in rows[1:]] == [finding["code"] for finding in report.findings]
    assert [row[3] for row in rows[1:]] == [str(finding["line"]) for finding in report.findings]


def test_csv_of_several_reports_names_each_file(result_formula_like: ValidationResult) -> None:
    clean = report_of(validated([Student("1", "ROY", "GENEVIÈVE", "20080101")]))
    report = report_of(result_formula_like)
    rows = csv_rows(render_csv([clean, report, replace(report, file="S885827.C2")]))
    files = [row[0] for row in rows[1:]]
    assert files == ["S885827.C1"] * len(report.findings) + ["S885827.C2"] * len(report.findings)


def test_csv_of_a_clean_file_is_the_header_only() -> None:
    clean = report_of(validated([Student("1", "ROY", "GENEVIÈVE", "20080101")]))
    assert csv_rows(render_csv([clean])) == [CSV_HEADER]


def test_csv_cells_never_start_a_formula(result_formula_like: ValidationResult) -> None:
    rows = csv_rows(render_csv([report_of(result_formula_like)]))
    cells = [cell for row in rows[1:] for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "-", "@", "\t", "\r"))]
    by_course = {(row[1], row[8]): dict(zip(CSV_HEADER, row, strict=True)) for row in rows[1:]}
    unknown_course = by_course["G001", "'=1+2"]
    assert unknown_course["value"] == "'=1+2"
    assert unknown_course["student_number"] == "'@SUM(A1:A9)"
    assert unknown_course["surname"] == '\'=HYPERLINK("http://x.example")'
    assert unknown_course["first_name"] == "'+1+2"
    assert by_course["G004", "ENG4U"]["value"] == "'-1"
    # The values are kept whole: only the leading quote is added.
    assert unknown_course["message"].startswith("Course code '=1+2' of student @SUM(A1:A9)")


def test_csv_keeps_accents_and_quotes() -> None:
    result = validated(
        [
            Student(
                "7",
                'O\'CONNOR, "JR"',
                "ANAÏS",
                "20080101",
                grades=[grade("SCH3X", "202606", "F", "070")],
            )
        ]
    )
    rows = csv_rows(render_csv([report_of(result, "fr")]))
    assert rows[1][6:8] == ['O\'CONNOR, "JR"', "ANAÏS"]
    assert "« SCH3X »" in rows[1][11]


def test_html_escapes_names_and_values(result_html_like: ValidationResult) -> None:
    report = report_of(result_html_like)
    html = render_html([report])
    assert {finding["code"] for finding in report.findings} >= {"G001", "G004"}
    for raw in ("<script>alert(1)</script>", "<b>X</b>", "<s>1</s>", "<i>", "<u>x"):
        assert raw not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;X&lt;/b&gt;" in html
    assert "&lt;s&gt;1&lt;/s&gt;" in html
    assert "&#39;&lt;i&gt;&#39;" in html  # the mark, inside the G004 message
    assert "<script" not in html


def test_html_escapes_the_file_name() -> None:
    result = validated(
        [Student("1", "ROY", "LÉA", "20080101")], file_name='<img src=x onerror="1">.C1'
    )
    html = render_html([report_of(result)])
    assert "<img" not in html
    assert "&lt;img src=x onerror=&#34;1&#34;&gt;.C1" in html


def test_html_in_french(result_html_like: ValidationResult) -> None:
    html = render_html([report_of(result_html_like, "fr")], "fr")
    assert '<html lang="fr">' in html
    assert "Constats" in html and "Nom de famille" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
