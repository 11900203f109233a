"""The console's pages as a school and an operator read them: upload, history, transmission,
applicants, glossary, in English and French."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from html import unescape
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select

from error_glossary import glossary
from pipeline.models import Transmission
from pipeline.store import table, update_transmission
from pipeline.web.app import create_app
from tests.web.conftest import SAMPLES, Console, token
from tests.web.ids import applicant_only_of, merged_applicants, transmission_id

GOLDEN = SAMPLES.parent / "tests" / "data"
SHARED_EXAMPLE = GOLDEN / "example_s885827_c2" / "S885827.C2"
MARK_INVALID = GOLDEN / "g004_mark_invalid" / "S885827.C1"


def upload(client: TestClient, name: str, data: bytes) -> str:
    response = client.post(
        "/upload",
        data={"csrf_token": token(client, "/upload")},
        files={"file": (name, data)},
    )
    assert response.status_code == 200, response.text
    return response.text


def every_page(client: TestClient, first: str, older: re.Pattern[str]) -> list[str]:
    """The page `first` and every page after it, following the link that `older` finds."""
    pages = [client.get(first).text]
    while (link := older.search(pages[-1])) is not None:
        assert len(pages) < 10, "the pages never end"
        pages.append(client.get(link.group(1).replace("&amp;", "&")).text)
    return pages


def cells(html: str, table_id: str) -> list[list[str]]:
    """The cells of each body row of the table; none when the page has no such table."""
    if f'id="{table_id}"' not in html:
        return []
    body = html.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body, re.S)
    found = [re.findall(r"<td[^>]*>(.*?)</td>", row, re.S) for row in rows]
    return [
        [unescape(re.sub(r"<[^>]+>", "", cell)).strip() for cell in row] for row in found if row
    ]


def test_a_file_with_record_errors_is_checked_and_queued_for_the_next_run(
    console: Console, clerk_client: TestClient
) -> None:
    page = upload(clerk_client, "S885827.C1", MARK_INVALID.read_bytes())
    assert 'id="queued"' in page
    # NOW is 10:00 in Toronto on 1 December: the next run is at 16:00 that day.
    assert "2026-12-01 16:00 EST" in page
    assert [p.name for p in console.settings.inbox.iterdir()] == ["S885827.C1"]
    findings = cells(page, "findings")
    assert [row[3] for row in findings] == ["G004"]
    assert "partially processed" in page


def test_a_file_with_a_file_level_error_is_reported_and_not_queued(
    console: Console, clerk_client: TestClient
) -> None:
    data = SHARED_EXAMPLE.read_bytes()
    page = upload(clerk_client, "S885827.C3", data)  # the name disagrees with the header: F007
    assert 'id="not-queued"' in page
    assert any(row[3] == "F007" for row in cells(page, "findings"))
    assert list(console.settings.inbox.iterdir()) == []


def test_the_upload_speaks_french(clerk_client: TestClient) -> None:
    clerk_client.get("/upload?lang=fr")
    page = upload(clerk_client, "S885827.C2", SHARED_EXAMPLE.read_bytes())
    assert '<html lang="fr">' in page
    assert "prochaine exécution prévue" in page


def test_an_upload_without_a_file_is_refused(clerk_client: TestClient) -> None:
    response = clerk_client.post("/upload", data={"csrf_token": token(clerk_client, "/upload")})
    assert response.status_code == 400


def test_the_history_filters_by_status_and_period(operator_client: TestClient) -> None:
    rejected = cells(operator_client.get("/history?status=rejected").text, "history")
    assert [row[1] for row in rejected] == ["S880012.C3"]
    assert cells(operator_client.get("/history?period=2026-11").text, "history")
    assert "Nothing to show" in operator_client.get("/history?period=2020-01").text


def test_a_transmission_shows_status_counts_findings_and_application_numbers(
    console: Console, operator_client: TestClient
) -> None:
    tid = transmission_id(console.state.engine, "871234")
    page = operator_client.get(f"/transmissions/{tid}").text
    assert "partially processed" in page
    findings = cells(page, "findings")
    assert any(row[3] == "G004" for row in findings)
    assert 'href="/glossary#G004"' in page
    numbers = {row[6] for row in findings if row[6]}
    assert numbers and numbers <= merged_applicants(console.state.engine, "871234")
    assert f"/transmissions/{tid}/reports/report.fr.html" in page
    csv = operator_client.get(f"/transmissions/{tid}/findings.csv").content.decode("utf-8-sig")
    assert csv.splitlines()[0].endswith("application_number")
    html = operator_client.get(f"/transmissions/{tid}/reports/report.html")
    assert html.status_code == 200 and "<html" in html.text


def test_a_school_reads_its_findings_without_the_applicants_values(
    console: Console, clerk_client: TestClient, operator_client: TestClient
) -> None:
    tid = transmission_id(console.state.engine, "885827")
    operators = operator_client.get(f"/transmissions/{tid}").text
    schools = clerk_client.get(f"/transmissions/{tid}").text
    assert "A005" in operators and "A005" not in schools  # international status
    assert "A001" in schools and "A006" not in schools  # a name variant is the applicant's
    a006 = next(row for row in cells(operators, "findings") if row[3] == "A006")
    applicant_name = re.search(r", '([^']+)' on the application", a006[5])
    assert applicant_name and applicant_name.group(1) not in schools
    assert "report.html" not in schools  # the stored reports hold the matching details
    csv = clerk_client.get(f"/transmissions/{tid}/findings.csv").content.decode("utf-8-sig")
    assert "A005" not in csv and applicant_name.group(1) not in csv


def test_an_operator_replays_a_failed_transmission(
    console: Console, operator_client: TestClient
) -> None:
    tid = transmission_id(console.state.engine, "885827")
    with console.state.engine.begin() as conn:
        update_transmission(conn, tid, {"status": "failed", "failure_reason": "disk full"})
    page = operator_client.get(f"/transmissions/{tid}").text
    assert 'id="replay"' in page
    response = operator_client.post(
        f"/transmissions/{tid}/replay", data={"csrf_token": token(operator_client, "/history")}
    )
    assert response.status_code == 200
    assert "Replayed:" in response.text and 'id="replay"' not in response.text
    t = table(Transmission)
    with console.state.engine.connect() as conn:
        status = conn.execute(select(t.c.status).where(t.c.id == tid)).scalar_one()
    assert status == "processed"


def test_a_school_has_no_replay_button(console: Console, clerk_client: TestClient) -> None:
    tid = transmission_id(console.state.engine, "885827")
    with console.state.engine.begin() as conn:
        update_transmission(conn, tid, {"status": "failed", "failure_reason": "disk full"})
    page = clerk_client.get(f"/transmissions/{tid}").text
    assert 'id="replay"' not in page and "disk full" not in page
    token_ = token(clerk_client, "/upload")
    assert (
        clerk_client.post(f"/transmissions/{tid}/replay", data={"csrf_token": token_}).status_code
        == 404
    )


def test_applicant_search_by_name_number_and_oen(
    console: Console, operator_client: TestClient
) -> None:
    number = applicant_only_of(console.state.engine, "885827", [])
    record = operator_client.get(f"/applicants/{number}").text
    oen = re.search(r"<dt>OEN</dt><dd>([0-9]*)</dd>", record)
    name = re.search(r"<dt>Name</dt><dd>(\S+)", record)
    assert oen and name
    for query in (number, oen.group(1), name.group(1)[:3]):
        results = operator_client.get(f"/applicants?q={query}").text
        assert f'href="/applicants/{number}"' in results, query
    assert "Nothing to show" in operator_client.get("/applicants?q=zzzzqqq").text


def test_the_applicant_record_has_courses_and_their_history(
    console: Console, operator_client: TestClient, clerk_client: TestClient
) -> None:
    number = applicant_only_of(console.state.engine, "885827", [])
    operators = operator_client.get(f"/applicants/{number}").text
    courses = cells(operators, "courses")
    changes = cells(operators, "changes")
    assert courses and len(changes) >= len(courses)
    assert all(row[2] == "added" or "added" in row[2] for row in changes)
    schools = clerk_client.get(f"/applicants/{number}").text
    assert cells(schools, "courses") == courses
    birth = re.search(r"<dt>Birth date</dt><dd>([^<]+)</dd>", operators)
    assert birth and 'id="applicant"' not in schools and birth.group(1) not in schools


def test_the_glossary_lists_every_code_in_both_languages(operator_client: TestClient) -> None:
    english = operator_client.get("/glossary").text
    french = operator_client.get("/glossary?lang=fr").text
    for code, item in glossary().items():
        assert f'id="{code}"' in english
        assert item.title["fr"].replace("'", "&#39;") in french


def test_an_unknown_page_is_not_found(operator_client: TestClient) -> None:
    assert operator_client.get("/transmissions/999999").status_code == 404
    assert operator_client.get("/transmissions/not-a-number").status_code == 404
    assert operator_client.get("/applicants/none-such").status_code == 404
    assert operator_client.get("/nowhere").status_code == 404


def test_times_are_shown_on_the_operators_clock(
    console: Console, operator_client: TestClient
) -> None:
    rows = cells(operator_client.get("/history").text, "history")
    received = {row[4] for row in rows}
    assert all(re.fullmatch(r"2026-\d\d-\d\d \d\d:\d\d E[SD]T", value) for value in received)
    assert datetime.now(UTC)  # the received times are the real ones of the ingest


def test_a_school_downloads_the_applicant_status_workbook_of_its_schools(
    console: Console, operator_client: TestClient
) -> None:
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.web.conftest import sign_in

    with console.client() as board:
        sign_in(board, "board")
        assert 'value="871234"' in board.get("/reports").text
        response = board.get("/reports/applicant-status.xlsx")
        assert response.status_code == 200
        book = load_workbook(BytesIO(response.content))
        assert book.sheetnames == ["871234", "880012"]
        numbers = {row[0] for row in book["871234"].iter_rows(min_row=2, values_only=True)}
        assert merged_applicants(console.state.engine, "871234") <= numbers
        assert board.get("/reports/applicant-status.xlsx?mident=885827").status_code == 404
        mixed = "/reports/applicant-status.xlsx?mident=871234&mident=885827"
        assert board.get(mixed).status_code == 404
    everyone = operator_client.get("/reports/applicant-status.xlsx?mident=885827")
    assert load_workbook(BytesIO(everyone.content)).sheetnames == ["885827"]
    assert operator_client.get("/reports/applicant-status.xlsx?mident=12").status_code == 400


def test_a_page_that_fails_says_so_in_one_line(console: Console, tmp_path: Path) -> None:
    """A database that cannot be reached: an error page, never a traceback."""
    console.state.engine = create_engine(f"sqlite:///{tmp_path / 'missing' / 'dir' / 'x.db'}")
    client = TestClient(create_app(console.state), raise_server_exceptions=False)
    client.cookies.set("ost_session", console.state.sessions.sign({"csrf": "t", "user": "ops"}))
    response = client.get("/history")
    console.state.engine.dispose()
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "Traceback" not in response.text
