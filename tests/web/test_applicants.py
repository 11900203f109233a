"""The applicant pages at length: search by the beginnings of names, and the change history
read a page at a time."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine, insert, select

from pipeline.applicant_search import LISTED_CHANGES
from pipeline.applicants import upsert_applicants
from pipeline.models import CourseChange, StudentRecord
from pipeline.store import table
from tests.pipeline.builders import applicant, applicants_frame
from tests.web.conftest import NOW, Console
from tests.web.ids import applicant_only_of, transmission_id
from tests.web.test_pages import cells, every_page

NAMED = applicant(
    "2026-955501",
    "Marie-Claude",
    "Vanderberg",
    date(2008, 3, 4),
    "456789123",
    middle_name="Oriane",
    previous_last_name="Lafleur",
)
OLDER = re.compile(r'id="older-changes" href="([^"]+)"')


def found(client: TestClient, query: str) -> bool:
    page = client.get("/applicants", params={"q": query}).text
    return f'href="/applicants/{NAMED["application_number"]}"' in page


def test_an_operator_finds_an_applicant_by_the_beginnings_of_names(
    console: Console, operator_client: TestClient
) -> None:
    with console.state.engine.begin() as conn:
        upsert_applicants(conn, applicants_frame([NAMED]), NOW)
    for query in ("vander", "VANDERBERG", "marie-c", "ori", "laf", "mar van", "van  mar"):
        assert found(operator_client, query), query
    # Each word begins a name: neither the middle of one, nor a pattern, nor a word of no name.
    for query in ("anderberg", "claude", "v_nder", "van%", "mar zzz", "vanderbergs"):
        assert not found(operator_client, query), query


def test_a_school_finds_its_students_by_the_beginnings_of_their_names(
    console: Console, clerk_client: TestClient
) -> None:
    s = table(StudentRecord)
    query = select(s.c.application_number, s.c.first_name, s.c.surname).where(
        s.c.mident == "885827", s.c.match_status == "matched"
    )
    with console.state.engine.connect() as conn:
        students = conn.execute(query.order_by(s.c.id)).all()
    number, first, surname = next(row for row in students if (row[1] + row[2]).isascii())
    page = clerk_client.get("/applicants", params={"q": f"{surname[:3]} {first[:2]}"}).text
    assert f'href="/applicants/{number}"' in page
    page = clerk_client.get("/applicants", params={"q": f"{surname[1:]} {first[:2]}"}).text
    assert f'href="/applicants/{number}"' not in page


def add_changes(engine: Engine, number: str, transmission: int, count: int) -> None:
    """`count` updates of one course of the applicant, one a minute after NOW, the mark rising."""
    rows = [
        {
            "application_number": number,
            "course_code": "ENG4U",
            "completion_date": "202606",
            "delivery_type": "C",
            "action": "update",
            "old_values": f'{{"mark": "{index:03d}"}}',
            "new_values": f'{{"mark": "{index + 1:03d}"}}',
            "transmission_id": transmission,
            "changed_at": NOW + timedelta(minutes=index),
        }
        for index in range(count)
    ]
    with engine.begin() as conn:
        conn.execute(insert(table(CourseChange)), rows)


def marks_shown(html: str) -> list[int]:
    """The new mark of each listed update, in the order of the page."""
    return [int(m) for m in re.findall(r"→ ([0-9]{3})</td>", html)]


def pages_of_history(client: TestClient, number: str) -> list[str]:
    """Every page of the applicant's change history, following the link to older changes."""
    return every_page(client, f"/applicants/{number}", OLDER)


def test_a_long_change_history_is_read_a_page_at_a_time_newest_first(
    console: Console, operator_client: TestClient, clerk_client: TestClient
) -> None:
    engine = console.state.engine
    number = applicant_only_of(engine, "885827", [])
    with engine.connect() as conn:
        h = table(CourseChange)
        earlier = conn.execute(select(h.c.id).where(h.c.application_number == number)).all()
    added = 2 * LISTED_CHANGES + 7
    add_changes(engine, number, transmission_id(engine, "885827"), added)
    for client in (operator_client, clerk_client):
        pages = pages_of_history(client, number)
        assert [len(cells(page, "changes")) for page in pages[:-1]] == [LISTED_CHANGES] * 2
        assert len(cells(pages[-1], "changes")) == added + len(earlier) - 2 * LISTED_CHANGES
        marks = [mark for page in pages for mark in marks_shown(page)]
        assert marks == list(range(added, 0, -1))
        assert "Newest changes" not in pages[0] and "Newest changes" in pages[1]


def test_a_change_page_before_a_change_of_another_school_shows_none_of_it(
    console: Console, operator_client: TestClient, clerk_client: TestClient
) -> None:
    engine = console.state.engine
    number = applicant_only_of(engine, "885827", [])
    add_changes(engine, number, transmission_id(engine, "871234"), 3)
    operators = operator_client.get(f"/applicants/{number}").text
    assert marks_shown(operators)[:3] == [3, 2, 1]
    schools = clerk_client.get(f"/applicants/{number}?before=999999999").text
    assert marks_shown(schools) == [] and cells(schools, "changes")
    for odd in ("-1", "abc", "9" * 40):
        assert clerk_client.get(f"/applicants/{number}?before={odd}").status_code == 200
