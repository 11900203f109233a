"""Bytes -> frames (docs/format.md): encodings, line endings, blank and short lines, and the
layout."""

from __future__ import annotations

import string
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from parsers.fixed_width import ParsedFile, parse
from parsers.layout import RECORD_LENGTH, default_layout
from parsers.writer import format_file, format_record

EXAMPLE_FILE = Path(__file__).parents[1] / "data" / "example_s885827_c2" / "S885827.C2"

HEADER = {
    "mident": "885827",
    "centre": "C",
    "transmission_number": "1",
    "creation_date": "20261115",
    "creation_time": "093000",
    "contact_name": "Guidance Office",
    "contact_phone": "4165550100",
    "contact_email": "guidance@school.example.ca",
    "layout_version": "2026",
}
STUDENT = {
    "mident": "885827",
    "student_number": "4471002",
    "oen": "345678912",
    "surname": "GAGNON-BÉLANGER",
    "first_name": "HÉLÈNE",
    "middle_name": "FRANÇOISE",
    "birth_date": "20080521",
    "gender": "F",
    "home_school": "Y",
    "postal_code": "M5V2T6",
    "phone": "4165550199",
    "citizenship": "CAN",
    "first_language": "F",
    "community_involvement": "1",
    "literacy_requirement": "1",
    "grad_status": "N",
}
GRADE = {
    "mident": "885827",
    "student_number": "4471002",
    "course_code": "FEF4U",
    "completion_date": "202606",
    "grade_type": "F",
    "mark": "091",
    "credit_value": "0100",
    "delivery_type": "D",
    "course_type": "R",
    "course_mident": "000000",
    "language": "F",
    "course_title": "Français",
}
TRAILER = {"mident": "885827", "student_count": "1", "grade_count": "1", "record_count": "4"}


@pytest.fixture
def ost_lines_clean() -> list[str]:
    """A header, one student with one grade, and the trailer, each 200 characters."""
    return [
        format_record("T1", HEADER),
        format_record("S1", STUDENT),
        format_record("G1", GRADE),
        format_record("B1", TRAILER),
    ]


@pytest.fixture
def ost_text_clean(ost_lines_clean: list[str]) -> str:
    return "".join(line + "\n" for line in ost_lines_clean)


def field_values(parsed: ParsedFile, record_type: str) -> dict[str, Any]:
    """The first record of a type as a plain dictionary (`line` and every field)."""
    return parsed.of(record_type).row(0, named=True)


def blanks_as_empty(values: Mapping[str, object]) -> dict[str, object]:
    """Blank numeric fields compare equal whether padded with blanks or cut off."""
    return {
        name: "" if isinstance(value, str) and not value.strip() else value
        for name, value in values.items()
    }


# --- encodings ---------------------------------------------------------------------------------


def test_utf8_file_reads_accented_names(ost_text_clean: str) -> None:
    parsed = parse(ost_text_clean.encode("utf-8"))
    assert parsed.encoding == "utf-8"
    student = field_values(parsed, "S1")
    assert (student["surname"], student["first_name"]) == ("GAGNON-BÉLANGER", "HÉLÈNE")
    assert student["middle_name"] == "FRANÇOISE"


def test_cp1252_file_reads_accented_names(ost_text_clean: str) -> None:
    parsed = parse(ost_text_clean.encode("cp1252"))
    assert parsed.encoding == "cp1252"
    assert field_values(parsed, "S1")["surname"] == "GAGNON-BÉLANGER"
    assert field_values(parsed, "G1")["course_title"] == "Français"


def test_positions_count_characters_not_bytes(ost_text_clean: str) -> None:
    # docs/format.md: "É" is two bytes in UTF-8 but one position; the fields after it stay in place.
    for encoding in ("utf-8", "cp1252"):
        student = field_values(parse(ost_text_clean.encode(encoding)), "S1")
        assert student["birth_date"] == "20080521"
        assert student["citizenship"] == "CAN"


def test_utf8_byte_order_mark_is_ignored(ost_text_clean: str) -> None:
    parsed = parse(b"\xef\xbb\xbf" + ost_text_clean.encode("utf-8"))
    assert parsed.encoding == "utf-8"
    assert parsed.lines["record_type"].to_list() == ["T1", "S1", "G1", "B1"]
    assert field_values(parsed, "T1")["mident"] == "885827"


def test_nul_bytes_are_not_text(ost_text_clean: str) -> None:
    raw = ost_text_clean.encode("utf-8").replace(b"Guidance", b"Guid\x00nce")
    parsed = parse(raw)
    assert not parsed.is_text
    assert parsed.encoding is None
    assert parsed.lines.is_empty()


def test_bytes_undecodable_in_both_encodings_are_not_text() -> None:
    # 0x81 is invalid UTF-8 on its own and unassigned in Windows-1252.
    parsed = parse(b"T1885827C1\x81\n")
    assert not parsed.is_text
    assert parsed.lines.is_empty()


@pytest.mark.parametrize(("encoding", "read_as"), [("utf-8", "utf-8"), ("cp1252", "cp1252")])
def test_valid_utf8_is_preferred_to_cp1252(encoding: str, read_as: str) -> None:
    parsed = parse(format_record("S1", STUDENT).encode(encoding))
    assert parsed.encoding == read_as
    assert field_values(parsed, "S1")["first_name"] == "HÉLÈNE"


def test_cp1252_punctuation_is_read() -> None:
    # Curly apostrophes and dashes are common in names typed on Windows.
    line = format_record("S1", {**STUDENT, "surname": "O’NEIL–ROY"})
    parsed = parse(line.encode("cp1252"))
    assert parsed.encoding == "cp1252"
    assert field_values(parsed, "S1")["surname"] == "O’NEIL–ROY"


# --- lines -------------------------------------------------------------------------------------


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_lf_and_crlf_give_the_same_records(ost_lines_clean: list[str], newline: str) -> None:
    parsed = parse(newline.join(ost_lines_clean).encode("utf-8") + newline.encode())
    assert parsed.lines["length"].to_list() == [RECORD_LENGTH] * 4
    assert field_values(parsed, "B1")["record_count"] == "00000004"
    assert field_values(parsed, "T1")["layout_version"] == "2026"


def test_last_line_without_terminator_is_read(ost_lines_clean: list[str]) -> None:
    parsed = parse("\r\n".join(ost_lines_clean).encode("utf-8"))
    assert parsed.lines["line"].to_list() == [1, 2, 3, 4]
    assert field_values(parsed, "B1")["student_count"] == "000001"


def test_blank_lines_are_skipped_but_lines_keep_their_number(ost_lines_clean: list[str]) -> None:
    header, student, grade, trailer = ost_lines_clean
    text = "\n".join(["", header, "   ", student, "", "", grade, "\t", trailer, ""])
    parsed = parse(text.encode("utf-8"))
    assert parsed.lines["line"].to_list() == [2, 4, 7, 9]
    assert parsed.of("G1")["line"].to_list() == [7]
    assert parsed.of("S1")["student_number"].to_list() == ["4471002"]


def test_blank_lines_with_crlf_keep_line_numbers(ost_lines_clean: list[str]) -> None:
    text = "\r\n\r\n".join(ost_lines_clean) + "\r\n"
    parsed = parse(text.encode("utf-8"))
    assert parsed.lines["line"].to_list() == [1, 3, 5, 7]
    assert parsed.lines["length"].to_list() == [RECORD_LENGTH] * 4


def test_empty_input_has_no_lines() -> None:
    parsed = parse(b"")
    assert parsed.is_text
    assert parsed.lines.is_empty()
    assert parsed.of("G1").is_empty()


def test_only_blank_lines_have_no_lines() -> None:
    assert parse(b"\r\n   \n\n").lines.is_empty()


# --- short and long lines ----------------------------------------------------------------------


def test_trailing_blanks_trimmed_read_as_padded(ost_lines_clean: list[str]) -> None:
    trimmed = "\r\n".join(line.rstrip(" ") for line in ost_lines_clean) + "\r\n"
    padded = parse("\n".join(ost_lines_clean).encode("utf-8"))
    parsed = parse(trimmed.encode("utf-8"))
    assert parsed.lines["length"].to_list() != [RECORD_LENGTH] * 4
    for record_type in ("T1", "S1", "G1", "B1"):
        assert blanks_as_empty(field_values(parsed, record_type)) == blanks_as_empty(
            field_values(padded, record_type)
        )


def test_a_cut_off_field_is_blank(ost_lines_clean: list[str]) -> None:
    # The student line stops in the middle of the birth date (columns 100-107).
    cut = ost_lines_clean[1][:103]
    parsed = parse(cut.encode("utf-8"))
    student = field_values(parsed, "S1")
    assert student["middle_name"] == "FRANÇOISE"
    assert student["birth_date"] == "2008"
    assert student["gender"] == ""
    assert student["postal_code"] == ""
    assert student["ossd_issue_date"] == ""
    assert parsed.lines["length"].to_list() == [103]


def test_a_line_of_the_record_type_alone_has_every_field_blank() -> None:
    grade = field_values(parse(b"G1"), "G1")
    assert grade["record_type"] == "G1"
    assert {
        name: value for name, value in grade.items() if name not in ("line", "record_type")
    } == {spec.name: "" for spec in default_layout().fields_of("G1") if spec.name != "record_type"}


def test_a_long_line_reports_its_excess(ost_lines_clean: list[str]) -> None:
    lines = list(ost_lines_clean)
    lines[1] = lines[1] + "   "
    lines[2] = lines[2] + "  EXTRA"
    parsed = parse("\n".join(lines).encode("utf-8"))
    assert parsed.lines["length"].to_list() == [200, 203, 207, 200]
    assert parsed.lines["excess"].to_list() == ["", "   ", "  EXTRA", ""]
    assert field_values(parsed, "G1")["course_title"] == "Français"


def test_record_type_is_the_first_two_characters() -> None:
    parsed = parse(b"T1885827\nZ9 unknown\ng1 lower case\n")
    assert parsed.lines["record_type"].to_list() == ["T1", "Z9", "g1"]
    assert parsed.of("G1").is_empty()


# --- fields ------------------------------------------------------------------------------------


def test_every_record_type_has_a_frame_with_line_and_every_field(ost_text_clean: str) -> None:
    parsed = parse(ost_text_clean.encode("utf-8"))
    for record_type in ("T1", "S1", "G1", "B1"):
        names = [spec.name for spec in default_layout().fields_of(record_type)]
        assert parsed.of(record_type).columns == ["line", *names]
        assert parsed.of(record_type)["line"].dtype == pl.UInt32


def test_alphanumeric_fields_are_right_trimmed_numeric_fields_kept_whole(
    ost_text_clean: str,
) -> None:
    parsed = parse(ost_text_clean.encode("utf-8"))
    assert field_values(parsed, "T1")["contact_name"] == "Guidance Office"
    assert field_values(parsed, "B1")["grade_count"] == "0000001"
    assert field_values(parsed, "S1")["ossd_issue_date"] == "        "


def test_leading_blanks_of_an_alphanumeric_field_are_kept() -> None:
    line = format_record("G1", {**GRADE, "course_title": "  Indented"})
    assert field_values(parse(line.encode("utf-8")), "G1")["course_title"] == "  Indented"


# --- the shared example (its README lists the values it must parse to) -------------------------


@pytest.fixture(scope="module")
def ost_example_s885827_c2() -> ParsedFile:
    return parse(EXAMPLE_FILE.read_bytes())


def value_at(parsed: ParsedFile, line: int, record_type: str, name: str) -> str:
    rows = parsed.of(record_type).filter(pl.col("line") == line)
    assert rows.height == 1, f"no {record_type} on line {line}"
    return str(rows[name][0])


@pytest.mark.parametrize(
    ("line", "record_type", "name", "expected"),
    [
        (1, "T1", "creation_date", "20261115"),
        (1, "T1", "creation_time", "093000"),
        (1, "T1", "contact_email", "counsellor@school.example.ca"),
        (2, "S1", "student_number", "4471002"),
        (2, "S1", "first_name", "ÉMILIE"),
        (2, "S1", "middle_name", "CLAIRE"),
        (2, "S1", "oen", "345678912"),
        (3, "G1", "course_code", "FEF4U"),
        (3, "G1", "completion_date", "202606"),
        (3, "G1", "grade_type", "F"),
        (3, "G1", "mark", "091"),
        (4, "G1", "mark", ""),
        (4, "G1", "grade_type", "C"),
        (5, "G1", "delivery_type", "N"),
        (7, "G1", "course_code", "ENG4U"),
        (7, "G1", "grade_type", "P"),
        (8, "G1", "course_type", "E"),
        (8, "G1", "notes", "C"),
        (8, "G1", "course_mident", "885738"),
        (9, "G1", "credit_value", "0050"),
        (9, "G1", "supplier_mident", "880999"),
        (10, "B1", "student_count", "000002"),
        (10, "B1", "grade_count", "0000006"),
        (10, "B1", "record_count", "00000010"),
    ],
)
def test_example_file_parses_to_the_values_its_readme_lists(
    ost_example_s885827_c2: ParsedFile, line: int, record_type: str, name: str, expected: str
) -> None:
    assert value_at(ost_example_s885827_c2, line, record_type, name) == expected


def test_example_file_is_utf8_with_ten_full_records(ost_example_s885827_c2: ParsedFile) -> None:
    assert ost_example_s885827_c2.encoding == "utf-8"
    assert ost_example_s885827_c2.lines["line"].to_list() == list(range(1, 11))
    assert ost_example_s885827_c2.lines["length"].to_list() == [RECORD_LENGTH] * 10


# --- format_record then parse is the identity --------------------------------------------------

# Printable characters: letters, marks, digits, punctuation, symbols and the plain blank.
PRINTABLE = st.characters(categories=("L", "M", "N", "P", "S"), codec="utf-8") | st.just(" ")


def field_strategy(record_type: str) -> st.SearchStrategy[dict[str, str]]:
    """Arbitrary values for every field but the record type, each fitting its field."""
    fields: dict[str, st.SearchStrategy[str]] = {}
    for spec in default_layout().fields_of(record_type):
        if spec.name == "record_type":
            continue
        if spec.type == "N":
            fields[spec.name] = st.text(string.digits, min_size=1, max_size=spec.length)
        else:
            fields[spec.name] = st.text(PRINTABLE, max_size=spec.length).map(
                lambda text: text.rstrip(" ")
            )
    return st.fixed_dictionaries(fields)


def expected_values(record_type: str, values: Mapping[str, str]) -> dict[str, str]:
    """What the parser returns: A fields as given, N fields zero-padded to their width."""
    specs = {spec.name: spec for spec in default_layout().fields_of(record_type)}
    return {
        name: value.rjust(specs[name].length, "0") if specs[name].type == "N" else value
        for name, value in values.items()
    }


@pytest.mark.parametrize("record_type", ["T1", "S1", "G1", "B1"])
@given(data=st.data())
def test_format_record_then_parse_round_trips(record_type: str, data: st.DataObject) -> None:
    values = data.draw(field_strategy(record_type))
    newline = data.draw(st.sampled_from(["\n", "\r\n"]))
    text = format_file([(record_type, values)], newline=newline)
    parsed = parse(text.encode("utf-8"))
    row = field_values(parsed, record_type)
    assert row.pop("line") == 1
    assert row.pop("record_type") == record_type
    assert row == expected_values(record_type, values)


def test_blank_lines_are_never_held_while_reading() -> None:
    from parsers.fixed_width import read_text_lines

    header = format_record("T1", {"mident": "885827"})
    data = (header + "\n" + "\n  \r\n" * 500_000 + "B1885827").encode("utf-8")
    decoded = read_text_lines(data)
    assert decoded is not None
    lines, encoding = decoded
    assert encoding == "utf-8"
    assert lines["line"].to_list() == [1, 1_000_002]  # physical numbers kept, blanks never kept
