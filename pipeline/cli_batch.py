"""`ost ingest`, `ost run`, `ost replay` and `ost schedule`: the commands that process files
(docs/commands.md, docs/operations.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar

import typer

from pipeline.cli_shared import (
    EXIT_DATA_ERRORS,
    EXIT_FAILED,
    EXIT_LOCKED,
    EXIT_OK,
    Lang,
    emit_json,
    fail,
    guarded,
    json_flag,
    lang_option,
)
from pipeline.config import Settings, load_settings
from pipeline.labels import label
from pipeline.printable import printable

T = TypeVar("T")

if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import TaskID

    from pipeline.ingest import IngestContext, IngestOutcome, TransmissionFailed
    from pipeline.report import Report
    from pipeline.run_summary import FileResult, QuietProgress


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


@guarded
def ingest(
    files: Annotated[list[Path], typer.Argument(help="OST files to process now")],
    as_json: Annotated[bool, json_flag("Print the report of each file as JSON.")] = False,
    lang: Annotated[Lang, lang_option("Console language.")] = Lang.en,
) -> None:
    """Register, validate, match, merge and report the given files now."""
    from pipeline.batch import ingest_locked
    from pipeline.config import batch_options
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

    from pipeline.logs import configure_logging
    from pipeline.run_summary import QuietProgress

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
    from pipeline.run_summary import has_data_errors, has_failures

    if run_failed or has_failures(results):
        return EXIT_FAILED
    return EXIT_DATA_ERRORS if has_data_errors(results) else EXIT_OK


@guarded
def run_inbox(
    as_json: Annotated[bool, json_flag("Print the run summary as JSON.")] = False,
) -> None:
    """One batch: every new file in the inbox, then re-matching of pending students."""
    from pipeline.batch import run_batch
    from pipeline.config import batch_options
    from pipeline.run_summary import summary_lines

    settings = load_settings()
    progress = batch_output(settings.logs)
    with batch_context(settings) as context:
        summary = unless_locked(lambda: run_batch(context, batch_options(), progress))
    if as_json:
        emit_json(summary.to_json())
    else:
        typer.echo("\n".join(summary_lines(summary)))
    raise typer.Exit(results_exit_code(summary.files, summary.error is not None))


@guarded
def replay(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Transmission ids, as `ost history` lists them")
    ] = None,
    failed: Annotated[
        bool, typer.Option("--failed", help="Every transmission whose status is failed.")
    ] = False,
    as_json: Annotated[bool, json_flag("Print the results as JSON.")] = False,
) -> None:
    """Process failed (or chosen) transmissions again from their archived originals."""
    from pipeline.config import batch_options
    from pipeline.replay import replay_transmissions
    from pipeline.run_summary import file_line

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
