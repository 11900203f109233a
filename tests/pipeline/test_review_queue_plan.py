"""The queue's plan on PostgreSQL, before any statistics exist (a database just loaded) and after
a batch has refreshed them: the held students' latest decisions are read in one pass over the
decision table or its index on the record id, never once per student, nor backwards by id
until one turns up."""

from __future__ import annotations

import polars as pl
import pytest

from bench.review_queue import fill
from pipeline.database import open_database
from pipeline.review import review_queue
from pipeline.store import refresh_statistics
from pipeline.store.review import DECISIONS_SCHEMA, _queue_rows, latest_decisions
from tests.postgres import fresh_database


@pytest.mark.postgres
def test_the_queue_reads_decisions_by_record_with_and_without_statistics() -> None:
    with fresh_database() as url:
        fill(url, 200, 20_000, statistics=False)
        engine = open_database(url)
        try:
            held = _queue_rows(None, None, pl.DataFrame(schema=DECISIONS_SCHEMA), None)
            with engine.connect() as conn:
                ids = [row.id for row in conn.execute(held)]
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
