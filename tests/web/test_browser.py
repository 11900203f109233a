"""The console in headless Chromium, served by a real uvicorn: a school signs in with the
keyboard, uploads a file with errors and reads them, opens the history and a transmission;
an operator opens the record of an applicant. A screenshot of each page is kept."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from pipeline.web.app import create_app
from tests.pipeline.test_html_report import chromium_executable
from tests.web.conftest import HELD_APPLICANT, PASSWORDS, ROOT, Console
from tests.web.ids import applicant_only_of, transmission_id
from tests.web.server import serving

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MARK_INVALID = ROOT / "tests" / "data" / "g004_mark_invalid" / "S885827.C1"
# Screenshots of every page, kept after the run (git-ignored).
ARTEFACTS = Path(os.environ.get("OST_TEST_ARTEFACTS") or ROOT / "test-artefacts") / "console"

ROWS_JS = """table => { const heads = [...table.tHead.rows[0].cells].map(th => th.innerText.trim());
    return [...table.tBodies[0].rows].map(tr => Object.fromEntries([...tr.cells].map(
        (td, i) => [heads[i], td.innerText.trim()]))); }"""


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium_executable(), headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def base_url(console: Console) -> Iterator[str]:
    with serving(create_app(console.state)) as url:
        yield url


@pytest.fixture
def page(chromium: Browser, base_url: str) -> Iterator[Page]:
    context = chromium.new_context(viewport={"width": 1366, "height": 768}, base_url=base_url)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    yield page
    context.close()
    assert errors == []


def keep(page: Page, name: str, request: pytest.FixtureRequest) -> None:
    """A full-page screenshot, named after the test's database and the page."""
    kind = request.node.callspec.params.get("console_settings", "db")
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / f"{kind}-{name}.png"), full_page=True)


def rows(page: Page, selector: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = page.locator(selector).evaluate(ROWS_JS)
    return found


def sign_in_by_keyboard(page: Page, name: str) -> None:
    page.goto("/upload")
    expect(page).to_have_url(re.compile(r"/login\?next=/upload$"))
    page.keyboard.type(name)  # the user name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORDS[name])
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r":[0-9]+/upload$"))


def test_a_school_uploads_a_file_and_reads_what_is_wrong(
    page: Page, console: Console, request: pytest.FixtureRequest
) -> None:
    page.goto("/login")
    keep(page, "login", request)
    sign_in_by_keyboard(page, "clerk")
    expect(page).to_have_url(re.compile(r"/upload$"))
    keep(page, "upload", request)
    page.set_input_files("#file", str(MARK_INVALID))
    page.get_by_role("button", name="Check and send").click()
    expect(page.locator("#queued")).to_contain_text("next scheduled run")
    found = rows(page, "#findings")
    assert [row["Code"] for row in found] == ["G004"]
    assert "mark" in found[0]["Message"].lower()
    assert page.url.endswith("/upload")  # htmx swapped the result into the page
    keep(page, "upload-result", request)
    assert (console.settings.inbox / "S885827.C1").read_bytes() == MARK_INVALID.read_bytes()

    page.get_by_role("link", name="Upload history").click()
    history = rows(page, "#history")
    assert [row["File"] for row in history] == ["S885827.C1"]
    keep(page, "history", request)
    page.get_by_role("link", name="S885827.C1").click()
    expect(page.locator("h1")).to_contain_text("S885827.C1")
    codes = {row["Code"] for row in rows(page, "#findings")}
    assert "A001" in codes and not codes & {"A005", "A006"}  # never the applicant's side
    keep(page, "transmission", request)
    page.get_by_role("link", name="Glossary").first.click()
    keep(page, "glossary", request)


def test_a_file_dropped_on_the_form_is_the_one_sent(page: Page, console: Console) -> None:
    sign_in_by_keyboard(page, "clerk")
    expect(page).to_have_url(re.compile(r"/upload$"))
    content = MARK_INVALID.read_text(encoding="latin-1")
    page.evaluate(
        """([name, text]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([text], name));
            const zone = document.getElementById("dropzone");
            zone.dispatchEvent(new DragEvent("drop", {dataTransfer: transfer, bubbles: true}));
        }""",
        ["S885827.C1", content],
    )
    assert page.locator("#file").evaluate("input => input.files[0].name") == "S885827.C1"
    page.get_by_role("button", name="Check and send").click()
    expect(page.locator("#queued")).to_be_visible()


def test_an_operator_searches_and_reads_an_applicants_record(
    page: Page, console: Console, request: pytest.FixtureRequest
) -> None:
    number = applicant_only_of(console.state.engine, "885827", [])
    sign_in_by_keyboard(page, "ops")
    page.goto("/applicants")
    page.fill("#q", number)
    expect(page.locator("#applicant-results")).to_contain_text(number)  # found as it is typed
    keep(page, "applicants", request)
    page.get_by_role("link", name=number).click()
    courses = rows(page, "#courses")
    assert courses and all(row["Grade type"] for row in courses)
    keep(page, "applicant", request)
    tid = transmission_id(console.state.engine, "871234")
    page.goto(f"/transmissions/{tid}?lang=fr")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    assert any(row["Numéro de demande"] for row in rows(page, "#findings"))
    keep(page, "transmission-fr", request)


def test_an_operator_accepts_a_held_match_and_sees_the_courses(
    page: Page, console: Console, request: pytest.FixtureRequest
) -> None:
    number = str(HELD_APPLICANT["application_number"])
    sign_in_by_keyboard(page, "ops")
    page.get_by_role("link", name="Review queue").click()
    [held] = rows(page, "#queue")
    assert held["Code"] == "A009" and number in held["Candidates"]
    keep(page, "review-queue", request)
    page.get_by_role("link", name=held["Student number"]).click()
    candidate = page.locator(f"#candidate-{number}")
    differing = candidate.locator("tr.differs th").all_inner_texts()
    assert "OEN" in differing and "Birth date" in differing
    keep(page, "review-case", request)
    candidate.get_by_label("Reason").first.fill("confirmed with the school")
    candidate.get_by_role("button", name=f"Accept {number}").click()
    page.wait_for_url(re.compile(f"/applicants/{number}"))
    assert [row["Course"] for row in rows(page, "#courses")] == ["ENG4U"]
    keep(page, "applicant-after-accept", request)
