"""The queue's plan on PostgreSQL before any statistics exist (a database just loaded): each held
student's latest decision is found through the index on its record id, never by reading the
decision table backwards by id until one turns up."""

from __future__ import annotations

import polars as pl
import pytest
from sqlalchemy import func, text

from bench.review_queue import fill
from pipeline.database import open_database
from pipeline.review import review_queue
from pipeline.store.review import DECISIONS_SCHEMA, _queue_rows, _with_decisions
from tests.postgres import fresh_database


@pytest.mark.postgres
def test_the_queue_reads_decisions_by_record_without_statistics() -> None:
    with fresh_database() as url:
        fill(url, 200, 20_000)
        engine = open_database(url)
        try:
            rows = _queue_rows(None, None, pl.DataFrame(schema=DECISIONS_SCHEMA), None)
            counted = rows.add_columns(func.count().over().label("total"))
            for window in (counted, counted.limit(100)):
                sql = _with_decisions(window).compile(
                    engine, compile_kwargs={"literal_binds": True}
                )
                with engine.connect() as conn:
                    plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
                assert "ix_matchdecision_student_record_id" in plan
                assert "Backward" not in plan
            assert len(review_queue(engine)) == 200
        finally:
            engine.dispose()
