"""`ost review list --json` writes exactly the indented JSON of the standard library."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from pipeline.review import Candidate, QueueItem
from pipeline.review_cli import queue_json


def _item(number: int, candidates: list[Candidate]) -> QueueItem:
    return QueueItem(
        id=number,
        mident="885827",
        student_number=f'Zoë "{number}" \\ é\t',
        code="A009",
        waiting_since=datetime(2026, 10, 2, 14, number % 60, tzinfo=UTC),
        candidates=candidates,
    )


def test_queue_json_is_the_standard_indented_json() -> None:
    items = [
        _item(1, [Candidate("2026-1", 12.3), Candidate("2026-2", None), Candidate("x", -0.1)]),
        _item(2, []),
        _item(
            3, [Candidate("2026-3", 1e-7), Candidate("2026-4", 3.0), Candidate("ü", float("nan"))]
        ),
    ]
    expected = json.dumps([i.as_json() for i in items], ensure_ascii=False, indent=2)
    assert queue_json(items) == expected
    assert queue_json([]) == json.dumps([], indent=2)
