"""Terminal output: findings tables and summaries (rich)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.table import Table

from pipeline.labels import label

# A terminal shows the first findings; --json and --html carry them all.
MAX_CONSOLE_ROWS = 200
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def findings_table(report: Mapping[str, Any], lang: str) -> Table:
    table = Table(title=f"{report['file']}", title_justify="left", show_lines=False)
    for key in ("line", "code", "severity", "student_number", "surname", "first_name", "course"):
        table.add_column(label(lang, key), no_wrap=key != "surname")
    table.add_column(label(lang, "message"))
    for row in report["findings"][:MAX_CONSOLE_ROWS]:
        style = SEVERITY_STYLE.get(row["severity"], "")
        table.add_row(
            "" if row["line"] is None else str(row["line"]),
            row["code"],
            f"[{style}]{label(lang, row['severity'])}[/]",
            row["student_number"] or "",
            row["surname"] or "",
            row["first_name"] or "",
            row["course"] or "",
            row["message"],
        )
    return table


def summary_line(report: Mapping[str, Any], lang: str) -> str:
    counts = report["counts"]
    parts = [
        f"{label(lang, 'students')}: {counts['students']}",
        f"{label(lang, 'grades')}: {counts['grades']}",
        f"{label(lang, 'errors')}: {counts['errors']}",
        f"{label(lang, 'warnings')}: {counts['warnings']}",
    ]
    return f"{report['file']}: {label(lang, report['status'])} ({', '.join(parts)})"


def print_report(console: Console, report: Mapping[str, Any], lang: str) -> None:
    """The findings table (or the clean-file line) and the summary of one file."""
    if report["findings"]:
        console.print(findings_table(report, lang))
        hidden = len(report["findings"]) - MAX_CONSOLE_ROWS
        if hidden > 0:
            console.print(f"... {hidden} more; use --json or --html for the full list.")
    else:
        console.print(label(lang, "clean"))
    console.print(summary_line(report, lang), markup=False, highlight=False)
