"""The upload history at length: a page of the newest transmissions at a time, the filters
kept from page to page, and no school's page showing another's."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from pipeline.store import add_transmission
from pipeline.web.routes.history import LISTED_ROWS
from tests.web.conftest import NOW, Console
from tests.web.test_pages import cells, every_page

OLDER = re.compile(r'id="history-older" href="([^"]+)"')


def add_rejected_files(engine: Engine, mident: str, count: int) -> None:
    """`count` rejected files of one school, received a minute apart after NOW."""
    with engine.begin() as conn:
        for index in range(count):
            add_transmission(
                conn,
                {
                    "file_name": f"S{mident}.C{index % 9 + 1}",
                    "sha256": f"{index:064d}",
                    "size": 100,
                    "mident": mident,
                    "transmission_number": str(index % 9 + 1),
                    "created_at": NOW,
                    "received_at": NOW + timedelta(minutes=index),
                    "status": "rejected",
                },
            )


def all_pages(client: TestClient, first: str) -> list[str]:
    return every_page(client, first, OLDER)


def test_a_long_history_is_read_a_page_at_a_time_newest_first(
    console: Console, operator_client: TestClient, clerk_client: TestClient
) -> None:
    before = len(cells(operator_client.get("/history").text, "history"))
    own_before = len(cells(clerk_client.get("/history").text, "history"))
    add_rejected_files(console.state.engine, "885827", LISTED_ROWS + 30)
    add_rejected_files(console.state.engine, "871234", 40)
    pages = all_pages(operator_client, "/history")
    ids = [int(row[0]) for page in pages for row in cells(page, "history")]
    assert [len(cells(page, "history")) for page in pages[:-1]] == [LISTED_ROWS]
    assert len(ids) == before + LISTED_ROWS + 70 and ids == sorted(ids, reverse=True)
    assert "history-newest" not in pages[0] and "history-newest" in pages[1]
    own = all_pages(clerk_client, "/history")
    schools = {row[2] for page in own for row in cells(page, "history")}
    assert schools == {"885827"}
    assert sum(len(cells(page, "history")) for page in own) == own_before + LISTED_ROWS + 30


def test_the_filters_are_kept_from_page_to_page(
    console: Console, operator_client: TestClient
) -> None:
    add_rejected_files(console.state.engine, "871234", LISTED_ROWS + 5)
    first = operator_client.get("/history?status=rejected&school=871234").text
    link = OLDER.search(first)
    assert link and "status=rejected" in link.group(1) and "school=871234" in link.group(1)
    pages = all_pages(operator_client, "/history?status=rejected&school=871234")
    rows = [row for page in pages for row in cells(page, "history")]
    assert len(rows) == LISTED_ROWS + 5
    assert {row[2] for row in rows} == {"871234"}
    for odd in ("-1", "x", "9" * 40):
        assert operator_client.get(f"/history?before={odd}").status_code == 200
