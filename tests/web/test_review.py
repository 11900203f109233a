"""The review queue in the console (operators): held students beside their candidates,
accepted, rejected, linked and unlinked with a reason, through the functions of `ost review`."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from pipeline.applicants import upsert_applicants
from pipeline.ingest import Received, ingest_bytes, sha256_of
from pipeline.models import ReviewDecision
from pipeline.review import review_queue
from pipeline.store import table
from pipeline.web.routes.review import QUEUE_PAGE
from tests.pipeline.builders import Student, applicant, applicants_frame, grade, transmission
from tests.web.conftest import (
    HELD_APPLICANT,
    HELD_SCHOOL,
    HELD_STUDENT,
    NOW,
    Console,
    load_pool,
    token,
)
from tests.web.ids import held_record_id
from tests.web.test_pages import cells

HELD_NUMBER = HELD_APPLICANT["application_number"]


def decide(client: TestClient, path: str, **data: str) -> object:
    return client.post(path, data={"csrf_token": token(client, "/review"), **data})


def test_the_queue_lists_the_held_student_with_its_candidates(
    console: Console, operator_client: TestClient
) -> None:
    page = operator_client.get("/review").text
    [row] = cells(page, "queue")
    assert row[1:4] == [HELD_SCHOOL, HELD_STUDENT.number, "A009"]
    assert HELD_NUMBER in row[5]
    assert "Nothing to show" in operator_client.get("/review?code=A002").text
    assert "Nothing to show" in operator_client.get("/review?mident=885827").text


def test_the_case_shows_both_sides_with_the_differences_marked(
    console: Console, operator_client: TestClient
) -> None:
    record_id = held_record_id(console.state.engine)
    page = operator_client.get(f"/review/{record_id}").text
    section = page.split(f'id="candidate-{HELD_NUMBER}"', 1)[1].split("</section>", 1)[0]
    rows = re.findall(r"<tr( class=\"differs\")?>\s*<th scope=\"row\">([^<]+)</th>", section)
    differing = {name for marked, name in rows if marked}
    assert {"OEN", "Birth date"} <= differing
    assert "Surname" not in differing and "surname" not in differing
    assert "2008-06-12" in section and "2008-05-21" in section


def test_accept_merges_the_held_courses_and_shows_them_on_the_applicant(
    console: Console, operator_client: TestClient
) -> None:
    record_id = held_record_id(console.state.engine)
    response = decide(
        operator_client,
        f"/review/{record_id}/accept",
        applicant=HELD_NUMBER,
        reason="confirmed with the school",
    )
    assert response.url.path == f"/applicants/{HELD_NUMBER}"  # type: ignore[attr-defined]
    courses = cells(response.text, "courses")  # type: ignore[attr-defined]
    assert [row[0] for row in courses] == ["ENG4U"]
    assert review_queue(console.state.engine) == []
    decisions = table(ReviewDecision)
    with console.state.engine.connect() as conn:
        [row] = conn.execute(
            select(decisions.c.action, decisions.c.decided_by, decisions.c.reason)
        ).all()
    assert tuple(row) == ("accept", "ops", "confirmed with the school")


def test_reject_never_proposes_that_candidate_again(
    console: Console, operator_client: TestClient
) -> None:
    record_id = held_record_id(console.state.engine)
    response = decide(
        operator_client, f"/review/{record_id}/reject", applicant=HELD_NUMBER, reason="not her"
    )
    assert response.url.path == "/review"  # type: ignore[attr-defined]
    proposed = [
        c.application_number for i in review_queue(console.state.engine) for c in i.candidates
    ]
    assert HELD_NUMBER not in proposed
    assert cells(operator_client.get(f"/applicants/{HELD_NUMBER}").text, "courses") == []


def test_a_decision_without_a_reason_is_refused_and_changes_nothing(
    console: Console, operator_client: TestClient
) -> None:
    record_id = held_record_id(console.state.engine)
    response = decide(
        operator_client, f"/review/{record_id}/accept", applicant=HELD_NUMBER, reason=" "
    )
    assert response.status_code == 400  # type: ignore[attr-defined]
    assert 'id="refused"' in response.text  # type: ignore[attr-defined]
    assert len(review_queue(console.state.engine)) == 1


def test_link_then_unlink_a_student(console: Console, operator_client: TestClient) -> None:
    student = {"mident": HELD_SCHOOL, "student_number": HELD_STUDENT.number}
    linked = decide(
        operator_client, "/review/link", applicant=HELD_NUMBER, reason="phone call", **student
    )
    assert linked.url.path == f"/applicants/{HELD_NUMBER}"  # type: ignore[attr-defined]
    assert review_queue(console.state.engine) == []
    unlinked = decide(operator_client, "/review/unlink", reason="wrong person", **student)
    assert unlinked.url.path == "/review"  # type: ignore[attr-defined]
    assert [i.student_number for i in review_queue(console.state.engine)] == [
        student["student_number"]
    ]
    assert cells(operator_client.get(f"/applicants/{HELD_NUMBER}").text, "courses") == []
    refused = decide(operator_client, "/review/unlink", reason="again", **student)
    assert refused.status_code == 400  # type: ignore[attr-defined]


def test_schools_have_no_review_queue(console: Console, clerk_client: TestClient) -> None:
    assert clerk_client.get("/review").status_code == 404
    record_id = held_record_id(console.state.engine)
    assert clerk_client.get(f"/review/{record_id}").status_code == 404
    assert "/review" not in clerk_client.get("/upload").text


FIRST_NAMES = ("Amélie", "Benoît", "Chloé", "Dominique", "Éloïse", "Félix", "Gabrielle", "Hugo")
SURNAMES = ("Arsenault", "Boudreau", "Cormier", "Doucet", "Gallant", "Haché", "LeBlanc", "Savoie")


def held_crowd(console: Console, count: int) -> None:
    """`count` more students held for review at one school: each has an applicant of the same
    name and school, with another OEN and birth date (as the held student of the samples)."""
    names = [(f, f"{s}-{n}") for n in range(count) for f in FIRST_NAMES for s in SURNAMES]
    people = names[:count]
    applicants = [
        applicant(
            f"2026-97{i:04d}",
            first,
            last,
            date(2008, 1, 1) + timedelta(days=i),
            f"{500000000 + i * 7:09d}",
            school_midents="880012",
        )
        for i, (first, last) in enumerate(people)
    ]
    students = [
        Student(
            f"88{i:05d}",
            last.upper(),
            first.upper(),
            f"{2007}{(i % 12) + 1:02d}15",
            f"{400000000 + i * 13:09d}",
            [grade("ENG4U", "202606", "F", "081")],
        )
        for i, (first, last) in enumerate(people)
    ]
    engine = console.state.engine
    with engine.begin() as conn:
        upsert_applicants(conn, applicants_frame(applicants), NOW)
    name, raw = transmission(students, mident="880012", number="7", created="20261126093000")
    context = replace(console.state.ingest_context(), clock=lambda: NOW)
    ingest_bytes(context, Received(name, raw, len(raw), sha256_of(raw)), load_pool(engine))


def test_a_long_queue_is_read_a_page_at_a_time_the_longest_waiting_first(
    console: Console, operator_client: TestClient
) -> None:
    held_crowd(console, QUEUE_PAGE + 20)
    total = len(review_queue(console.state.engine))
    assert total > QUEUE_PAGE
    first = operator_client.get("/review").text
    assert f"Held students 1 to {QUEUE_PAGE} of {total}" in first
    assert 'id="queue-earlier"' not in first
    later = re.search(r'id="queue-later" href="([^"]+)"', first)
    assert later
    second = operator_client.get(later.group(1).replace("&amp;", "&")).text
    assert f"Held students {QUEUE_PAGE + 1} to {total} of {total}" in second
    assert 'id="queue-later"' not in second and 'id="queue-earlier"' in second
    shown = [row[0] for row in cells(first, "queue") + cells(second, "queue")]
    assert shown == [str(item.id) for item in review_queue(console.state.engine)]
    assert cells(first, "queue")[0][1] == HELD_SCHOOL  # the samples' student waits longest
    for odd in ("-5", "x", "9" * 30):
        assert operator_client.get(f"/review?start={odd}").status_code == 200
    filtered = operator_client.get("/review?mident=880012").text
    assert "Held students 1 to 100 of" in filtered and "mident=880012" in filtered


def test_a_case_is_found_among_many_held_students(
    console: Console, operator_client: TestClient
) -> None:
    held_crowd(console, 3)
    for item in review_queue(console.state.engine):
        page = operator_client.get(f"/review/{item.id}").text
        assert item.student_number in page
    assert operator_client.get("/review/999999").status_code == 404
