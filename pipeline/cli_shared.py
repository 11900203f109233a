"""What every `ost` command shares: exit codes, the one-line failure, JSON output, the database.

The command modules (pipeline/cli.py and the command groups beside it) import these from here,
never from each other, so that any of them can be loaded first.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from enum import StrEnum
from typing import TYPE_CHECKING, Any, NoReturn, ParamSpec, TypeVar

import typer

from pipeline.config import ConfigError
from pipeline.printable import printable
from pipeline.reasons import failures, one_line

if TYPE_CHECKING:
    from rich.text import Text

    from pipeline.database import Engine

P = ParamSpec("P")
R = TypeVar("R")

EXIT_OK, EXIT_DATA_ERRORS, EXIT_CANNOT_RUN, EXIT_FAILED = 0, 1, 2, 4
EXIT_LOCKED = 3  # another run holds the run lock
MIDENT = re.compile(r"[0-9]{6}")  # docs/format.md: a school's ministry identifier


class Lang(StrEnum):
    en = "en"
    fr = "fr"


def json_flag(help: str) -> Any:
    """`--json`, the one flag that prints a command's output as JSON; `help` says what."""
    return typer.Option("--json", help=help)


def lang_option(help: str) -> Any:
    """`--lang`, the one option that picks a command's language (en, fr); `help` says for what."""
    return typer.Option("--lang", help=help)


def expected_failures() -> tuple[type[Exception], ...]:
    """Failures a user can act on, with their own one-line reason."""
    from error_glossary import UnknownCode
    from pipeline.applicants import ApplicantFileError
    from pipeline.files import UnreadableFile
    from rules.code_tables import CodeTableError

    return (UnreadableFile, ApplicantFileError, ConfigError, CodeTableError, UnknownCode, OSError)


def unforeseen(error: BaseException) -> str:
    """One line for a failure no command plans for; a database error gives the server's reason
    (SQLAlchemy's own text adds the statement and a link on further lines)."""
    if "pipeline.database" in sys.modules:  # loaded whenever a database error can happen
        from pipeline.database import is_database_error

        if is_database_error(error):
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
        except failures() as error:  # the promise is one line, never a traceback
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
    from rich.text import Text

    return Text(printable("" if value is None else value))


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


@contextmanager
def opened_database(url: str) -> Iterator[Engine]:
    """A migrated database for one command; its connections closed at the end."""
    from pipeline.database import open_database

    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()
