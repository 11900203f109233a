"""What a school may read of a finding (docs/record.md, who sees what): its own data and what
it must fix, never what the applicant told the application service."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from error_glossary import entry

# Matching findings whose message shows applicant-side values (their OEN, name, the other
# candidates) or a status the school must not learn (international): a school reads the title.
TITLE_ONLY_CODES = frozenset({"A002", "A003", "A004", "A006", "A009"})
HIDDEN_FROM_SCHOOLS = frozenset({"A005"})
# Where the student was merged, the school may quote the application number when it calls.
MERGED_CODES = frozenset({"A004", "A006"})


def school_finding(row: Mapping[str, Any], lang: str) -> dict[str, Any] | None:
    """The finding as a school sees it; None when a school must not see it at all."""
    code = str(row.get("code") or "")
    if code in HIDDEN_FROM_SCHOOLS:
        return None
    if code not in TITLE_ONLY_CODES:
        return dict(row)
    shown = dict(row)
    shown["message"] = entry(code).title[lang]
    shown["value"] = row.get("value") if code == "A003" else None  # the school's own OEN
    shown.pop("expected", None)
    if code not in MERGED_CODES:
        shown["application_number"] = None
    return shown


def school_findings(rows: list[dict[str, Any]], lang: str) -> list[dict[str, Any]]:
    shown = (school_finding(row, lang) for row in rows)
    return [row for row in shown if row is not None]
