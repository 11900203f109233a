"""Hostile transmissions for property-based tests: random bytes and damaged sample files."""

from __future__ import annotations

import random
from collections.abc import Callable

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from tests.reliability.samples import SAMPLE_BYTES

# Reproducible in CI (the same examples every run) and bounded so the suite stays fast.
RELIABLE = settings(
    max_examples=200,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Encodings a school's tool might save a file in by mistake.
ENCODINGS = ("utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252", "utf-8-sig")
# Lines that look blank to some tools and not to others.
ODD_BLANKS = (
    b"",
    b"   ",
    b"\t",
    b"\x0c",
    b"\x0b",
    b"\xc2\xa0",
    b"\xe2\x80\xa8",
    b"\xc2\x85",
    b"\r",
)

Mutation = Callable[[st.DrawFn, bytes], bytes]


def sample_text(raw: bytes) -> str:
    """A sample file's text (its bytes are UTF-8, with or without BOM, or Windows-1252)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def _position(draw: st.DrawFn, raw: bytes) -> int:
    return draw(st.integers(0, len(raw)))


def _line(draw: st.DrawFn, lines: list[bytes]) -> int:
    return draw(st.integers(0, len(lines) - 1))


def truncate(draw: st.DrawFn, raw: bytes) -> bytes:
    return raw[: _position(draw, raw)]


def insert_text(draw: st.DrawFn, raw: bytes) -> bytes:
    at = _position(draw, raw)
    return raw[:at] + draw(st.text(min_size=1, max_size=40)).encode("utf-8") + raw[at:]


def insert_bytes(draw: st.DrawFn, raw: bytes) -> bytes:
    at = _position(draw, raw)
    return raw[:at] + draw(st.binary(min_size=1, max_size=40)) + raw[at:]


def delete_span(draw: st.DrawFn, raw: bytes) -> bytes:
    at = _position(draw, raw)
    return raw[:at] + raw[at + draw(st.integers(1, 400)) :]


def overwrite_field(draw: st.DrawFn, raw: bytes) -> bytes:
    """Characters of any script (accents, combining marks, emoji, controls) inside a record."""
    lines = raw.split(b"\n")
    index = _line(draw, lines)
    text = lines[index].decode("utf-8", "replace")
    at = draw(st.integers(0, 210))
    value = draw(st.text(min_size=1, max_size=20))
    lines[index] = (text[:at] + value + text[at + len(value) :]).encode("utf-8")
    return b"\n".join(lines)


def swap_lines(draw: st.DrawFn, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    first, second = _line(draw, lines), _line(draw, lines)
    lines[first], lines[second] = lines[second], lines[first]
    return b"\n".join(lines)


def duplicate_line(draw: st.DrawFn, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    index = _line(draw, lines)
    lines.insert(index, lines[index])
    return b"\n".join(lines)


def delete_line(draw: st.DrawFn, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    del lines[_line(draw, lines)]
    return b"\n".join(lines)


def long_line(draw: st.DrawFn, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    index = _line(draw, lines)
    filler = draw(st.sampled_from([b"X", b" ", b"9", "é".encode(), b"\t"]))
    lines[index] = lines[index].rstrip(b"\r") + filler * draw(st.integers(1, 300_000))
    return b"\n".join(lines)


def odd_blank_lines(draw: st.DrawFn, raw: bytes) -> bytes:
    lines = raw.split(b"\n")
    lines.insert(_line(draw, lines), draw(st.sampled_from(ODD_BLANKS)))
    return b"\n".join(lines)


def line_endings(draw: st.DrawFn, raw: bytes) -> bytes:
    unix = raw.replace(b"\r\n", b"\n")
    choice = draw(st.sampled_from(["lf", "crlf", "cr", "lfcr", "mixed"]))
    if choice == "lf":
        return unix
    if choice == "crlf":
        return unix.replace(b"\n", b"\r\n")
    if choice == "cr":
        return unix.replace(b"\n", b"\r")
    if choice == "lfcr":
        return unix.replace(b"\n", b"\n\r")
    pick = random.Random(draw(st.integers(0, 2**32 - 1))).choice  # one draw for all lines
    return b"".join(line + pick([b"\n", b"\r\n", b"\r"]) for line in unix.split(b"\n"))


def re_encode(draw: st.DrawFn, raw: bytes) -> bytes:
    """The text saved again in another encoding (what the previous mutations left of it)."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    return text.encode(draw(st.sampled_from(ENCODINGS)), errors="replace")


MUTATIONS: tuple[Mutation, ...] = (
    truncate,
    insert_text,
    insert_bytes,
    delete_span,
    overwrite_field,
    swap_lines,
    duplicate_line,
    delete_line,
    long_line,
    odd_blank_lines,
    line_endings,
    re_encode,
)

# Names a file may arrive under: its own, another school's, or anything at all.
file_names = st.one_of(
    st.sampled_from(sorted(SAMPLE_BYTES)),
    st.sampled_from(["s885827.c1", "S885827.C9", "S000000.C0", "../../etc/passwd", "S885827"]),
    st.text(max_size=300),
)


@st.composite
def damaged_transmissions(draw: st.DrawFn) -> tuple[str, bytes]:
    """A sample file under its own name (or another), damaged by one to four mutations."""
    name = draw(st.sampled_from(sorted(SAMPLE_BYTES)))
    raw = SAMPLE_BYTES[name]
    for mutation in draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4)):
        raw = mutation(draw, raw)
    # Mostly under its own name, so that the damage is judged past the file-name check.
    return (draw(file_names) if draw(st.integers(0, 3)) == 0 else name), raw


@st.composite
def text_transmissions(draw: st.DrawFn) -> tuple[str, bytes]:
    """Lines of arbitrary text, some starting like records, in some encoding."""
    starts = st.sampled_from(["T1", "S1", "G1", "B1", "", "X9", "t1"])
    lines = draw(st.lists(st.tuples(starts, st.text(max_size=260)), max_size=12))
    text = "\n".join(start + rest for start, rest in lines)
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "cp1252", "utf-16"]))
    return draw(file_names), text.encode(encoding, errors="replace")
