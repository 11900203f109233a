"""Untrusted text made safe to print on a terminal or in a log line.

File names, names and values come from schools: an escape sequence (`ESC]0;...`, `ESC[2J`)
would rewrite the operator's terminal, a newline would forge a log line, and bidirectional
overrides would show text in another order than it is. Each such character is shown escaped.
"""

from __future__ import annotations

import re

# C0 controls (newline and tab included: one value, one line), DEL, C1 controls, the line and
# paragraph separators, and the bidirectional marks, embeddings, overrides and isolates.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _escaped(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: object) -> str:
    """`text` on one line, every control or direction character shown as `\\x1b`, `\\u202e`."""
    return UNPRINTABLE.sub(_escaped, "" if text is None else str(text))


def has_unprintable(text: str) -> bool:
    return UNPRINTABLE.search(text) is not None
