"""The HTML report of `ost validate --html`, read the way a person sees it in Chromium."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Dialog, Locator, Page, expect, sync_playwright
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.reports import MAX_LISTED_FINDINGS
from tests.pipeline.builders import Student, grade, transmission

pytestmark = pytest.mark.browser

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "sample_files"
CLEAN = SAMPLES / "S885827.C1"
WITH_FINDINGS = SAMPLES / "S871234.C1"
REJECTED = SAMPLES / "S880012.C3"
SHARED_EXAMPLE = ROOT / "tests" / "data" / "example_s885827_c2" / "S885827.C2"
ONLY_WARNINGS = ROOT / "tests" / "data" / "g017_stale_projected" / "S885827.C1"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

# The page read as text: label -> value of the details list, header -> cell of each table row.
DETAILS_JS = """dl => Object.fromEntries([...dl.querySelectorAll('dt')].map(
    dt => [dt.innerText.trim(), dt.nextElementSibling.innerText.trim()]))"""
COUNTS_JS = """table => { const [head, values] = table.rows;
    return Object.fromEntries([...head.cells].map(
        (th, i) => [th.innerText.trim(), values.cells[i].innerText.trim()])); }"""
ROWS_JS = """table => { const heads = [...table.tHead.rows[0].cells].map(th => th.innerText.trim());
    return [...table.tBodies[0].rows].map(tr => Object.fromEntries([...tr.cells].map(
        (td, i) => [heads[i], td.innerText.trim()]))); }"""
BROKEN_LINKS_JS = """() => [...document.querySelectorAll('a[href^="#"]')]
    .map(a => a.getAttribute('href')).filter(href => !document.getElementById(href.slice(1)))"""
DUPLICATE_IDS_JS = """() => { const ids = [...document.querySelectorAll('[id]')].map(e => e.id);
    return ids.filter((id, i) => ids.indexOf(id) !== i); }"""


def chromium_executable() -> str:
    """The browser the suite drives; missing is a failure, never a skip."""
    executable = os.environ.get("OST_TEST_CHROMIUM") or shutil.which("chromium")
    if not executable or not os.access(executable, os.X_OK):
        pytest.fail(
            f"Chromium not found (OST_TEST_CHROMIUM={os.environ.get('OST_TEST_CHROMIUM')!r}): "
            'run `eval "$(scripts/services)"`, which installs Debian\'s chromium and exports '
            "OST_TEST_CHROMIUM, or use scripts/test",
            pytrace=False,
        )
    return executable


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    executable = chromium_executable()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class Dialogs:
    """Every alert, confirm or prompt the page opened (a report must open none)."""

    def __init__(self) -> None:
        self.messages: list[str] = []

    def __call__(self, dialog: Dialog) -> None:
        self.messages.append(dialog.message)
        dialog.dismiss()


@pytest.fixture
def dialogs() -> Dialogs:
    return Dialogs()


@pytest.fixture
def page(chromium: Browser, dialogs: Dialogs) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.on("dialog", dialogs)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert dialogs.messages == []
    assert errors == []


def validate_to_html(
    folder: Path, *files: Path, lang: str = "en"
) -> tuple[int, list[dict[str, Any]], Path]:
    """`ost validate --json --html` on `files`: exit code, the JSON reports, the HTML path."""
    html = folder / f"report-{lang}.html"
    args = ["validate", "--json", "--html", str(html), "--lang", lang, *map(str, files)]
    result = CliRunner().invoke(app, args, env={"OST_MAX_FILE_MB": None})
    assert result.exit_code in (0, 1), result.stderr
    reports = json.loads(result.stdout)
    return result.exit_code, reports if isinstance(reports, list) else [reports], html


def open_report(page: Page, folder: Path, *files: Path, lang: str = "en") -> list[dict[str, Any]]:
    """Validate `files` into an HTML report, open it, and return the JSON reports."""
    _, reports, html = validate_to_html(folder, *files, lang=lang)
    page.goto(html.as_uri())
    return reports


def sections(page: Page) -> list[Locator]:
    return page.locator("section.transmission").all()


def details(section: Locator) -> dict[str, str]:
    result: dict[str, str] = section.locator("dl.details").evaluate(DETAILS_JS)
    return result


def counts(section: Locator) -> dict[str, str]:
    result: dict[str, str] = section.locator("table.counts").evaluate(COUNTS_JS)
    return result


def finding_rows(section: Locator) -> list[dict[str, str]]:
    result: list[dict[str, str]] = section.locator("table.findings").evaluate(ROWS_JS)
    return result


def expected_rows(report: dict[str, Any], severities: dict[str, str]) -> list[dict[str, str]]:
    """The rows a reader should see for the findings of the `ost validate --json` report."""
    return [
        {
            "Line": "" if finding["line"] is None else str(finding["line"]),
            "First name": finding["first_name"] or "",
            "Surname": finding["surname"] or "",
            "Student number": finding["student_number"] or "",
            "Course": finding["course"] or "",
            "Code": finding["code"],
            "Severity": severities[finding["severity"]],
            "Message": finding["message"],
        }
        for finding in report["findings"]
    ]


def assert_links_resolve(page: Page) -> None:
    assert page.evaluate(BROKEN_LINKS_JS) == []
    assert page.evaluate(DUPLICATE_IDS_JS) == []


def test_report_with_findings(page: Page, tmp_path: Path) -> None:
    [report] = open_report(page, tmp_path, WITH_FINDINGS)
    expect(page).to_have_title("OST transmission report — S871234.C1")
    [section] = sections(page)
    expect(section.get_by_role("heading", name="Transmission S871234.C1")).to_be_visible()
    assert details(section) == {
        "School MIDENT": "871234",
        "File": "S871234.C1",
        "Transmission number": "1",
        "Created": "2026-11-16 14:05:00",
        "Status": "partially processed",
    }
    assert counts(section) == {"Students": "15", "Grades": "155", "Errors": "10", "Warnings": "5"}
    rows = finding_rows(section)
    assert rows == expected_rows(report, {"error": "error", "warning": "warning"})
    assert len(rows) == 15
    assert rows[1] == {
        "Line": "20",
        "First name": "JENNIFER",
        "Surname": "FRASER",
        "Student number": "552700107",
        "Course": "SBI3C",
        "Code": "G004",
        "Severity": "error",
        "Message": "Mark '8O' of student 552700107 is not valid for course SBI3C: "
        "use 000 to 100, EQV, ALT, I, N/A or leave it blank.",
    }
    assert page.get_by_text("No errors detected in the data").count() == 0
    expect(section.locator("table.findings")).to_be_visible()


def test_finding_codes_link_to_their_glossary_entry(page: Page, tmp_path: Path) -> None:
    open_report(page, tmp_path, WITH_FINDINGS)
    assert_links_resolve(page)
    links = page.locator("table.findings td a")
    assert links.count() == 15
    assert [link.inner_text() for link in links.all()] == [
        row["Code"] for row in finding_rows(sections(page)[0])
    ]
    entry = page.locator("#f1-r005")
    expect(entry).to_have_text("R005 — Student sent twice")
    expect(entry).not_to_be_in_viewport()
    page.get_by_role("link", name="R005").click()
    expect(entry).to_be_in_viewport()
    assert page.evaluate("location.hash") == "#f1-r005"
    expect(entry.locator("xpath=following-sibling::dd[1]")).to_contain_text("What to do: ")


def test_screenshot_of_the_report(page: Page, tmp_path: Path) -> None:
    open_report(page, tmp_path, WITH_FINDINGS)
    screenshot = tmp_path / "report.png"
    page.screenshot(path=str(screenshot), full_page=True)
    data = screenshot.read_bytes()
    assert data.startswith(PNG_SIGNATURE) and len(data) > 10_000


def test_a_file_with_only_warnings_says_no_errors_and_lists_them(
    page: Page, tmp_path: Path
) -> None:
    open_report(page, tmp_path, ONLY_WARNINGS)
    [section] = sections(page)
    expect(section.get_by_text("No errors detected in the data")).to_be_visible()
    assert [row["Code"] for row in finding_rows(section)] == ["G017"]


def test_clean_files_say_no_errors_with_totals(page: Page, tmp_path: Path) -> None:
    reports = open_report(page, tmp_path, CLEAN, SHARED_EXAMPLE)
    expect(page).to_have_title("OST transmission report")
    clean, example = sections(page)
    expect(clean.get_by_text("No errors detected in the data")).to_be_visible()
    expect(example.get_by_text("No errors detected in the data")).to_be_visible()
    assert details(clean) == {
        "School MIDENT": "885827",
        "File": "S885827.C1",
        "Transmission number": "1",
        "Created": "2026-11-15 09:30:00",
        "Status": "processed",
    }
    assert counts(clean) == {"Students": "40", "Grades": "437", "Errors": "0", "Warnings": "0"}
    assert details(example)["File"] == "S885827.C2"
    assert details(example)["Transmission number"] == "2"
    assert counts(example) == {
        "Students": str(reports[1]["counts"]["students"]),
        "Grades": str(reports[1]["counts"]["grades"]),
        "Errors": "0",
        "Warnings": "0",
    }
    assert page.locator("table.findings").count() == 0


def test_french_report(page: Page, tmp_path: Path) -> None:
    reports = open_report(page, tmp_path, CLEAN, REJECTED, lang="fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    expect(page.get_by_role("heading", level=1)).to_have_text("Rapport de transmission OST")
    clean, rejected = sections(page)
    expect(clean.get_by_text("Aucune erreur détectée dans les données")).to_be_visible()
    assert details(clean) == {
        "MIDENT de l'école": "885827",
        "Fichier": "S885827.C1",
        "Numéro de transmission": "1",
        "Créé le": "2026-11-15 09:30:00",
        "Statut": "traité",
    }
    assert counts(clean) == {"Élèves": "40", "Notes": "437", "Erreurs": "0", "Avertissements": "0"}
    assert details(rejected)["Statut"] == "rejeté"
    assert counts(rejected) == {"Élèves": "7", "Notes": "78", "Erreurs": "3", "Avertissements": "0"}
    expect(rejected.get_by_role("heading", name="Constats")).to_be_visible()
    rows: list[dict[str, str]] = rejected.locator("table.findings").evaluate(ROWS_JS)
    assert list(rows[0]) == [
        "Ligne",
        "Prénom",
        "Nom de famille",
        "Numéro d'élève",
        "Cours",
        "Code",
        "Gravité",
        "Message",
    ]
    assert [(row["Ligne"], row["Code"], row["Gravité"]) for row in rows] == [
        ("", "F007", "erreur"),
        ("87", "F005", "erreur"),
        ("87", "F005", "erreur"),
    ]
    assert [row["Message"] for row in rows] == [f["message"] for f in reports[1]["findings"]]
    assert rows[0]["Message"].startswith("Le nom de fichier « S880012.C3 » n'est pas valide")
    expect(rejected.get_by_role("heading", name="Glossaire")).to_be_visible()
    expect(rejected.locator("dl.glossary")).to_contain_text("Que faire: ")
    assert_links_resolve(page)


def test_names_and_values_are_shown_as_text(page: Page, dialogs: Dialogs, tmp_path: Path) -> None:
    surnames = ["<script>alert(1)</script>", "<img src=x onerror=alert(2)>"]
    name, raw = transmission(
        [
            Student(
                f"<s>{index}</s>",
                surname,
                "<b>X</b>",
                "20080315",
                grades=[grade("ENG4U", "202606", "F", "<i>")],
            )
            for index, surname in enumerate(surnames, start=1)
        ]
    )
    (tmp_path / name).write_bytes(raw)
    open_report(page, tmp_path, tmp_path / name)
    rows = finding_rows(sections(page)[0])
    assert [(row["Surname"], row["First name"], row["Student number"]) for row in rows] == [
        ("<script>alert(1)</script>", "<b>X</b>", "<s>1</s>"),
        ("<img src=x onerror=alert(2)>", "<b>X</b>", "<s>2</s>"),
    ]
    assert all("'<i>'" in row["Message"] for row in rows)
    # Nothing from the data became an element: cells hold only the code links.
    assert page.locator("td *:not(a)").count() == 0
    assert page.locator("script, img, b, s, i").count() == 0
    assert dialogs.messages == []


def test_many_findings_are_capped_with_exact_counts(page: Page, tmp_path: Path) -> None:
    # One invalid mark (G004) per course, on distinct completion dates: one finding each.
    students, courses_each = MAX_LISTED_FINDINGS // 100 + 1, 100
    months = [f"{2000 + month // 12}{month % 12 + 1:02d}" for month in range(courses_each)]
    name, raw = transmission(
        [
            Student(
                f"{number:09d}",
                "GAGNON-BÉLANGER",
                "ÉMILIE",
                "20080315",
                grades=[grade("ENG4U", month, "F", "ZZZ") for month in months],
            )
            for number in range(1, students + 1)
        ]
    )
    (tmp_path / name).write_bytes(raw)
    [report] = open_report(page, tmp_path, tmp_path / name)
    total = students * courses_each
    assert len(report["findings"]) == total > MAX_LISTED_FINDINGS
    [section] = sections(page)
    expect(section.locator("p.capped")).to_have_text(
        f"Only the first {MAX_LISTED_FINDINGS} of {total} findings are listed; "
        "the counts above are exact."
    )
    assert counts(section) == {
        "Students": str(students),
        "Grades": str(total),
        "Errors": str(total),
        "Warnings": "0",
    }
    expect(section.locator("table.findings tbody tr")).to_have_count(MAX_LISTED_FINDINGS)
    assert_links_resolve(page)
