"""An open file is read in place (memory-mapped) and gives exactly what its bytes give."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from parsers.fixed_width import ParsedFile, parse, source_size

DATA = Path(__file__).parents[1] / "data"
TRANSMISSIONS = sorted(path for path in DATA.glob("*/S*") if path.is_file())


def assert_same_parse(left: ParsedFile, right: ParsedFile) -> None:
    assert left.encoding == right.encoding
    assert_frame_equal(left.lines, right.lines)
    assert list(left.records) == list(right.records)
    for record_type, frame in left.records.items():
        assert_frame_equal(frame, right.records[record_type])


def test_there_are_golden_transmissions_to_compare() -> None:
    assert len(TRANSMISSIONS) > 40


@pytest.mark.parametrize("path", TRANSMISSIONS, ids=lambda path: path.parent.name)
def test_an_open_file_parses_as_its_bytes(path: Path) -> None:
    with path.open("rb") as handle:
        from_file = parse(handle)
    assert_same_parse(from_file, parse(path.read_bytes()))


def write(tmp_path: Path, raw: bytes) -> Path:
    path = tmp_path / "S885827.C1"
    path.write_bytes(raw)
    return path


def parse_file(path: Path) -> ParsedFile:
    with path.open("rb") as handle:
        return parse(handle)


def test_a_byte_order_mark_in_a_file_is_skipped(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, b"\xef\xbb\xbfT1885827\nB1885827\n"))
    assert parsed.encoding == "utf-8"
    assert parsed.lines["record_type"].to_list() == ["T1", "B1"]


def test_a_cp1252_file_is_decoded(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, "S1885827HÉLÈNE-12345123\n".encode("cp1252")))
    assert parsed.encoding == "cp1252"
    assert parsed.of("S1")["student_number"].to_list() == ["HÉLÈNE-12345"]
    assert parsed.of("S1")["oen"].to_list() == ["123"]


def test_a_file_with_a_nul_byte_is_not_text(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, b"T1885827\n" * 1000 + b"\x00\n"))
    assert not parsed.is_text


def test_an_empty_file_has_no_lines(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, b""))
    assert parsed.is_text and parsed.lines.is_empty()


def test_a_file_is_read_from_its_start_whatever_its_position(tmp_path: Path) -> None:
    path = write(tmp_path, b"T1885827\nB1885827\n")
    with path.open("rb") as handle:
        handle.seek(5)
        assert parse(handle).lines["record_type"].to_list() == ["T1", "B1"]


@pytest.fixture
def pipe() -> Iterator[BinaryIO]:
    """The reading end of a pipe fed two records: a file that cannot be memory-mapped."""
    read_end, write_end = os.pipe()

    def feed() -> None:
        with os.fdopen(write_end, "wb") as writer:
            writer.write(b"T1885827\nB1885827\n")

    feeder = threading.Thread(target=feed)
    feeder.start()
    with os.fdopen(read_end, "rb") as reader:
        yield reader
    feeder.join()


def test_a_file_that_cannot_be_mapped_is_read_whole(pipe: BinaryIO) -> None:
    parsed = parse(pipe)
    assert parsed.lines["record_type"].to_list() == ["T1", "B1"]
    assert parsed.of("B1")["mident"].to_list() == ["885827"]


def test_the_size_of_a_file_is_read_without_reading_it(tmp_path: Path) -> None:
    path = write(tmp_path, b"x" * 1234)
    with path.open("rb") as handle:
        assert source_size(handle) == 1234
        assert handle.tell() == 0
    assert source_size(b"abc") == 3


def test_frames_outlive_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, b"T1885827\nB1885827\n")
    parsed = parse_file(path)
    path.unlink()
    assert parsed.lines.select(pl.col("record_type")).to_series().to_list() == ["T1", "B1"]
