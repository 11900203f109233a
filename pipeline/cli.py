"""The `ost` command line (SPEC 7): a thin layer over pipeline/ and the pure packages."""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import os
import re
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from error_glossary import UnknownCode, entry, glossary, render_message
from pipeline.config import ConfigError, Settings, load_settings, time_zone
from pipeline.console import MAX_CONSOLE_ROWS, make_console, print_report
from pipeline.files import UnreadableFile, size_or_zero, validate_path
from pipeline.labels import label
from pipeline.logs import configure_logging
from pipeline.printable import printable
from pipeline.privacy import masked_personal_columns
from pipeline.private import private_umask
from pipeline.reasons import one_line
from pipeline.reports import render_html, render_rows_csv, validation_report
from rules.code_tables import CodeTableError
from rules.validate import ValidationResult, packaged_code_tables

# The database, matching and scheduling stack is imported by the commands that use it:
# `ost validate` and `ost glossary` start without paying for sqlalchemy, alembic and the rest.
if TYPE_CHECKING:
    from rich.progress import TaskID
    from sqlalchemy import Engine

    from pipeline.batch import FileResult, QuietProgress
    from pipeline.ingest import IngestContext, IngestOutcome, TransmissionFailed

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_DATA_ERRORS, EXIT_CANNOT_RUN, EXIT_FAILED = 0, 1, 2, 4
EXIT_LOCKED = 3  # another run holds the run lock
MIDENT = re.compile(r"[0-9]{6}")  # SPEC 2.2: a school's ministry identifier

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


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def expected_failures() -> tuple[type[Exception], ...]:
    """Failures a user can act on, with their own one-line reason."""
    from pipeline.applicants import ApplicantFileError

    return (UnreadableFile, ApplicantFileError, ConfigError, CodeTableError, UnknownCode, OSError)


def unforeseen(error: Exception) -> str:
    """One line for a failure no command plans for; a database error gives the server's reason
    (SQLAlchemy's own text adds the statement and a link on further lines)."""
    from sqlalchemy.exc import DBAPIError

    if isinstance(error, DBAPIError) and error.orig is not None:
        return f"the database could not be used: {one_line(error)}"
    return f"unexpected {type(error).__name__}: {one_line(error)}"


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Any failure ends in one line on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except BrokenPipeError:
            # The reader went away (`ost glossary | head`): nothing left to say to anyone.
            sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - keeps the interpreter quiet at exit
            raise typer.Exit(EXIT_OK) from None
        except Exception as error:  # noqa: BLE001 - the promise is one line, never a traceback
            if not isinstance(error, expected_failures()):
                fail(unforeseen(error))
            if isinstance(error, OSError) and error.filename is not None and error.strerror:
                fail(f"{error.filename}: {error.strerror}")  # not "[Errno 21] Is a directory: ..."
            fail(str(error))

    return run


def fail(reason: str, code: int = EXIT_CANNOT_RUN) -> NoReturn:
    typer.echo(f"ost: {printable(reason)}", err=True)
    raise typer.Exit(code)


def cell(value: object) -> Text:
    """A table cell from stored text: shown escaped (`printable`), never read as rich markup."""
    return Text(printable("" if value is None else value))


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@app.command()
@guarded
def validate(
    files: Annotated[list[Path], typer.Argument(help="OST files, e.g. S885827.C2")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the SPEC JSON report.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.en,
    show_personal: Annotated[
        bool, typer.Option("--show-personal", help="Show OENs and birth dates unmasked.")
    ] = False,
) -> None:
    """Check files as the upload would (no database): exit 0 clean, 1 errors, 2 cannot run."""
    settings = load_settings()
    if sum(size_or_zero(path) for path in files) >= BACKGROUND_IMPORT_BYTES:
        import_in_background(FAILURE_CASES_MODULE)
    tables = packaged_code_tables()
    today = date.today()
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
        html.write_text(render_html(results, reports, lang.value), encoding="utf-8")
    if as_json:
        emit_json(reports[0] if len(files) == 1 else reports)
    else:
        console = make_console()
        for result, report in zip(results, reports, strict=True):
            total = result.findings.height
            print_report(
                console,
                report,
                lang.value,
                show_personal=show_personal,
                total=total,
                prospective=True,
            )
    if unreadable:
        raise typer.Exit(EXIT_CANNOT_RUN)
    raise typer.Exit(EXIT_DATA_ERRORS if any(r["counts"]["errors"] for r in reports) else EXIT_OK)


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
    lang: Annotated[Lang, typer.Option("--lang")] = Lang.en,
) -> None:
    """The glossary: every code, or one, with its severity, message and corrective action."""
    entries = [entry(code.upper())] if code else list(glossary().values())
    for item in entries:
        typer.echo(f"{item.code}  {label(lang.value, item.severity)}  {item.title[lang.value]}")
        typer.echo(f"    {render_message(item.code, lang.value, item.sample)}")
        typer.echo(f"    {label(lang.value, 'action')}: {item.action[lang.value]}")


def print_outcomes(
    outcomes: list[IngestOutcome | TransmissionFailed], lang: str, reports: Path
) -> None:
    """Each ingested file's findings and counts; `reports` holds their full reports."""
    from pipeline.ingest import TransmissionFailed
    from pipeline.outputs import report_file

    console = make_console()
    for outcome in outcomes:
        if isinstance(outcome, TransmissionFailed):
            # The reason holds the file name: shown as text, never as markup.
            line = Text(label(lang, "failed"), style="bold red")
            console.print(line.append(f" {printable(outcome)}"), highlight=False)
            continue
        full_list = report_file(reports, outcome.transmission_id, lang, "csv")
        report = outcome.reports[lang]
        print_report(console, report, lang, full_list=str(full_list))
        stages = [report["matching"], report["merge"]]
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
    errors = any(o.report["counts"]["errors"] for o in outcomes if isinstance(o, IngestOutcome))
    return EXIT_DATA_ERRORS if errors else EXIT_OK


@app.command()
@guarded
def ingest(
    files: Annotated[list[Path], typer.Argument(help="OST files to process now")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the SPEC JSON per file.")] = False,
    lang: Annotated[Lang, typer.Option("--lang", help="Console language.")] = Lang.en,
) -> None:
    """Register, validate, match, merge and report the given files now."""
    from pipeline.batch import batch_options, ingest_locked
    from pipeline.ingest import IngestOutcome

    settings = load_settings()
    configure_logging(settings.logs)
    with batch_context(settings) as context:
        outcomes = unless_locked(lambda: ingest_locked(context, files, batch_options()))
    if as_json:
        items = [o.report if isinstance(o, IngestOutcome) else failure_json(o) for o in outcomes]
        emit_json(items[0] if len(items) == 1 else items)
    else:
        print_outcomes(outcomes, lang.value, settings.reports)
    raise typer.Exit(outcome_exit_code(outcomes))


def failure_json(failure: TransmissionFailed) -> dict[str, Any]:
    """What `ost ingest --json` says of a transmission whose run broke (replayable)."""
    return {
        "id": failure.transmission_id,
        "file": failure.file_name,
        "status": "failed",
        "reason": str(failure),
    }


applicants_app = typer.Typer(help="Applicants from the application system.", no_args_is_help=True)
app.add_typer(applicants_app, name="applicants")


@applicants_app.command("import")
@guarded
def applicants_import(
    csv_file: Annotated[Path, typer.Argument(help="CSV in the SPEC 5 columns")],
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
    application_number: Annotated[str, typer.Argument()],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    show_personal: Annotated[
        bool, typer.Option("--show-personal", help="Show the OEN and birth date unmasked.")
    ] = False,
) -> None:
    """An applicant's academic record: S1 facts, courses, total credits, grade status."""
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


@app.command()
@guarded
def history(
    status: Annotated[str | None, typer.Option("--status", help="Only this status")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """The upload history: file, school, period, received, status, counts."""
    from pipeline import queries
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

    if mident is not None and not MIDENT.fullmatch(mident):
        fail(f"--mident must be a school's six-digit MIDENT, such as 885827; not {mident!r}")
    if as_csv and as_json:
        fail("--csv and --json: choose one")

    with opened_database(load_settings().database_url) as engine, engine.connect() as conn:
        rows = queries.export_courses(conn, mident=mident, personal=personal or show_personal)
    if personal and not show_personal:
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
    from pipeline.batch import QuietProgress

    console = Console(stderr=True)
    configure_logging(logs, echo=not console.is_terminal)
    return ProgressBar(console) if console.is_terminal else QuietProgress()


@contextmanager
def opened_database(url: str) -> Iterator[Engine]:
    """A migrated database for one command; its connections closed at the end."""
    from pipeline.database import open_database

    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()


@contextmanager
def batch_context(settings: Settings) -> Iterator[IngestContext]:
    """The ingest context of a batch command; its database connections closed at the end."""
    from pipeline.runtime import ingest_context

    context = ingest_context(settings)
    try:
        yield context
    finally:
        context.engine.dispose()


def unless_locked(call: Callable[[], R]) -> R:
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
    from pipeline.runtime import ensure_folders

    settings = load_settings()
    ensure_folders(settings)  # the inbox is there before the first file is copied in
    configure_logging(settings.logs, echo=True)
    # Fail now, not at the first run, when the database cannot be reached.
    open_database(settings.database_url).dispose()
    serve(settings, echo=typer.echo)


def register_console_commands() -> None:
    from pipeline.cli_console import register

    register(app)


register_console_commands()


def main() -> None:  # pragma: no cover - console entry point (tested as a process)
    """Console entry point: every failure in one line, a mistyped command line included."""
    private_umask()
    try:
        code = app(standalone_mode=False)
    except typer.Abort:
        print("ost: aborted", file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
    except Exception as error:  # noqa: BLE001 - last resort: one line, never a traceback
        usage = usage_error_line(error)
        if usage is None:
            print(f"ost: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        elif usage:
            print(usage, file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
    sys.exit(code if isinstance(code, int) else EXIT_OK)


def usage_error_line(error: Exception) -> str | None:
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
