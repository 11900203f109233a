"""One transmission as the console shows it: the row, its findings with the application number
where one is known, and its reports; every read limited to the reader's scope."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.database import Connection
from pipeline.models import Transmission
from pipeline.outputs import report_file
from pipeline.reports import FINDING_KEYS, render_rows_csv
from pipeline.school_view import school_findings
from pipeline.scope import Scope
from pipeline.store.transmissions import application_numbers

# A page lists this many findings; the downloads have them all.
LISTED_FINDINGS = 1000
REPORT_FORMATS = ("html", "json", "csv")
FINDING_COLUMNS = (*FINDING_KEYS, "application_number")


@dataclass(frozen=True)
class TransmissionFindings:
    """The findings of one transmission in one language, as its reader may see them."""

    rows: list[dict[str, Any]]
    total: int
    stored: bool  # False when the transmission has no report (failed before one was written)


def stored_report(reports_root: Path, transmission_id: int, lang: str) -> dict[str, Any] | None:
    """The JSON report written when the transmission was processed, or None."""
    path = report_file(reports_root, transmission_id, lang, "json")
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return value if isinstance(value, dict) else None


def transmission_findings(
    conn: Connection,
    reports_root: Path,
    transmission: Transmission,
    lang: str,
    scope: Scope,
    limit: int | None = LISTED_FINDINGS,
) -> TransmissionFindings:
    """Its findings in `lang` with the application number where one is known; a school
    reader gets the school's view of each (school_view)."""
    assert transmission.id is not None
    report = stored_report(reports_root, transmission.id, lang)
    if report is None:
        return TransmissionFindings([], 0, stored=False)
    rows: list[dict[str, Any]] = list(report.get("findings") or [])
    numbers = application_numbers(
        conn, transmission.id, [int(r["line"]) for r in rows if r["line"]]
    )
    for row in rows:
        number, status = numbers.get(int(row["line"] or 0), (None, None))
        merged_only = not scope.everything and status != "matched"
        row["application_number"] = None if merged_only else number
    if not scope.everything:
        rows = school_findings(rows, lang)
    total = len(rows)
    return TransmissionFindings(rows if limit is None else rows[:limit], total, stored=True)


def findings_csv(rows: list[dict[str, Any]]) -> bytes:
    """Findings as a CSV file for a spreadsheet (UTF-8 with a byte-order mark, as reports)."""
    body = render_rows_csv(FINDING_COLUMNS, ([row.get(k) for k in FINDING_COLUMNS] for row in rows))
    return body.encode("utf-8-sig")


def report_download(
    reports_root: Path, transmission_id: int, lang: str, extension: str
) -> Path | None:
    """The stored report file (operators), or None when there is none."""
    if extension not in REPORT_FORMATS:
        return None
    path = report_file(reports_root, transmission_id, lang, extension)
    return path if path.is_file() else None
