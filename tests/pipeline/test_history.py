"""`ost history`: the period of a transmission is the school's month, not the UTC one."""

from __future__ import annotations

import pytest

from pipeline.ingest import IngestContext
from pipeline.store.transmissions import history
from tests.pipeline.builders import Student, transmission
from tests.pipeline.test_merge import ingest


@pytest.mark.parametrize(
    ("created", "period"),
    [
        ("20261031220000", "2026-10"),  # 02:00 on 1 November in UTC (daylight saving time)
        ("20261101003000", "2026-11"),
        ("20260131230000", "2026-01"),  # 04:00 on 1 February in UTC (standard time)
    ],
)
def test_period_is_the_month_the_school_created_the_file(
    ingest_ctx: IngestContext, created: str, period: str
) -> None:
    student = Student("4471002", "GAGNON", "EMILIE", "20080521")
    ingest(ingest_ctx, transmission([student], created=created))
    with ingest_ctx.engine.connect() as conn:
        rows = history(conn)
    assert rows["period"].to_list() == [period]
