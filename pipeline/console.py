"""Terminal output: findings tables and summaries (rich)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rich.console import Console
from rich.text import Text

from pipeline.labels import label
from pipeline.printable import printable
from pipeline.privacy import mask_report, masks_anything
from pipeline.reports import is_clean

# A terminal shows the first findings; --json and --html carry them all.
MAX_CONSOLE_ROWS = 200
MESSAGE_INDENT = 13
LINE_COLUMN = 11  # "Line 123456" and a blank
PIPED_WIDTH = 160
SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


def make_console() -> Console:
    """A console as wide as the terminal, or wide enough for tables when output is piped."""
    console = Console(soft_wrap=False, highlight=False)
    if not console.is_terminal:
        console = Console(soft_wrap=False, highlight=False, width=PIPED_WIDTH)
    return console


def _who(row: Mapping[str, Any]) -> str:
    name = ", ".join(part for part in (row["surname"], row["first_name"]) if part)
    parts = (row["student_number"], name, row["course"])
    return printable("  ".join(part for part in parts if part))


def _where(row: Mapping[str, Any], lang: str) -> str:
    return f"{label(lang, 'line')} {row['line']}" if row["line"] is not None else ""


def print_findings(console: Console, report: Mapping[str, Any], lang: str) -> None:
    """Two lines a finding: where and whom it concerns, then the message, indented.

    The "line" column is as wide as its longest entry: a 7-digit line number never runs into
    the code. Every value from the file is shown escaped (`printable`), never as markup.
    """
    rows = report["findings"][:MAX_CONSOLE_ROWS]
    width = max([LINE_COLUMN, *(len(_where(row, lang)) + 1 for row in rows)])
    for row in rows:
        style = SEVERITY_STYLE.get(row["severity"], "")
        head = Text(f"  {_where(row, lang):<{width}}", style="dim")
        head.append(f"{row['code']} {label(lang, row['severity'])}", style=style)
        if who := _who(row):
            head.append(f"  {who}")
        console.print(head)
        print_message(console, row["message"])


def print_message(console: Console, message: str) -> None:
    """The message wrapped under the code, without trailing blanks (output is often saved)."""
    text = Text(printable(message))
    for line in text.wrap(console, max(console.width - MESSAGE_INDENT, 20)):
        line.rstrip()
        console.print(Text(" " * MESSAGE_INDENT) + line)


def summary_line(report: Mapping[str, Any], lang: str, prospective: bool = False) -> str:
    """`FILE: status (counts)`; `prospective` for a file only checked, which nothing processed
    yet: what would become of it (`would be processed`)."""
    counts = report["counts"]
    parts = [
        f"{label(lang, 'students')}: {counts['students']}",
        f"{label(lang, 'grades')}: {counts['grades']}",
        f"{label(lang, 'errors')}: {counts['errors']}",
        f"{label(lang, 'warnings')}: {counts['warnings']}",
    ]
    status = label(lang, f"would be {report['status']}" if prospective else report["status"])
    return f"{printable(report['file'])}: {status} ({', '.join(parts)})"


def print_report(
    console: Console,
    report: Mapping[str, Any],
    lang: str,
    *,
    show_personal: bool = False,
    total: int | None = None,
    full_list: str | None = None,
    prospective: bool = False,
) -> None:
    """The findings, the clean-file line when none is an error, and the summary of one file.

    OENs and birth dates are masked unless `show_personal` is set. `total`: how many findings
    the file has when `report` lists only the first ones; `full_list`: where all of them are
    (else `--json` is suggested); `prospective`: the file was only checked.
    """
    shown = report if show_personal else mask_report(report)
    hidden_personal = shown is not report and masks_anything(report, shown)
    report = shown
    if report["findings"]:
        console.print(Text(printable(report["file"]), style="bold"))
        print_findings(console, report, lang)
        hidden = (len(report["findings"]) if total is None else total) - MAX_CONSOLE_ROWS
        if hidden > 0:
            more = label(lang, "more saved" if full_list else "more")
            console.print(more.format(hidden=hidden, path=full_list), markup=False, soft_wrap=True)
        if hidden_personal:
            console.print(label(lang, "masked"), markup=False, soft_wrap=True)
    if is_clean(report):
        console.print(label(lang, "clean"))
    console.print(summary_line(report, lang, prospective), markup=False, highlight=False)
