"""G021 and G022 on the attempts of one course: ties, symbols, deletions, several students."""

from __future__ import annotations

import polars as pl
import pytest

from rules.attempts import delivery_types_differ, repeat_on_higher_mark

# (owner_line, course_code, completion_date, delivery_type, course_status, mark)
Attempt = tuple[int, str, str, str, str, str]


def owned(*attempts: Attempt) -> pl.DataFrame:
    names = ["owner_line", "course_code", "completion_date", "delivery_type", "course_status"]
    frame = pl.DataFrame(
        [list(attempt) for attempt in attempts], schema=[*names, "mark"], orient="row"
    )
    return frame.with_columns(
        pl.int_range(10, 10 + frame.height).cast(pl.UInt32).alias("line"),
        pl.col("owner_line").cast(pl.UInt32),
    )


def flagged(findings: pl.DataFrame) -> list[tuple[int, str, str]]:
    return sorted(findings.select("line", "value", "expected").rows())


def test_g022_flags_r_above_the_counted_mark() -> None:
    findings = repeat_on_higher_mark(
        owned((2, "MHF4U", "202506", "D", "R", "078"), (2, "MHF4U", "202606", "D", "", "052"))
    )
    assert flagged(findings) == [(10, "078", "052")]
    assert findings["code"].to_list() == ["G022"]


@pytest.mark.parametrize(
    ("repeated", "counted"),
    [
        ("052", "078"),  # R on the lower mark: right
        ("065", "065"),  # a tie: either attempt may carry the R
        ("EQV", "052"),  # a symbol does not compare
        ("078", "ALT"),
        ("078", "N/A"),
        ("078", ""),
        ("078", "I"),
    ],
)
def test_g022_says_nothing_when_the_marks_do_not_show_a_mistake(
    repeated: str, counted: str
) -> None:
    attempts = owned(
        (2, "MHF4U", "202506", "D", "R", repeated), (2, "MHF4U", "202606", "D", "", counted)
    )
    assert repeat_on_higher_mark(attempts).is_empty()


def test_g022_compares_with_counted_attempts_only() -> None:
    """Two repeats below the counted attempt are right, whatever their order between them."""
    attempts = owned(
        (2, "MHF4U", "202406", "D", "R", "040"),
        (2, "MHF4U", "202506", "D", "R", "045"),
        (2, "MHF4U", "202606", "D", "", "070"),
        (2, "MHF4U", "202606", "N", "W", "020"),  # withdrawn: not the attempt counted
        (2, "MHF4U", "202306", "D", "D", "010"),  # deleted: not an attempt
    )
    assert repeat_on_higher_mark(attempts).is_empty()


def test_g022_keeps_students_and_courses_apart() -> None:
    attempts = owned(
        (2, "MHF4U", "202506", "D", "R", "078"),
        (7, "MHF4U", "202606", "D", "", "052"),  # another student
        (2, "MCV4U", "202606", "D", "", "052"),  # another course
    )
    assert repeat_on_higher_mark(attempts).is_empty()


def test_g022_with_several_counted_attempts_compares_the_lowest() -> None:
    attempts = owned(
        (2, "MHF4U", "202406", "D", "", "080"),
        (2, "MHF4U", "202506", "D", "R", "070"),
        (2, "MHF4U", "202606", "D", "", "060"),
    )
    assert flagged(repeat_on_higher_mark(attempts)) == [(11, "070", "060")]


def test_g021_names_the_other_delivery_types() -> None:
    findings = delivery_types_differ(
        owned(
            (2, "ENG4U", "202606", "D", "", "080"),
            (2, "ENG4U", "202606", "N", "", "081"),
            (2, "ENG4U", "202606", "S", "", "082"),
            (2, "ENG4U", "202601", "O", "", "083"),  # another completion date
            (7, "ENG4U", "202606", "O", "", "084"),  # another student
        )
    )
    assert flagged(findings) == [(10, "D", "N, S"), (11, "N", "D, S"), (12, "S", "D, N")]


def test_g021_ignores_the_record_that_deletes_the_mistake() -> None:
    attempts = owned((2, "ENG4U", "202606", "D", "", "080"), (2, "ENG4U", "202606", "N", "D", ""))
    assert delivery_types_differ(attempts).is_empty()


def test_g021_same_delivery_type_twice_is_g015_not_g021() -> None:
    attempts = owned((2, "ENG4U", "202606", "D", "", "080"), (2, "ENG4U", "202606", "D", "", "081"))
    assert delivery_types_differ(attempts).is_empty()
