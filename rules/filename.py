"""F007: the file name `S<MIDENT>.C<n>` and its agreement with the header."""

from __future__ import annotations

import re

from rules.context import Header
from rules.findings import Finding

FILE_NAME = re.compile(r"^S(?P<mident>[0-9]{6})\.C(?P<number>[1-9])$", re.IGNORECASE)


def expected_name(header: Header) -> str | None:
    """The name the header implies, e.g. S885827.C2."""
    if header.mident is None or header.transmission_number is None:
        return None
    return f"S{header.mident}.C{header.transmission_number}"


def check_file_name(name: str, header: Header) -> list[Finding]:
    """SPEC 2.1: the name follows the pattern (any case) and agrees with the T1 header."""
    expected = expected_name(header)
    found = FILE_NAME.match(name)
    agrees = found is not None and (
        expected is None
        or (found["mident"], found["number"]) == (header.mident, header.transmission_number)
    )
    return [] if agrees else [Finding("F007", field="file_name", value=name, expected=expected)]
