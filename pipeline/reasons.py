"""A failure told in one line: for the history, the run summary, the log and stderr."""

from __future__ import annotations

import sys


class _NotLoaded(Exception):
    """Stands for PanicException while polars is not loaded: nothing can raise it then."""


def _panic_type() -> type[BaseException]:
    if "polars" not in sys.modules:  # `ost --help` and `ost glossary` start without polars
        return _NotLoaded
    from polars.exceptions import PanicException

    return PanicException


def failures() -> tuple[type[BaseException], ...]:
    """What a command or a run treats as a failure to report, for `except failures()`.

    polars' PanicException (a bug or an exhausted resource inside polars) is not an Exception,
    and would otherwise escape as a traceback with exit 1, which means "data errors".
    """
    return (Exception, _panic_type())


def first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def one_line(error: BaseException) -> str:
    """The error's own reason on one line; a database error gives the server's reason only.

    SQLAlchemy's text adds the statement, its parameters (students' values among them) and a
    link on further lines: none of that belongs in the history or on an operator's terminal.
    """
    database_errors = sys.modules.get("sqlalchemy.exc")  # loaded if the error can be one
    if database_errors is not None and isinstance(error, database_errors.StatementError):
        cause = error.orig
        if cause is not None:
            return first_line(str(cause)) or type(cause).__name__
    return first_line(str(error)) or type(error).__name__
