"""The queue's plan on PostgreSQL, before any statistics exist (a database just loaded) and after
a batch has refreshed them: the held students' latest decisions are read in one pass over the
decision table or its index on the record id, never once per student, nor backwards by id
until one turns up. A page of the queue reads the latest records of its own students only, and on
SQLite (which plans without statistics) the held records come from their own index alone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import Engine, event

from bench.review_queue import fill
from pipeline.database import open_database
from pipeline.review import review_queue, review_queue_page
from pipeline.store import refresh_statistics
from pipeline.store.review import DECISIONS_SCHEMA, latest_decisions, queue_rows
from tests.postgres import fresh_database


@pytest.mark.postgres
def test_the_queue_reads_decisions_by_record_with_and_without_statistics() -> None:
    with fresh_database() as url:
        fill(url, 200, 20_000, statistics=False)
        engine = open_database(url)
        try:
            with engine.connect() as conn:
                held, _ = queue_rows(conn, None, None, pl.DataFrame(schema=DECISIONS_SCHEMA))
            ids = held["id"].to_list()
            assert len(ids) == 200
            for analyzed in (False, True):
                if analyzed:
                    refresh_statistics(engine)
                with engine.connect() as conn:
                    compiled = latest_decisions(conn, ids).compile(conn)
                    explain = f"EXPLAIN (ANALYZE, COSTS OFF) {compiled}"
                    plan = [row[0] for row in conn.exec_driver_sql(explain, compiled.params)]
                reads = [line for line in plan if " on matchdecision" in line]
                assert reads, plan
                assert all("loops=1)" in line for line in reads), plan
                assert not any("Backward" in line for line in plan), plan
            queue = review_queue(engine)
            assert len(queue) == 200
            assert {item.code for item in queue} == {"A009"}
        finally:
            engine.dispose()


HELD_INDEX = "ix_studentrecord_held_students"


@contextmanager
def statements(engine: Engine) -> Iterator[list[tuple[str, Any]]]:
    """The statements (with their parameters) run on `engine` meanwhile."""
    seen: list[tuple[str, Any]] = []

    def note(_conn: object, _cursor: object, sql: str, params: object, *_: object) -> None:
        seen.append((sql, params))

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _page_query(engine: Engine) -> tuple[str, Any]:
    """The statement that reads the first page of the queue (the one grouping the held)."""
    with statements(engine) as seen:
        page = review_queue_page(engine, limit=50)
    assert len(page.items) == 50
    return next((sql, params) for sql, params in seen if "GROUP BY" in sql)


def test_the_held_records_are_read_from_their_own_index_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ost.sqlite3'}"
    fill(url, 200, 2_000)
    engine = open_database(url)
    try:
        sql, params = _page_query(engine)
        with engine.connect() as conn:
            plan = [
                str(row[-1]) for row in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            ]
    finally:
        engine.dispose()
    reads = [line for line in plan if "studentrecord" in line.lower()]
    assert any(f"COVERING INDEX {HELD_INDEX}" in line for line in reads), plan
    assert not any(line.startswith("SCAN studentrecord") for line in reads), plan


@pytest.mark.postgres
def test_a_page_reads_the_latest_records_of_its_own_students_on_postgresql() -> None:
    with fresh_database() as url:
        fill(url, 200, 20_000)
        engine = open_database(url)
        try:
            sql, params = _page_query(engine)
            with engine.connect() as conn:
                explain = f"EXPLAIN (ANALYZE, COSTS OFF) {sql}"
                plan = [row[0] for row in conn.exec_driver_sql(explain, params)]
        finally:
            engine.dispose()
    latest = [line for line in plan if "on studentrecord latest" in line]
    assert latest, plan
    for line in latest:  # rows a loop, times the loops: the page's 50 students at most
        rows, loops = (int(n) for n in re.findall(r"rows=(\d+) loops=(\d+)", line)[0])
        assert rows * loops <= 50, plan
