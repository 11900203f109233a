"""The layout table is that of docs/format.md: contiguous fields within 200 columns, exactly as
listed there."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.layout import (
    RECORD_LENGTH,
    Layout,
    LayoutError,
    default_layout,
    load_layout,
    merge_order,
)

# docs/format.md is the contract: (record_type, field, from, to, type), in position order.
CONTRACT_LAYOUT = [
    ("T1", "record_type", 1, 2, "A"),
    ("T1", "mident", 3, 8, "N"),
    ("T1", "centre", 9, 9, "A"),
    ("T1", "transmission_number", 10, 10, "N"),
    ("T1", "creation_date", 11, 18, "N"),
    ("T1", "creation_time", 19, 24, "N"),
    ("T1", "contact_name", 25, 54, "A"),
    ("T1", "contact_phone", 55, 64, "N"),
    ("T1", "contact_email", 65, 124, "A"),
    ("T1", "layout_version", 125, 128, "A"),
    ("S1", "record_type", 1, 2, "A"),
    ("S1", "mident", 3, 8, "N"),
    ("S1", "student_number", 9, 20, "A"),
    ("S1", "oen", 21, 29, "N"),
    ("S1", "surname", 30, 59, "A"),
    ("S1", "first_name", 60, 79, "A"),
    ("S1", "middle_name", 80, 99, "A"),
    ("S1", "birth_date", 100, 107, "N"),
    ("S1", "gender", 108, 108, "A"),
    ("S1", "home_school", 109, 109, "A"),
    ("S1", "postal_code", 110, 115, "A"),
    ("S1", "phone", 116, 125, "N"),
    ("S1", "citizenship", 126, 128, "A"),
    ("S1", "first_language", 129, 129, "A"),
    ("S1", "community_involvement", 130, 130, "A"),
    ("S1", "literacy_requirement", 131, 131, "A"),
    ("S1", "grad_status", 132, 132, "A"),
    ("S1", "ossd_issue_date", 133, 140, "N"),
    ("S1", "shsm_sector", 141, 143, "A"),
    ("G1", "record_type", 1, 2, "A"),
    ("G1", "mident", 3, 8, "N"),
    ("G1", "student_number", 9, 20, "A"),
    ("G1", "course_code", 21, 26, "A"),
    ("G1", "completion_date", 27, 32, "N"),
    ("G1", "grade_type", 33, 33, "A"),
    ("G1", "mark", 34, 36, "A"),
    ("G1", "credit_value", 37, 40, "N"),
    ("G1", "course_status", 41, 41, "A"),
    ("G1", "delivery_type", 42, 42, "A"),
    ("G1", "course_type", 43, 43, "A"),
    ("G1", "course_mident", 44, 49, "N"),
    ("G1", "language", 50, 50, "A"),
    ("G1", "notes", 51, 55, "A"),
    ("G1", "supplier_mident", 56, 61, "N"),
    ("G1", "course_title", 62, 101, "A"),
    ("B1", "record_type", 1, 2, "A"),
    ("B1", "mident", 3, 8, "N"),
    ("B1", "student_count", 9, 14, "N"),
    ("B1", "grade_count", 15, 21, "N"),
    ("B1", "record_count", 22, 29, "N"),
]
CONTRACT_RECORD_TYPES = ("T1", "S1", "G1", "B1")
CSV_HEADER = "record_type,field,start,end,type\n"


@pytest.fixture(scope="module")
def layout_packaged() -> Layout:
    return load_layout()


def test_layout_table_is_the_spec(layout_packaged: Layout) -> None:
    actual = [(f.record_type, f.name, f.start, f.end, f.type) for f in layout_packaged.fields]
    assert actual == CONTRACT_LAYOUT


def test_layout_has_the_four_record_types_in_file_order(layout_packaged: Layout) -> None:
    assert layout_packaged.record_types == CONTRACT_RECORD_TYPES


@pytest.mark.parametrize("record_type", CONTRACT_RECORD_TYPES)
def test_fields_are_contiguous_from_column_one(layout_packaged: Layout, record_type: str) -> None:
    fields = layout_packaged.fields_of(record_type)
    assert fields[0].start == 1
    assert fields[0].name == "record_type"
    for before, after in zip(fields, fields[1:], strict=False):
        assert after.start == before.end + 1, f"gap or overlap between {before} and {after}"
    assert fields[-1].end <= RECORD_LENGTH


@pytest.mark.parametrize("record_type", CONTRACT_RECORD_TYPES)
def test_field_names_are_unique_within_a_record(layout_packaged: Layout, record_type: str) -> None:
    names = [f.name for f in layout_packaged.fields_of(record_type)]
    assert len(names) == len(set(names))


def test_field_lengths_match_positions(layout_packaged: Layout) -> None:
    assert layout_packaged.field("S1", "oen").length == 9
    assert layout_packaged.field("G1", "course_title").length == 40
    assert layout_packaged.field("T1", "contact_email").length == 60


def test_unknown_field_raises_key_error(layout_packaged: Layout) -> None:
    with pytest.raises(KeyError):
        layout_packaged.field("G1", "no_such_field")


def test_default_layout_is_the_packaged_table(
    layout_packaged: Layout, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OST_LAYOUT", raising=False)
    default_layout.cache_clear()
    try:
        assert default_layout() == layout_packaged
    finally:
        default_layout.cache_clear()


def test_layout_from_another_edition_is_read(tmp_path: Path) -> None:
    edition = tmp_path / "layout.csv"
    edition.write_text(CSV_HEADER + "Z1,record_type,1,2,A\nZ1,amount,3,10,N\n", encoding="utf-8")
    layout = load_layout(edition)
    assert layout.record_types == ("Z1",)
    assert layout.field("Z1", "amount").type == "N"


@pytest.mark.parametrize(
    "rows",
    [
        pytest.param("T1,record_type,1,2,X\n", id="unknown-type"),
        pytest.param("T1,record_type,one,2,A\n", id="start-not-a-number"),
        pytest.param("T1,record_type,1,,A\n", id="end-missing"),
        pytest.param("T1,record_type,3,2,A\n", id="end-before-start"),
        pytest.param("T1,record_type,0,2,A\n", id="start-before-column-1"),
        pytest.param("T1,record_type,199,201,A\n", id="end-past-column-200"),
        pytest.param("T1,record_type,1\n", id="row-cut-short"),
        pytest.param("T1,record_type,1,2,A\nT1,mident,2,8,N\n", id="fields-overlap"),
        pytest.param(
            "T1,record_type,1,2,A\nT1,mident,3,8,N\nT1,mident,9,9,A\n", id="field-named-twice"
        ),
        pytest.param("", id="no-field-at-all"),
    ],
)
def test_malformed_layout_raises_layout_error(tmp_path: Path, rows: str) -> None:
    edition = tmp_path / "layout.csv"
    edition.write_text(CSV_HEADER + rows, encoding="utf-8")
    with pytest.raises(LayoutError):
        load_layout(edition)


def test_layout_without_the_expected_columns_raises_layout_error(tmp_path: Path) -> None:
    edition = tmp_path / "layout.csv"
    edition.write_text("kind,name,from,to\nT1,record_type,1,2\n", encoding="utf-8")
    with pytest.raises(LayoutError):
        load_layout(edition)


def test_merge_order_reads_the_header_fields_the_layout_declares() -> None:
    header = "T1885827A1" + "20261115" + "093000" + "Contact".ljust(30)
    assert merge_order(header) == ("885827", "20261115093000")
    # A header cut short gives what there is of each field.
    assert merge_order("T1885827A12026") == ("885827", "2026")
    assert merge_order("") == ("", "")
