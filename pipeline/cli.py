"""The `ost` command line (docs/commands.md): a thin layer over pipeline/ and the pure packages."""

from __future__ import annotations

import contextlib
import gc
import importlib
import sys
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from pipeline import cli_batch, cli_console, cli_data
from pipeline.cli_shared import (
    EXIT_CANNOT_RUN,
    EXIT_DATA_ERRORS,
    EXIT_OK,
    Lang,
    emit_json,
    guarded,
    json_flag,
    lang_option,
)
from pipeline.config import (
    load_settings,
    local_today,
    utc_now,
)
from pipeline.labels import label
from pipeline.printable import printable
from pipeline.private import private_umask
from pipeline.reasons import failures
from pipeline.review_cli import review_app

# What a command needs is imported by that command: `ost --help` and `ost glossary` start
# without polars, `ost validate` without sqlalchemy, alembic and the matching stack.
if TYPE_CHECKING:
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
    as_json: Annotated[bool, json_flag("Print the report as JSON.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")] = None,
    lang: Annotated[Lang, lang_option("Report language.")] = Lang.en,
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
    lang: Annotated[Lang, lang_option("Language of the glossary.")] = Lang.en,
) -> None:
    """The glossary: every code, or one, with its severity, message and corrective action."""
    from error_glossary import entry, glossary, render_message

    entries = [entry(code.upper())] if code else list(glossary().values())
    for item in entries:
        typer.echo(f"{item.code}  {label(lang.value, item.severity)}  {item.title[lang.value]}")
        typer.echo(f"    {render_message(item.code, lang.value, item.sample)}")
        typer.echo(f"    {label(lang.value, 'action')}: {item.action[lang.value]}")


def register_commands() -> None:
    """The command groups' commands, in the order `ost --help` lists them: the files processed
    (pipeline/cli_batch.py), the stored data (pipeline/cli_data.py), the review queue
    (pipeline/review_cli.py), the web console (pipeline/cli_console.py)."""
    app.command()(cli_batch.ingest)
    app.command()(cli_data.history)
    app.command("run")(cli_batch.run_inbox)
    app.command()(cli_batch.replay)
    app.command()(cli_batch.schedule)
    app.add_typer(cli_data.applicants_app, name="applicants")
    app.add_typer(cli_data.export_app, name="export")
    app.add_typer(cli_data.report_app, name="report")
    app.add_typer(review_app, name="review")
    cli_console.register(app)


register_commands()
FULL_COLLECTION_RARITY = 1000


def main() -> None:  # pragma: no cover - console entry point (tested as a process)
    """Console entry point: every failure in one line, a mistyped command line included."""
    private_umask()
    # Full collections rarer (1 in 1,000 middle ones, not 1 in 10): importing polars, sqlalchemy
    # and the models makes hundreds of thousands of objects that live as long as the process,
    # and walking all of them again and again was a tenth of `ost review list`. Young objects
    # are collected as often as before.
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, FULL_COLLECTION_RARITY)
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
