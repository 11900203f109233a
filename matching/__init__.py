"""Students x applicants -> match decisions with reasons (docs/matching.md).

The names below load on first use, so that a command that only reads its settings (which
carry the matching zones) does not load polars and the matcher with them.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matching.match import ApplicantPool, match_files, match_students
    from matching.schema import APPLICANTS_SCHEMA, MATCH_SCHEMA, STUDENTS_SCHEMA
    from matching.zones import Zones

_HOMES = {
    "ApplicantPool": "matching.match",
    "match_files": "matching.match",
    "match_students": "matching.match",
    "APPLICANTS_SCHEMA": "matching.schema",
    "MATCH_SCHEMA": "matching.schema",
    "STUDENTS_SCHEMA": "matching.schema",
    "Zones": "matching.zones",
}

__all__ = [
    "APPLICANTS_SCHEMA",
    "MATCH_SCHEMA",
    "STUDENTS_SCHEMA",
    "ApplicantPool",
    "Zones",
    "match_files",
    "match_students",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module 'matching' has no attribute {name!r}")
    return getattr(import_module(_HOMES[name]), name)
