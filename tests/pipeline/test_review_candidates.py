"""The candidates of a held student, as the queue lists them: each applicant once, heaviest
first, unknown weights last, none an operator rejected."""

from __future__ import annotations

import json

import polars as pl

from pipeline.review import _candidates


def _evidence(*beaten: tuple[str, float]) -> str:
    return json.dumps(
        {
            "weight": 9.0,
            "fields": [],
            "beaten": [{"application_number": n, "weight": w} for n, w in beaten],
        }
    )


def test_each_candidate_once_heaviest_first_and_never_a_rejected_one() -> None:
    rows = pl.DataFrame(
        {
            "mident": ["885827", "885827", "885827"],
            "student_number": ["1", "2", "3"],
            "application_number": ["A", None, ""],
            "weight": [9.0, None, None],
            # B is tied (no weight of its own) and beaten too: its first mention counts.
            "candidates": ["A;B;C", "", None],
            "evidence": [_evidence(("B", 20.0), ("D", 12.5), ("E", 3.0), ("A", 1.0)), None, "{}"],
        }
    )
    rejected = pl.DataFrame(
        {
            "mident": ["885827", "885827"],
            "student_number": ["1", "2"],
            "application_number": ["D", "A"],
        }
    )
    found = _candidates(rows, rejected)
    assert found.rows() == [(0, ["A", "E", "B", "C"], [9.0, 3.0, None, None])]


def test_rows_keep_their_position() -> None:
    rows = pl.DataFrame(
        {
            "mident": ["885827"] * 3,
            "student_number": ["3", "1", "2"],
            "application_number": ["X", None, "Y"],
            "weight": [1.0, None, 2.0],
            "candidates": ["", "", "Z"],
            "evidence": [None, None, _evidence(("W", 5.0))],
        }
    )
    empty = pl.DataFrame(
        schema={"mident": pl.String, "student_number": pl.String, "application_number": pl.String}
    )
    found = _candidates(rows, empty)
    assert found.rows() == [(0, ["X"], [1.0]), (2, ["W", "Y", "Z"], [5.0, 2.0, None])]
