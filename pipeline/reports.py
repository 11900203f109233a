"""Per-file reports: the docs/commands.md JSON object, CSV and HTML (jinja2), in English or
French."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import polars as pl

from error_glossary import entry, render_message
from pipeline.labels import label
from pipeline.report import FINDING_KEYS as FINDING_KEYS
from pipeline.report import Capped, FindingRow, Report
from pipeline.report import is_clean as is_clean
from rules.validate import ValidationResult

# Beyond this many rows a human report lists the first ones and states the cap (counts stay exact).
MAX_LISTED_FINDINGS = 5000
# The JSON and CSV reports of a transmission list at most this many findings (about 10 MB of
# CSV); the JSON then says how many there are in all under "capped".
MAX_REPORTED_FINDINGS = 50_000
# Spreadsheet programs run a cell that starts with one of these as a formula.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

if TYPE_CHECKING:
    from jinja2 import Environment


@lru_cache(maxsize=1)
def _environment() -> Environment:
    """The template engine, loaded on the first HTML report (`ost validate` rarely asks one)."""
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("pipeline", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def finding_rows(
    findings: pl.DataFrame, lang: str, limit: int | None = None
) -> tuple[FindingRow, ...]:
    """Findings in docs/commands.md order, each with its message rendered in `lang`."""
    frame = findings if limit is None else findings.head(limit)
    context_only = [name for name in ("expected", "application_number") if name in frame.columns]
    rows = frame.select(*(k for k in FINDING_KEYS if k != "message"), *context_only).to_dicts()
    for row in rows:
        row["message"] = render_message(row["code"], lang, row)
        for name in context_only:
            del row[name]
    return tuple(rows)  # type: ignore[arg-type]


def validation_report(
    result: ValidationResult, lang: str = "en", limit: int | None = None
) -> Report:
    """The docs/commands.md `ost validate --json` report of one file.

    `limit` lists only the first findings (a terminal shows no more); the counts stay exact.
    """
    return listed_report(result, finding_rows(result.findings, lang, limit))


def listed_report(result: ValidationResult, rows: tuple[FindingRow, ...]) -> Report:
    """The report of `result` listing `rows`, its first findings rendered (all of them, or
    the first ones: the counts stay exact)."""
    header = result.header
    return Report(
        file=result.file_name,
        mident=header.mident,
        status=result.status,
        counts=result.counts,
        findings=rows,
        transmission_number=header.transmission_number,
        created_at=header.created_at,
    )


def capped_report(
    result: ValidationResult, lang: str, limit: int = MAX_REPORTED_FINDINGS
) -> Report:
    """`validation_report` listing at most `limit` findings; when there are more, the report
    says so: `"capped": {"listed": n, "total": m}` (the counts stay exact)."""
    return with_cap(validation_report(result, lang, limit), result.findings.height, limit)


def with_cap(report: Report, total: int, limit: int) -> Report:
    """`report` saying how many findings there are in all when it lists only `limit`."""
    return replace(report, capped=Capped(limit, total)) if total > limit else report


def neutralise_cell(value: object) -> str:
    """A CSV cell that a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def render_rows_csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV text with every cell neutralised against formula injection."""
    buffer = io.StringIO()
    # RFC 4180 CRLF: the writer quotes only cells holding a character of its line terminator,
    # so with a bare "\n" a stray CR inside a value would come out unquoted and split the row.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows([neutralise_cell(cell) for cell in row] for row in rows)
    return buffer.getvalue()


def render_csv(reports: Sequence[Report]) -> str:
    """One CSV row per finding, with the file it came from."""
    rows = (row for report in reports for row in report.flatten())
    return render_rows_csv(["file", *FINDING_KEYS], rows)


def csv_file_bytes(reports: Sequence[Report]) -> bytes:
    """`render_csv` as a file for schools: UTF-8 with a byte-order mark, without which Excel
    reads it as Windows-1252 and garbles every accented name."""
    return render_csv(reports).encode("utf-8-sig")


def _html_view(report: Report) -> dict[str, Any]:
    view = report.view()
    codes = sorted({row["code"] for row in report.findings})
    return {
        **view,
        "shown": view["findings"][:MAX_LISTED_FINDINGS],
        "entries": [entry(code) for code in codes],
    }


def render_html(reports: Sequence[Report], lang: str = "en") -> str:
    """One HTML page with a section per file; every value is escaped by the template engine."""
    template = _environment().get_template("report.html.j2")
    return template.render(
        files=[_html_view(report) for report in reports],
        lang=lang,
        t=lambda key: label(lang, key),
        capped=lambda shown, total: label(lang, "capped").format(shown=shown, total=total),
    )
