"""The `ost` command line (docs/commands.md): a thin layer over pipeline/ and the pure packages."""

from __future__ import annotations

import contextlib
import importlib
import json
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from pipeline.cli_shared import (
    EXIT_CANNOT_RUN,
    EXIT_DATA_ERRORS,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    MIDENT,
    Lang,
    cell,
    emit_json,
    fail,
    guarded,
    opened_database,
)
from pipeline.config import (
    Settings,
    load_settings,
    local_today,
    time_zone,
    utc_now,
)
from pipeline.labels import label
from pipeline.printable import printable
from pipeline.private import private_umask
from pipeline.reasons import failures

T = TypeVar("T")

# What a command needs is imported by that command: `ost --help` and `ost glossary` start
# without polars, `ost validate` without sqlalchemy, alembic and the matching stack.
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from pipeline.batch import FileResult, QuietProgress
    from pipeline.ingest import IngestContext, IngestOutcome, TransmissionFailed
    from pipeline.report import Report
    from rules.validate import ValidationResult

# pandera (and the pandas it brings) takes about half a second to import and is needed as soon
# as a record fails a rule: for a large file it is imported on another thread during the parse.
FAILURE_CASES_MODULE = "pandera.polars"
BACKGROUND_IMPORT_BYTES = 8 * 2**20

app = typer.Typer(
    name="ost",
    help="Ingest, validate and report OST grade transmissions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def private_files() -> None:
    """Everything a command creates is readable by the operating account only (umask 0077)."""
    private_umask()


@app.command()
@guarded
def validate(
    files: Annotated[list[Path], typer.Argument(help="OST files, e.g. S885827.C2")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.en,
    show_personal: Annotated[
        bool, typer.Option("--show-personal", help="Show OENs and birth dates unmasked.")
    ] = False,
) -> None:
    """Check files as the upload would (no database): exit 0 clean, 1 errors, 2 cannot run."""
    from pipeline.console import MAX_CONSOLE_ROWS, make_console, print_report
    from pipeline.files import UnreadableFile, size_or_zero, validate_path
    from pipeline.reports import render_html, validation_report
    from rules.validate import packaged_code_tables

    settings = load_settings()
    if sum(size_or_zero(path) for path in files) >= BACKGROUND_IMPORT_BYTES:
        import_in_background(FAILURE_CASES_MODULE)
    tables = packaged_code_tables()
    today = local_today(utc_now(), settings.timezone)
    results: list[ValidationResult] = []
    unreadable = 0
    for path in files:
        # As grep does: a path that cannot be read is named on stderr, the others are checked.
        try:
            results.append(
                validate_path(path, tables=tables, today=today, max_bytes=settings.max_file_bytes)
            )
        except UnreadableFile as error:
            typer.echo(f"ost: {printable(error)}", err=True)
            unreadable += 1
    if not results:
        raise typer.Exit(EXIT_CANNOT_RUN)
    # Rendering every message of a large file costs more than printing the ones a terminal shows.
    listed = None if as_json or html is not None else MAX_CONSOLE_ROWS
    reports = [validation_report(result, lang.value, listed) for result in results]
    if html is not None:
        html.write_text(render_html(reports, lang.value), encoding="utf-8")
    if as_json:
        emit_json(reports[0].to_json() if len(files) == 1 else [r.to_json() for r in reports])
    else:
        console = make_console()
        for result, report in zip(results, reports, strict=True):
            total = result.findings.height
            print_report(
                console,
                report.to_json(),
                lang.value,
                show_personal=show_personal,
                total=total,
                prospective=True,
            )
    if unreadable:
        raise typer.Exit(EXIT_CANNOT_RUN)
    raise typer.Exit(EXIT_DATA_ERRORS if any(r.counts.errors for r in reports) else EXIT_OK)


def import_in_background(module: str) -> threading.Thread:
    """Import `module` on another thread while this one parses (polars works without the GIL)."""

    def load() -> None:
        with contextlib.suppress(Exception):  # imported again where needed, and reported there
            importlib.import_module(module)

    thread = threading.Thread(target=load, name=f"import {module}", daemon=True)
    thread.start()
    return thread


@app.command("glossary")
@guarded
def show_glossary(
    code: Annotated[str | None, typer.Argument(help="One code, e.g. G004")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Language of the glossary.")] = Lang.en,
) -> None:
    """The glossary: every code, or one, with its severity, message and corrective action."""
    from error_glossary import entry, glossary, render_message

    entries = [entry(code.upper())] if code else list(glossary().values())
    for item in entries:
        typer.echo(f"{item.code}  {label(lang.value, item.severity)}  {item.title[lang.value]}")
        typer.echo(f"    {render_message(item.code, lang.value, item.sample)}")
        typer.echo(f"    {label(lang.value, 'action')}: {item.action[lang.value]}")


def print_outcomes(
    outcomes: list[IngestOutcome | TransmissionFailed], lang: str, reports: Path
) -> None:
    """Each ingested file's findings and counts; `reports` holds their full reports."""
    from pipeline.console import make_console, print_report
    from pipeline.ingest import TransmissionFailed
    from pipeline.outputs import report_file

    console = make_console()
    for outcome in outcomes:
        if isinstance(outcome, TransmissionFailed):
            # The reason holds the file name: shown as text, never as markup.
            from rich.text import Text

            line = Text(label(lang, "failed"), style="bold red")
            console.print(line.append(f" {printable(outcome)}"), highlight=False)
            continue
        full_list = report_file(reports, outcome.transmission_id, lang, "csv")
        report = outcome.reports[lang]
        print_report(console, report.to_json(), lang, full_list=str(full_list))
        stages = [report.matching or {}, report.merge or {}]
        console.print(
            f"  id {outcome.transmission_id}; "
            + "; ".join(
                ", ".join(f"{label(lang, name)} {count}" for name, count in stage.items())
                for stage in stages
            ),
            highlight=False,
        )


def outcome_exit_code(outcomes: list[IngestOutcome | TransmissionFailed]) -> int:
    from pipeline.ingest import IngestOutcome, TransmissionFailed

    if any(isinstance(o, TransmissionFailed) for o in outcomes):
        return EXIT_FAILED
    errors = any(o.report.counts.errors for o in outcomes if isinstance(o, IngestOutcome))
    return EXIT_DATA_ERRORS if errors else EXIT_OK


@app.command()
@guarded
def ingest(
    files: Annotated[list[Path], typer.Argument(help="OST files to process now")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report of each file as JSON.")
    ] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Console language.")] = Lang.en,
) -> None:
    """Register, validate, match, merge and report the given files now."""
    from pipeline.batch import batch_options, ingest_locked
    from pipeline.ingest import IngestOutcome
    from pipeline.logs import configure_logging

    settings = load_settings()
    configure_logging(settings.logs)
    with batch_context(settings) as context:
        outcomes = unless_locked(lambda: ingest_locked(context, files, batch_options()))
    if as_json:
        items = [
            (o.report if isinstance(o, IngestOutcome) else failure_report(o)).to_json()
            for o in outcomes
        ]
        emit_json(items[0] if len(items) == 1 else items)
    else:
        print_outcomes(outcomes, lang.value, settings.reports)
    raise typer.Exit(outcome_exit_code(outcomes))


def failure_report(failure: TransmissionFailed) -> Report:
    """What `ost ingest --json` says of a transmission whose run broke (replayable)."""
    from pipeline.report import FAILED, Report

    return Report(
        id=failure.transmission_id, file=failure.file_name, status=FAILED, reason=str(failure)
    )


applicants_app = typer.Typer(help="Applicants from the application system.", no_args_is_help=True)
app.add_typer(applicants_app, name="applicants")


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
    as_json: Annotated[bool, typer.Option("--json", help="The applicant as JSON.")] = False,
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


@app.command()
@guarded
def history(
    status: Annotated[str | None, typer.Option("--status", help="Only this status")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="The history as JSON.")] = False,
) -> None:
    """The upload history: file, school, period, received, status, counts."""
    from rich.table import Table

    from pipeline import queries
    from pipeline.console import make_console
    from pipeline.models import TRANSMISSION_STATUSES

    if status is not None and status not in TRANSMISSION_STATUSES:
        fail(f"--status must be one of {', '.join(TRANSMISSION_STATUSES)}; not {status!r}")

    settings = load_settings()
    zone = time_zone(settings.timezone)  # received times shown as the operators' clock reads
    with opened_database(settings.database_url) as engine, engine.connect() as conn:
        rows = queries.history(conn, status)
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
app.add_typer(export_app, name="export")


@export_app.command("courses")
@guarded
def export_courses(
    mident: Annotated[str | None, typer.Option("--mident", help="Only this school")] = None,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV (the default)")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="JSON instead of CSV")] = False,
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
app.add_typer(report_app, name="report")


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


class ProgressBar:
    """A batch's progress on a terminal."""

    def __init__(self, console: Console) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        columns = (TextColumn("{task.description:<16}"), BarColumn(), MofNCompleteColumn())
        self.bar = Progress(*columns, console=console)
        self.task: TaskID | None = None

    def start(self, total: int) -> None:
        self.bar.start()
        self.task = self.bar.add_task("files", total=total)

    def advance(self, result: FileResult) -> None:
        if self.task is not None:
            self.bar.update(self.task, advance=1, description=result.file)

    def finish(self) -> None:
        self.bar.stop()


def batch_output(logs: Path) -> ProgressBar | QuietProgress:
    """A progress bar on a terminal; plain log lines on stderr otherwise."""
    from rich.console import Console

    from pipeline.batch import QuietProgress
    from pipeline.logs import configure_logging

    console = Console(stderr=True)
    configure_logging(logs, echo=not console.is_terminal)
    return ProgressBar(console) if console.is_terminal else QuietProgress()


@contextmanager
def batch_context(settings: Settings) -> Iterator[IngestContext]:
    """The ingest context of a batch command; its database connections closed at the end."""
    from pipeline.runtime import ingest_context

    context = ingest_context(settings)
    try:
        yield context
    finally:
        context.engine.dispose()


def unless_locked(call: Callable[[], T]) -> T:
    """`call()`; when another run holds the lock, one line and exit 3."""
    from pipeline.lock import LockHeld

    try:
        return call()
    except LockHeld as error:
        fail(str(error), EXIT_LOCKED)


def results_exit_code(results: list[FileResult], run_failed: bool = False) -> int:
    from pipeline.batch import has_data_errors, has_failures

    if run_failed or has_failures(results):
        return EXIT_FAILED
    return EXIT_DATA_ERRORS if has_data_errors(results) else EXIT_OK


@app.command("run")
@guarded
def run_inbox(
    as_json: Annotated[bool, typer.Option("--json", help="Print the run summary as JSON.")] = False,
) -> None:
    """One batch: every new file in the inbox, then re-matching of pending students."""
    from pipeline.batch import batch_options, run_batch, summary_lines

    settings = load_settings()
    progress = batch_output(settings.logs)
    with batch_context(settings) as context:
        summary = unless_locked(lambda: run_batch(context, batch_options(), progress))
    if as_json:
        emit_json(summary.to_json())
    else:
        typer.echo("\n".join(summary_lines(summary)))
    raise typer.Exit(results_exit_code(summary.files, summary.error is not None))


@app.command()
@guarded
def replay(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Transmission ids, as `ost history` lists them")
    ] = None,
    failed: Annotated[
        bool, typer.Option("--failed", help="Every transmission whose status is failed.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the results as JSON.")] = False,
) -> None:
    """Process failed (or chosen) transmissions again from their archived originals."""
    from pipeline.batch import batch_options, file_line, replay_transmissions

    if failed == bool(ids):
        fail("give transmission ids, or --failed")
    settings = load_settings()
    progress = batch_output(settings.logs)
    options = batch_options(trigger="replay")
    chosen = None if failed else ids
    with batch_context(settings) as context:
        results = unless_locked(lambda: replay_transmissions(context, chosen, options, progress))
    if as_json:
        emit_json([asdict(result) for result in results])
    else:
        typer.echo("\n".join(map(file_line, results)) if results else "nothing to replay")
    raise typer.Exit(results_exit_code(results))


@app.command()
@guarded
def schedule() -> None:
    """The scheduler process: `ost run` at OST_SCHEDULE (04:00,16:00) in OST_TIMEZONE."""
    from jobs.scheduler import serve
    from pipeline.database import open_database
    from pipeline.logs import configure_logging
    from pipeline.runtime import ensure_folders

    settings = load_settings()
    ensure_folders(settings)  # the inbox is there before the first file is copied in
    configure_logging(settings.logs, echo=True)
    # Fail now, not at the first run, when the database cannot be reached.
    open_database(settings.database_url).dispose()
    serve(settings, echo=typer.echo)


def _review_commands() -> None:
    """`ost review ...` (pipeline/review_cli.py), registered once the helpers above exist."""
    from pipeline.review_cli import review_app

    app.add_typer(review_app, name="review")


_review_commands()


def _console_commands() -> None:
    """`ost users ...` and `ost serve` (pipeline/cli_console.py)."""
    from pipeline.cli_console import register

    register(app)


_console_commands()


def main() -> None:  # pragma: no cover - console entry point (tested as a process)
    """Console entry point: every failure in one line, a mistyped command line included."""
    private_umask()
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        print("ost: aborted", file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
    except failures() as error:  # last resort: one line, never a traceback
        usage = usage_error_line(error)
        if usage is None:
            print(f"ost: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        elif usage:
            print(usage, file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def usage_error_line(error: BaseException) -> str | None:
    """A command line typer refused (unknown option, bad value) in one line; None for any other
    error, and "" when typer has shown the help itself (`ost` alone)."""
    format_message = getattr(error, "format_message", None)
    if not callable(format_message) or not isinstance(getattr(error, "exit_code", None), int):
        return None
    message = str(format_message()).strip()
    if not message:
        return ""
    command = getattr(getattr(error, "ctx", None), "command_path", None) or "ost"
    return f"ost: {message} (see '{command} --help')"


if __name__ == "__main__":
    main()
