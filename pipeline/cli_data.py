"""`ost applicants`, `ost history`, `ost export` and `ost report`: the stored data, read and
imported (docs/commands.md, docs/record.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from pipeline.cli_shared import (
    EXIT_DATA_ERRORS,
    EXIT_OK,
    MIDENT,
    cell,
    emit_json,
    fail,
    guarded,
    json_flag,
    opened_database,
)
from pipeline.config import load_settings, time_zone
from pipeline.labels import label
from pipeline.printable import printable

applicants_app = typer.Typer(help="Applicants from the application system.", no_args_is_help=True)


@applicants_app.command("import")
@guarded
def applicants_import(
    csv_file: Annotated[
        Path, typer.Argument(help="CSV with the applicant columns of docs/matching.md")
    ],
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Import the valid rows even if some are bad.")
    ] = False,
) -> None:
    """Add or update applicants by application number (all or nothing by default)."""
    from pipeline.applicants import read_applicants, upsert_applicants

    settings = load_settings()
    parsed = read_applicants(csv_file)
    for problem in parsed.problems.iter_rows(named=True):
        where = f"{printable(csv_file.name)}:{problem['line']}"
        typer.echo(f"{where}: {printable(problem['reason'])}", err=True)
    if not parsed.problems.is_empty() and not skip_invalid:
        fail(
            f"{parsed.problems.height} invalid row(s); nothing imported "
            "(fix them, or use --skip-invalid)",
            EXIT_DATA_ERRORS,
        )
    with opened_database(settings.database_url) as engine, engine.begin() as conn:
        count = upsert_applicants(conn, parsed.applicants, datetime.now(UTC))
    typer.echo(f"imported {count} applicant(s); pending students are matched again at the next run")
    raise typer.Exit(EXIT_DATA_ERRORS if parsed.problems.height else EXIT_OK)


@applicants_app.command("show")
@guarded
def applicants_show(
    application_number: Annotated[
        str, typer.Argument(help="The applicant's application number, e.g. 2026-104037")
    ],
    as_json: Annotated[bool, json_flag("The applicant as JSON.")] = False,
    show_personal: Annotated[
        bool, typer.Option("--show-personal", help="Show the OEN and birth date unmasked.")
    ] = False,
) -> None:
    """An applicant's academic record: S1 facts, courses, total credits, grade status."""
    from pipeline.console import make_console
    from pipeline.queries import applicant_view
    from pipeline.record_console import print_academic_record

    with opened_database(load_settings().database_url) as engine, engine.connect() as conn:
        view = applicant_view(conn, application_number)
    if view is None:
        fail(f"no applicant {application_number}", EXIT_DATA_ERRORS)
    if as_json:
        emit_json(view)
        return
    print_academic_record(make_console(), view, show_personal)
    if not show_personal:
        typer.echo(label("en", "masked"))


@guarded
def history(
    status: Annotated[str | None, typer.Option("--status", help="Only this status")] = None,
    as_json: Annotated[bool, json_flag("The history as JSON.")] = False,
) -> None:
    """The upload history: file, school, period, received, status, counts."""
    from rich.table import Table

    from pipeline.console import make_console
    from pipeline.models import TRANSMISSION_STATUSES
    from pipeline.store.transmissions import history

    if status is not None and status not in TRANSMISSION_STATUSES:
        fail(f"--status must be one of {', '.join(TRANSMISSION_STATUSES)}; not {status!r}")

    settings = load_settings()
    zone = time_zone(settings.timezone)  # received times shown as the operators' clock reads
    with opened_database(settings.database_url) as engine, engine.connect() as conn:
        rows = history(conn, status)
    if as_json:
        emit_json(json.loads(rows.write_json()))
        return
    table = Table(
        "id",
        "file",
        "school",
        "period",
        "received",
        "status",
        "students",
        "grades",
        "errors",
        "warnings",
        "reason",
    )
    for row in rows.iter_rows(named=True):
        received = row["received_at"]
        table.add_row(
            str(row["id"]),
            cell(row["file"]),
            cell(row["school"]),
            cell(row["period"]),
            f"{received.astimezone(zone):%Y-%m-%d %H:%M %Z}" if received else "",
            row["status"],
            str(row["students"]),
            str(row["grades"]),
            str(row["errors"]),
            str(row["warnings"]),
            cell(row["failure_reason"]),
        )
    make_console().print(table)


export_app = typer.Typer(help="Exports of merged data.", no_args_is_help=True)


@export_app.command("courses")
@guarded
def export_courses(
    mident: Annotated[str | None, typer.Option("--mident", help="Only this school")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV (the default)")] = False,
    as_json: Annotated[bool, json_flag("JSON instead of CSV")] = False,
    personal: Annotated[
        bool, typer.Option("--personal", help="Add the student's OEN and birth date, masked.")
    ] = False,
    show_personal: Annotated[
        bool, typer.Option("--show-personal", help="Add the OEN and birth date unmasked.")
    ] = False,
) -> None:
    """Every merged course with the transmission that last changed it and the student's names."""
    from pipeline import queries
    from pipeline.reports import render_rows_csv

    if mident is not None and not MIDENT.fullmatch(mident):
        fail(f"--mident must be a school's six-digit MIDENT, such as 885827; not {mident!r}")
    if as_csv and as_json:
        fail("--csv and --json: choose one")

    with opened_database(load_settings().database_url) as engine, engine.connect() as conn:
        rows = queries.export_courses(conn, mident=mident, personal=personal or show_personal)
    if personal and not show_personal:
        from pipeline.privacy import masked_personal_columns

        rows = rows.with_columns(masked_personal_columns())
    if as_json:
        emit_json(rows.to_dicts())
    else:
        typer.echo(render_rows_csv(rows.columns, rows.rows()), nl=False)


report_app = typer.Typer(help="Reports for schools and admissions.", no_args_is_help=True)


@report_app.command("applicant-status")
@guarded
def report_applicant_status(
    midents: Annotated[
        list[str], typer.Option("--mident", help="A school (repeat for a board's schools)")
    ],
    xlsx: Annotated[Path, typer.Option("--xlsx", help="The workbook to write")],
) -> None:
    """The applicant status report: one sheet per school (docs/record.md)."""
    from pipeline.applicant_status import applicant_status_by_school
    from pipeline.workbook import write_status_workbook

    for mident in midents:
        if not MIDENT.fullmatch(mident):
            fail(f"--mident must be a school's six-digit MIDENT, such as 885827; not {mident!r}")
    with opened_database(load_settings().database_url) as engine, engine.connect() as conn:
        reports = applicant_status_by_school(conn, midents)
    write_status_workbook(reports, xlsx)
    counts = ", ".join(f"{mident} {report.height}" for mident, report in reports.items())
    typer.echo(f"wrote {xlsx}: applicants per school {counts}")
