"""The applicant status report as an Excel workbook: one sheet per school (docs/record.md)."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import polars as pl
from xlsxwriter import Workbook

HEADINGS = {
    "application_number": "Application number",
    "surname": "Surname",
    "first_name": "First name",
    "student_number": "Student number",
    "paid": "Paid",
    "grade_status": "Grade status",
    "courses": "Courses",
    "finals": "Finals",
    "total_credits": "Total credits",
    "last_change": "Last change",
}
# The date column, which autofit cannot measure, in pixels.
DATE_WIDTH_PIXELS = 90


def status_sheet(report: pl.DataFrame) -> pl.DataFrame:
    """The report's columns as the workbook shows them: headings, yes/no, text codes."""
    return report.with_columns(
        pl.when(pl.col("paid")).then(pl.lit("yes")).otherwise(pl.lit("no")).alias("paid")
    ).rename(HEADINGS)


def write_status_workbook(reports: Mapping[str, pl.DataFrame], path: Path) -> None:
    """The workbook written to `path` (`status_workbook`)."""
    path.write_bytes(status_workbook(reports))


def status_workbook(reports: Mapping[str, pl.DataFrame]) -> bytes:
    """One sheet per school, named by its MIDENT: frozen header row, filters, readable widths.

    As bytes, for a file or a download alike.
    """
    buffer = io.BytesIO()
    with Workbook(buffer, {"in_memory": True}) as workbook:
        for mident, report in reports.items():
            status_sheet(report).write_excel(
                workbook=workbook,
                worksheet=mident,
                header_format={"bold": True},
                freeze_panes=(1, 0),
                autofilter=True,
                autofit=True,
                column_formats={
                    HEADINGS["total_credits"]: "0.00",
                    HEADINGS["last_change"]: "yyyy-mm-dd",
                    HEADINGS["application_number"]: "@",
                    HEADINGS["student_number"]: "@",
                },
                column_widths={HEADINGS["last_change"]: DATE_WIDTH_PIXELS},
                include_header=True,
            )
    return buffer.getvalue()
