"""Operators' decisions as the queue reads them: an unlink returns a student to the queue until
a later link takes it back."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from pipeline.operator_decisions import returned
from pipeline.store.review import DECISIONS_SCHEMA

WHEN = datetime(2026, 12, 1, tzinfo=UTC)


def decisions(*rows: tuple[int, str, str, str]) -> pl.DataFrame:
    """(id, student number, action, application number) of school 885827, oldest first."""
    return pl.DataFrame(
        [(i, "885827", number, action, app, "ana", WHEN, "why") for i, number, action, app in rows],
        schema=DECISIONS_SCHEMA,
        orient="row",
    )


def test_an_unlink_returns_the_student_until_a_later_link() -> None:
    made = decisions(
        (1, "1", "accept", "A1"), (2, "1", "unlink", "A1"),  # returned
        (3, "2", "unlink", "A2"), (4, "2", "link", "A3"),  # linked again
        (5, "3", "reject", "A4"),  # never linked: nothing to return
    )  # fmt: skip
    assert returned(made)["student_number"].to_list() == ["1"]
    assert returned(decisions()).is_empty()
