"""F007 on names and headers of every kind: the pattern, then each part against the header."""

from __future__ import annotations

import pytest

from error_glossary import render_message
from rules.context import Header
from rules.filename import check_file_name

HEADER = Header(mident="885827", transmission_number="2")


@pytest.mark.parametrize("name", ["S885827.C2", "s885827.c2", "S885827.c2"])
def test_a_name_that_agrees_passes(name: str) -> None:
    assert check_file_name(name, HEADER) == []


@pytest.mark.parametrize(
    "name",
    [
        "S885827.C2\n",  # `$` alone would accept a final newline
        "S885827.C2 ",
        " S885827.C2",
        "S885827.C2.txt",
        "S885827.C0",
        "S88582.C2",
        "S885827.D2",
        "S８８５８２７.C2",  # full-width digits are not the ASCII digits of a MIDENT
    ],
)
def test_a_malformed_name_is_f007(name: str) -> None:
    [finding] = check_file_name(name, HEADER)
    assert (finding.code, finding.field, finding.value) == ("F007", "file_name", name)
    assert finding.expected == "S885827.C2"


@pytest.mark.parametrize(
    ("name", "header", "expected"),
    [
        ("S999999.C2", HEADER, "S885827.C2"),
        ("S885827.C3", HEADER, "S885827.C2"),
        # One header field invalid (F008): the other is still compared.
        ("S999999.C2", Header(mident="885827"), "S885827.C?"),
        ("S885827.C7", Header(transmission_number="2"), "S??????.C2"),
    ],
)
def test_a_name_that_disagrees_with_a_valid_header_field_is_f007(
    name: str, header: Header, expected: str
) -> None:
    [finding] = check_file_name(name, header)
    assert (finding.code, finding.value, finding.expected) == ("F007", name, expected)


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("S885827.C9", Header(mident="885827")),
        ("S123456.C2", Header(transmission_number="2")),
        ("S123456.C9", Header()),
    ],
)
def test_a_part_the_header_does_not_validly_give_is_not_compared(name: str, header: Header) -> None:
    assert check_file_name(name, header) == []


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_message_suggests_the_name_the_header_gives_never_the_rejected_one(lang: str) -> None:
    # A copy of S885827.C1 saved as S885827.C2: the message names C1, and C2 only as the value.
    [finding] = check_file_name("S885827.C2", Header(mident="885827", transmission_number="1"))
    message = render_message("F007", lang, {"value": finding.value, "expected": finding.expected})
    assert "S885827.C1" in message
    assert message.count("S885827.C2") == 1
