"""The applicant status report (docs/record.md), written by the CLI and read back with openpyxl."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.ingest import IngestContext
from tests.pipeline.builders import applicant, grade, transmission
from tests.pipeline.test_merge import EMILIE, add_applicants, ingest
from tests.pipeline.test_record import COURSES, FACTS, emilie

HEADER = (
    "Application number",
    "Surname",
    "First name",
    "Student number",
    "Paid",
    "Grade status",
    "Courses",
    "Finals",
    "Total credits",
    "Last change",
)
# Declared the school, not matched to any of its students yet.
NOAH = applicant("2026-000002", "Noah", "Campbell", date(2008, 2, 2), paid=False)
# Declared another school only: not on this school's sheet.
ZARA = applicant("2026-000003", "Zara", "Ali", date(2008, 3, 3), school_midents="871234")


def write_report(ctx: IngestContext, path: Path, *midents: str) -> Any:
    env = {
        "OST_HOME": str(ctx.settings.home),
        "OST_DATABASE_URL": ctx.settings.database_url,
    }
    options = [item for mident in midents for item in ("--mident", mident)]
    result = CliRunner().invoke(
        app, ["report", "applicant-status", *options, "--xlsx", str(path)], env=env
    )
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(path)


def rows_of(sheet: Any) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


@pytest.fixture
def ctx_with_school(ingest_ctx: IngestContext) -> IngestContext:
    add_applicants(ingest_ctx, EMILIE, NOAH, ZARA)
    ingest(ingest_ctx, transmission([emilie(FACTS, *COURSES)]))
    return ingest_ctx


def test_one_sheet_per_school_with_its_applicants(
    ctx_with_school: IngestContext, tmp_path: Path
) -> None:
    book = write_report(ctx_with_school, tmp_path / "status.xlsx", "885827", "871234")
    assert book.sheetnames == ["885827", "871234"]
    rows = rows_of(book["885827"])
    assert rows[0] == HEADER
    noah_row, emilie_row = rows[1:]  # by surname: Campbell, Gagnon
    # The school's own names for its matched student; the courses it sent, credits earned.
    assert emilie_row[:9] == (
        EMILIE["application_number"],
        "GAGNON",
        "ÉMILIE",
        "4471002",
        "yes",
        "partial",
        6,
        5,
        2.5,
    )
    assert emilie_row[9].date() == date(2026, 11, 15)  # the transmission's creation date
    assert noah_row == ("2026-000002", "Campbell", "Noah", None, "no", "none", 0, 0, 0, None)
    assert [row[0] for row in rows_of(book["871234"])[1:]] == ["2026-000003"]


def test_sheets_have_a_frozen_header_filters_and_readable_widths(
    ctx_with_school: IngestContext, tmp_path: Path
) -> None:
    sheet = write_report(ctx_with_school, tmp_path / "status.xlsx", "885827")["885827"]
    assert sheet.freeze_panes == "A2"
    [table] = sheet.tables.values()
    assert table.autoFilter is not None and table.autoFilter.ref == "A1:J3"
    for column, heading in zip("ABCDEFGHIJ", HEADER, strict=True):
        assert sheet.column_dimensions[column].width >= len(heading), heading
    assert sheet["I2"].number_format == "0.00"
    assert sheet["J2"].number_format == "yyyy-mm-dd"


def test_the_final_grade_status_once_every_course_is_final(
    ingest_ctx: IngestContext, tmp_path: Path
) -> None:
    add_applicants(ingest_ctx, EMILIE)
    ingest(ingest_ctx, transmission([emilie({}, grade("ENG4U", "202606", "F", "085"))]))
    rows = rows_of(write_report(ingest_ctx, tmp_path / "s.xlsx", "885827")["885827"])
    assert rows[1][5:9] == ("final", 1, 1, 1)


def test_a_school_without_applicants_gets_a_sheet_with_its_header(
    ingest_ctx: IngestContext, tmp_path: Path
) -> None:
    rows = rows_of(write_report(ingest_ctx, tmp_path / "empty.xlsx", "880000")["880000"])
    assert rows == [HEADER]


def test_a_bad_mident_is_one_line(tmp_path: Path) -> None:
    env = {"OST_HOME": str(tmp_path), "OST_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"}
    arguments = ["report", "applicant-status", "--mident", "88582", "--xlsx", "x.xlsx"]
    result = CliRunner().invoke(app, arguments, env=env)
    assert result.exit_code == 2
    assert result.stderr.strip() == (
        "ost: --mident must be a school's six-digit MIDENT, such as 885827; not '88582'"
    )


def test_a_workbook_that_cannot_be_written_is_one_line(tmp_path: Path) -> None:
    env = {"OST_HOME": str(tmp_path), "OST_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"}
    target = tmp_path / "no such folder" / "status.xlsx"
    arguments = ["report", "applicant-status", "--mident", "885827", "--xlsx", str(target)]
    result = CliRunner().invoke(app, arguments, env=env)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("ost: ") and "Traceback" not in result.stderr
