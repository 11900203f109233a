"""Hostile input never escapes as an exception: it ends in findings or a clean refusal.

Random bytes, random text and damaged sample files (truncated, spliced, reordered, re-encoded,
with odd line endings and very long lines) through the parser, every rule and every report.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from datetime import date

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from error_glossary import LANGUAGES, glossary, severity_of
from parsers.fixed_width import parse
from pipeline.reports import FINDING_KEYS, render_csv, render_html, validation_report
from rules.validate import ValidationResult, packaged_code_tables, validate_file
from tests.reliability.hostile import (
    RELIABLE,
    damaged_transmissions,
    file_names,
    sample_text,
    text_transmissions,
)
from tests.reliability.samples import SAMPLE_BYTES

TODAY = date(2026, 11, 20)
TABLES = packaged_code_tables()
STATUSES = ("processed", "partially processed", "rejected")
CSV_COLUMNS = len(FINDING_KEYS) + 1  # the file, then every finding key
# UTF-16 and UTF-32 text holds NUL bytes: "not text" (F001), with or without a byte-order mark.
WIDE_ENCODINGS = [
    ("utf-16", b""),  # Python writes the BOM itself
    ("utf-16-le", b""),
    ("utf-16-le", codecs.BOM_UTF16_LE),
    ("utf-16-be", b""),
    ("utf-16-be", codecs.BOM_UTF16_BE),
    ("utf-32", b""),
]


def validated(name: str, raw: bytes) -> ValidationResult:
    return validate_file(name, raw, tables=TABLES, today=TODAY)


def assert_reported(result: ValidationResult, raw: bytes) -> None:
    """Coded findings, and reports that are valid JSON, HTML and CSV in both languages."""
    assert result.status in STATUSES
    event(f"status {result.status}, read as {result.encoding or 'not text'}")
    codes = result.findings["code"].to_list()
    assert set(codes) <= set(glossary())
    assert result.findings["severity"].to_list() == [severity_of(code) for code in codes]
    physical_lines = raw.count(b"\n") + 1
    assert all(1 <= line <= physical_lines for line in result.findings["line"].drop_nulls())
    if result.encoding is None:
        assert codes == ["F001"]
    for lang in LANGUAGES:
        report = validation_report(result, lang)
        text = json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False)
        assert json.loads(text) == report.to_json()
        assert report.counts.errors + report.counts.warnings <= len(codes)
        assert all(isinstance(row["message"], str) and row["message"] for row in report.findings)
        html = render_html([report], lang)
        assert html.startswith("<!DOCTYPE html>") and html.rstrip().endswith("</html>")
        rows = list(csv.reader(io.StringIO(render_csv([report]), newline="")))
        assert len(rows) == len(report.findings) + 1
        assert all(len(row) == CSV_COLUMNS for row in rows)


@RELIABLE
@given(raw=st.binary(max_size=4000), name=file_names)
def test_random_bytes(raw: bytes, name: str) -> None:
    assert_reported(validated(name, raw), raw)


@RELIABLE
@given(transmission=text_transmissions())
def test_random_text_lines(transmission: tuple[str, bytes]) -> None:
    name, raw = transmission
    assert_reported(validated(name, raw), raw)


@RELIABLE
@given(transmission=damaged_transmissions())
def test_damaged_sample_files(transmission: tuple[str, bytes]) -> None:
    name, raw = transmission
    assert_reported(validated(name, raw), raw)


@RELIABLE
@given(transmission=damaged_transmissions())
def test_parser_keeps_every_line_number(transmission: tuple[str, bytes]) -> None:
    _, raw = transmission
    parsed = parse(raw)
    lines = parsed.lines["line"].to_list()
    assert lines == sorted(set(lines))
    for record_type, frame in parsed.records.items():
        assert set(frame["line"]) <= set(lines), record_type


def finding_keys(result: ValidationResult) -> list[tuple[object, ...]]:
    return result.findings.select("code", "line", "field", "value").rows()


@pytest.mark.parametrize("name", sorted(SAMPLE_BYTES))
@pytest.mark.parametrize(("encoding", "bom"), WIDE_ENCODINGS)
def test_wide_encodings_are_refused_as_not_text(name: str, encoding: str, bom: bytes) -> None:
    raw = bom + sample_text(SAMPLE_BYTES[name]).encode(encoding)
    result = validated(name, raw)
    assert finding_keys(result) == [("F001", None, None, None)]
    assert result.status == "rejected" and result.students.is_empty()


@pytest.mark.parametrize("name", sorted(SAMPLE_BYTES))
@pytest.mark.parametrize("encoding", ["latin-1", "cp1252", "utf-8", "utf-8-sig"])
def test_single_byte_and_utf8_encodings_read_the_same(name: str, encoding: str) -> None:
    original = validated(name, SAMPLE_BYTES[name])
    again = validated(name, sample_text(SAMPLE_BYTES[name]).encode(encoding))
    assert finding_keys(again) == finding_keys(original)
    assert again.students.equals(original.students)
    assert again.encoding == ("cp1252" if encoding in ("latin-1", "cp1252") else "utf-8")
