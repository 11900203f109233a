"""Names, dates and OENs compared after normalisation (docs/matching.md)."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from matching import dates, digits, names


def _one(expression: pl.Expr, value: object) -> object:
    return pl.DataFrame({"value": [value]}).select(expression).to_series().to_list()[0]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ÉLOÏSE  O'NEIL-SMITH", "eloise oneil smith"),
        ("  Jean-François ", "jean francois"),
        ("J.-F.", "j f"),
        ("Zoë Østergård", "zoe ostergard"),
        ("ÇA", "ca"),
        (None, ""),
    ],
)
def test_folded(raw: str | None, expected: str) -> None:
    assert _one(names.folded(pl.col("value")), raw) == expected


def test_core_words_drop_particles_but_keep_a_particle_surname() -> None:
    core = names.core_words(names.words(names.folded(pl.col("value"))))
    assert _one(core, "DE LA CRUZ") == ["cruz"]
    assert _one(core, "LE") == ["le"]


def test_initials() -> None:
    assert _one(names.initials(names.words(names.folded(pl.col("value")))), "Jean-Luc") == "jl"
    assert _one(names.initials(names.words(names.folded(pl.col("value")))), "Luc") == ""


@pytest.mark.parametrize(
    ("typed", "slip"),
    [
        (date(2007, 5, 3), "day and month swapped"),
        (date(2007, 3, 6), "one digit differs"),
        (date(2070, 3, 5), "two digits transposed"),
        (date(2007, 3, 5), None),
        (date(2006, 4, 5), None),
    ],
)
def test_date_slip(typed: date, slip: str | None) -> None:
    frame = pl.DataFrame({"student": [date(2007, 3, 5)], "applicant": [typed]})
    numbers = frame.select(dates.as_number(pl.col("student")), dates.as_number(pl.col("applicant")))
    found = dates.date_slip(numbers["student"], numbers["applicant"]).item()
    assert found == slip


@pytest.mark.parametrize(
    ("left", "right", "slipped"),
    [(123456782, 123456783, True), (123456782, 123465782, True), (123456782, 123456700, False)],
)
def test_one_slip(left: int, right: int, slipped: bool) -> None:
    frame = pl.DataFrame({"left": [left, None], "right": [right, right]})
    found = digits.one_slip(frame["left"], frame["right"], 9).to_list()
    assert found == [slipped, False]
