"""G014 on every kind of notes field, against a plain reading of the rule."""

from __future__ import annotations

import polars as pl
from hypothesis import given
from hypothesis import strategies as st

from rules.codes import allowed
from rules.grades import _notes_rule

CODES = allowed("G1", "notes")


def reference(notes: str) -> bool:
    """Blank, or known one-letter codes from the first column, none of them twice."""
    if notes == "":
        return True
    return all(letter in CODES for letter in notes) and len(set(notes)) == len(notes)


def judged(values: list[str]) -> list[bool]:
    frame = pl.DataFrame({"notes": values}, schema={"notes": pl.Utf8})
    return frame.select(_notes_rule().valid.fill_null(True))["notes"].to_list()


def test_examples() -> None:
    valid = ["", "A", "AM", "CSE", "FT", "AMEJP"]
    invalid = ["CC", "AMA", " A", "Z", "a", "ACA", "SS", "A C"]
    assert judged(valid) == [True] * len(valid)
    assert judged(invalid) == [False] * len(invalid)


@given(st.lists(st.text(alphabet=[*CODES, " ", "Z", "a", "."], max_size=5), max_size=50))
def test_agrees_with_the_plain_reading(values: list[str]) -> None:
    # The parser trims trailing blanks from alphanumeric fields, so values never end in one.
    values = [value.rstrip(" ") for value in values]
    assert judged(values) == [reference(value) for value in values]
