"""F007: the file name `S<MIDENT>.C<n>` and its agreement with the header."""

from __future__ import annotations

import re

from rules.context import Header
from rules.findings import Finding

FILE_NAME = re.compile(r"S(?P<mident>[0-9]{6})\.C(?P<number>[1-9])", re.IGNORECASE)
UNKNOWN_MIDENT, UNKNOWN_NUMBER = "??????", "?"  # a header field that is invalid (F008)


def expected_name(header: Header) -> str:
    """The name the header implies, e.g. S885827.C2; `?` stands for an invalid header field."""
    mident = header.mident or UNKNOWN_MIDENT
    return f"S{mident}.C{header.transmission_number or UNKNOWN_NUMBER}"


def check_file_name(name: str, header: Header) -> list[Finding]:
    """docs/format.md: the name follows the pattern (any case) and agrees with the T1 header.

    Each part is compared with the header's own value when that value is valid: a name that
    disagrees with a valid MIDENT is F007 even if the transmission number is F008.
    """
    found = FILE_NAME.fullmatch(name)  # fullmatch: `$` would also accept a final newline
    agrees = found is not None and all(
        given is None or given == named
        for given, named in (
            (header.mident, found["mident"]),
            (header.transmission_number, found["number"]),
        )
    )
    expected = expected_name(header)
    return [] if agrees else [Finding("F007", field="file_name", value=name, expected=expected)]
