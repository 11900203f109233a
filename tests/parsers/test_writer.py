"""The writer formats a column of records exactly as it formats each record alone."""

from __future__ import annotations

import polars as pl
import pytest

from parsers.fixed_width import parse
from parsers.layout import RECORD_LENGTH, default_layout
from parsers.writer import format_file, format_record, format_records, record_text

GRADES = [
    {"mident": "885827", "student_number": "A1", "course_code": "ENG4U", "mark": "87"},
    {"mident": "885827", "student_number": "A1", "course_code": "MHF4U", "mark": ""},
    {"mident": "885827", "student_number": "B22", "course_title": "Français — 12e année"},
]


def test_a_column_of_records_is_each_record_formatted_alone() -> None:
    names = [spec.name for spec in default_layout().fields_of("G1")]
    frame = pl.DataFrame(
        {
            name: ["G1" if name == "record_type" else row.get(name, "") for row in GRADES]
            for name in names
        }
    )
    texts = frame.select(record_text("G1"))["text"].to_list()
    assert texts == [format_record("G1", row) for row in GRADES]
    assert texts == format_records("G1", GRADES)
    assert all(len(text) == RECORD_LENGTH for text in texts)


def test_numbers_are_zero_padded_blank_stays_blank_and_long_values_are_cut() -> None:
    line = format_record("G1", {"credit_value": "50", "mark": "87", "course_code": "ENG4UXYZ"})
    specs = {spec.name: spec for spec in default_layout().fields_of("G1")}
    credit, mark, code = specs["credit_value"], specs["mark"], specs["course_code"]
    assert line[credit.start - 1 : credit.end] == "0050"
    assert line[mark.start - 1 : mark.end] == "87 "
    assert line[code.start - 1 : code.end] == "ENG4UX"
    blank = format_record("G1", {"credit_value": "  "})
    assert blank[credit.start - 1 : credit.end] == "    "


def test_a_file_keeps_its_records_in_order_whatever_their_types() -> None:
    records = [
        ("T1", {"mident": "885827", "transmission_number": "2"}),
        *(("G1", row) for row in GRADES[:1]),
        ("S1", {"mident": "885827", "student_number": "A1", "surname": "Tremblay"}),
        *(("G1", row) for row in GRADES[1:]),
        ("B1", {"mident": "885827"}),
    ]
    text = format_file(records, newline="\r\n")
    assert text.split("\r\n")[:-1] == [format_record(kind, row) for kind, row in records]
    parsed = parse(text.encode("utf-8"))
    assert parsed.lines["line"].to_list() == [1, 2, 3, 4, 5, 6]


def test_an_unknown_field_is_refused() -> None:
    with pytest.raises(KeyError, match="G1 has no field"):
        format_records("G1", [GRADES[0], {"nickname": "x"}])
