"""Bytes -> polars frames: decoding, line splitting and field slicing by the layout table."""

from __future__ import annotations

import io
import mmap
import os
from dataclasses import dataclass, field
from typing import BinaryIO

import polars as pl

from parsers.layout import RECORD_LENGTH, FieldSpec, Layout, default_layout

UTF8_BOM = b"\xef\xbb\xbf"
RECORD_TYPE_LENGTH = 2  # docs/format.md: every record starts with its two-character type
LINE_SCHEMA = {"line": pl.UInt32, "record_type": pl.Utf8, "length": pl.UInt32, "excess": pl.Utf8}

# A transmission's bytes, or an open binary file holding them. A regular file is read in place
# (memory-mapped, never copied whole into Python): reading 200 MB into bytes costs more than
# splitting it into lines.
Source = bytes | BinaryIO


@dataclass(frozen=True)
class ParsedFile:
    """A transmission read into frames; `encoding` is None when the bytes are not text."""

    encoding: str | None
    lines: pl.DataFrame
    records: dict[str, pl.DataFrame] = field(default_factory=dict)

    @property
    def is_text(self) -> bool:
        return self.encoding is not None

    def of(self, record_type: str) -> pl.DataFrame:
        """The records of one type (line + one column per field), empty if none."""
        return self.records[record_type]


def _read_lines(utf8: bytes | BinaryIO) -> pl.DataFrame:
    """Every non-blank physical line as one string with its 1-based number; raises
    ComputeError on invalid UTF-8. A file is read from its current position to its end.

    Blank lines are dropped while the file streams through, never held: a file of millions of
    blank lines costs its line count, not a string per line (docs/format.md: blank lines are
    ignored).
    """
    if _is_empty(utf8):
        return pl.DataFrame(schema={"line": pl.UInt32, "text": pl.Utf8})
    # NUL never occurs in text we accept, so as a separator it keeps each line whole;
    # the CSV reader drops the CR of a CRLF terminator itself.
    lines = pl.scan_csv(
        io.BytesIO(utf8) if isinstance(utf8, bytes) else utf8,
        has_header=False,
        separator="\x00",
        quote_char=None,
        new_columns=["text"],
        infer_schema=False,
        raise_if_empty=False,
        eol_char="\n",
    )
    numbered = lines.with_row_index("line", offset=1).with_columns(pl.col("line").cast(pl.UInt32))
    # Not blank: something left once the leading whitespace is stripped (the same Unicode
    # whitespace as the regex \S, found without a regex pass over every line).
    return numbered.filter(pl.col("text").str.strip_chars_start() != "").collect(engine="streaming")


def _is_empty(utf8: bytes | BinaryIO) -> bool:
    if isinstance(utf8, bytes):
        return not utf8
    return os.fstat(utf8.fileno()).st_size <= utf8.tell()


def source_size(source: Source) -> int:
    """The size in bytes of a transmission, without reading it."""
    if isinstance(source, bytes):
        return len(source)
    return os.fstat(source.fileno()).st_size


def _mapped(handle: BinaryIO) -> mmap.mmap | None:
    """The file memory-mapped for reading; None when it cannot be (empty, a pipe, ...)."""
    try:
        if os.fstat(handle.fileno()).st_size == 0:
            return None
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError, io.UnsupportedOperation):
        return None


def read_text_lines(source: Source) -> tuple[pl.DataFrame, str] | None:
    """Non-blank lines (`line`, `text`) and encoding: UTF-8 when valid, else Windows-1252
    (docs/format.md).

    None when the bytes are not text: NUL bytes, or undecodable in both encodings.
    """
    if isinstance(source, bytes):
        return _decode_lines(source)
    view = _mapped(source)
    if view is None:
        return _decode_lines(source.read())
    with view:
        if view.find(b"\x00") != -1:
            return None
        start = len(UTF8_BOM) if view[: len(UTF8_BOM)] == UTF8_BOM else 0
        try:
            source.seek(start)
            return _read_lines(source), "utf-8"
        except pl.exceptions.ComputeError:
            return _from_cp1252(view[start:])


def _decode_lines(raw: bytes) -> tuple[pl.DataFrame, str] | None:
    if b"\x00" in raw:
        return None
    body = raw[len(UTF8_BOM) :] if raw.startswith(UTF8_BOM) else raw
    try:
        return _read_lines(body), "utf-8"
    except pl.exceptions.ComputeError:
        pass  # not UTF-8: the reader validates as it goes, which is cheaper than decoding first
    return _from_cp1252(body)


def _from_cp1252(body: bytes) -> tuple[pl.DataFrame, str] | None:
    try:
        return _read_lines(body.decode("cp1252").encode("utf-8")), "cp1252"
    except UnicodeDecodeError:
        return None


def _field(spec: FieldSpec) -> pl.Expr:
    """One field's values: N as written, A without trailing blanks."""
    value = pl.col("text").str.slice(spec.start - 1, spec.length)
    if spec.type == "N":
        return value.alias(spec.name)
    if spec.length == 1:
        # A comparison is much cheaper than stripping, and means the same for one character.
        return pl.when(value == " ").then(pl.lit("")).otherwise(value).alias(spec.name)
    return value.str.strip_chars_end(" ").alias(spec.name)


def slice_records(lines: pl.LazyFrame, layout: Layout) -> list[pl.LazyFrame]:
    """One plan per record type: `line` and every field, A fields right-trimmed (docs/format.md).

    A line cut short reads as if padded with blanks: a field past its end slices to "" and a
    partly cut numeric field keeps only its digits, so each is judged by its own rule.
    """
    return [
        lines.filter(pl.col("record_type") == record_type).select(
            "line", *(_record_field(spec) for spec in layout.fields_of(record_type))
        )
        for record_type in layout.record_types
    ]


def _record_field(spec: FieldSpec) -> pl.Expr:
    """`_field`, except the type itself: the lines were routed by it, so it is sliced already."""
    sliced = (spec.name, spec.start, spec.length) == ("record_type", 1, RECORD_TYPE_LENGTH)
    if sliced and not spec.record_type.endswith(" "):
        return pl.col("record_type")
    return _field(spec)


def parse(source: Source, layout: Layout | None = None) -> ParsedFile:
    """Decode and slice a whole transmission; the physical line number is kept on every row."""
    decoded = read_text_lines(source)
    if decoded is None:
        return ParsedFile(encoding=None, lines=pl.DataFrame(schema=LINE_SCHEMA))
    physical, encoding = decoded
    layout = layout or default_layout()
    text = pl.col("text")
    # One chunk in: the frames that come out then have the same chunks in every column, which
    # keeps every later eager filter and join on them cheap (misaligned ones are copied first).
    lines = (
        physical.rechunk()
        .lazy()
        .with_columns(text.str.slice(0, RECORD_TYPE_LENGTH).alias("record_type"))
    )
    shape = lines.select(
        "line",
        "record_type",
        text.str.len_chars().cast(pl.UInt32).alias("length"),
        text.str.slice(RECORD_LENGTH).alias("excess"),
    )
    # One plan: the lines are numbered once and every record type is sliced in parallel.
    shape_frame, *frames = pl.collect_all([shape, *slice_records(lines, layout)])
    records = dict(zip(layout.record_types, frames, strict=True))
    return ParsedFile(encoding=encoding, lines=shape_frame, records=records)
