"""The `ost` command line (SPEC 7): a thin layer over pipeline/ and the pure packages."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from datetime import date
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console

from error_glossary import UnknownCode, entry, glossary, render_message
from pipeline.config import ConfigError, load_settings
from pipeline.console import print_report
from pipeline.files import UnreadableFile, validate_path
from pipeline.labels import label
from pipeline.reports import render_html, validation_report
from rules.code_tables import CodeTableError
from rules.validate import packaged_code_tables

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_DATA_ERRORS, EXIT_CANNOT_RUN = 0, 1, 2

app = typer.Typer(
    name="ost",
    help="Ingest, validate and report OST grade transmissions.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


class Lang(str, Enum):
    en = "en"
    fr = "fr"


# Failures a user can act on, with their own one-line reason.
EXPECTED_FAILURES: tuple[type[Exception], ...] = (
    UnreadableFile,
    ConfigError,
    CodeTableError,
    UnknownCode,
    OSError,
)


def guarded(command: Callable[P, R]) -> Callable[P, R]:
    """Any failure ends in one line on stderr and exit 2, never a traceback."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return command(*args, **kwargs)
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except EXPECTED_FAILURES as error:
            fail(str(error).strip("'\""))
        except Exception as error:  # noqa: BLE001 - the promise is one line, never a traceback
            fail(f"unexpected {type(error).__name__}: {error}")

    return run


def fail(reason: str, code: int = EXIT_CANNOT_RUN) -> typer.Exit:
    typer.echo(f"ost: {reason}", err=True)
    raise typer.Exit(code)


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@app.command()
@guarded
def validate(
    files: Annotated[list[Path], typer.Argument(help="OST files, e.g. S885827.C2")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the SPEC JSON report.")] = False,
    html: Annotated[Path | None, typer.Option("--html", help="Write an HTML report here.")] = None,
    lang: Annotated[Lang, typer.Option("--lang", help="Report language.")] = Lang.en,
) -> None:
    """Check files as the upload would (no database): exit 0 clean, 1 errors, 2 cannot run."""
    settings = load_settings()
    tables = packaged_code_tables()
    today = date.today()
    results = [
        validate_path(path, tables=tables, today=today, max_bytes=settings.max_file_bytes)
        for path in files
    ]
    reports = [validation_report(result, lang.value) for result in results]
    if html is not None:
        html.write_text(render_html(results, reports, lang.value), encoding="utf-8")
    if as_json:
        emit_json(reports[0] if len(reports) == 1 else reports)
    else:
        console = Console(soft_wrap=False)
        for report in reports:
            print_report(console, report, lang.value)
    raise typer.Exit(EXIT_DATA_ERRORS if any(r["counts"]["errors"] for r in reports) else EXIT_OK)


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


def main() -> None:
    """Console entry point."""
    try:
        app()
    except Exception as error:  # noqa: BLE001 - last resort: one line, never a traceback
        print(f"ost: unexpected {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(EXIT_CANNOT_RUN)
