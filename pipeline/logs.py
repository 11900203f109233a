"""Structured log lines (JSON, one object a line) in OST_HOME/logs/ost.log, personal data masked.

The commands that process transmissions (`run`, `schedule`, `ingest`, `replay`) call
`configure_logging`; everything under the `ost` logger (and APScheduler's warnings) goes
to a rotating file, and optionally as `key=value` lines to stderr.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import traceback
from datetime import UTC, datetime
from logging.handlers import RotatingFileHandler
from pathlib import Path
from typing import Any

from pipeline.printable import printable
from pipeline.private import private_file, private_folder

LOG_FILE = "ost.log"
MAX_BYTES = 10 * 2**20
BACKUP_COUNT = 10
LOGGERS = ("ost", "apscheduler")
# APScheduler's own information (jobs added, triggers' internals) says nothing an operator acts
# on; its warnings (a missed run) and errors do.
LIBRARY_LEVEL = logging.WARNING

# An OEN is nine digits (docs/format.md); a birth date YYYYMMDD or YYYY-MM-DD. Digits on either side
# mean a longer number (a header timestamp, an archive id), which is left alone; so is a date
# with a time of day (a next run, a received time): a birth date never has one.
OEN = re.compile(r"(?<!\d)\d{9}(?!\d)")
DATE = re.compile(
    r"(?<!\d)(?:19|20)\d\d(-?)(?:0[1-9]|1[0-2])\1(?:0[1-9]|[12]\d|3[01])(?!\d)"
    r"(?![T ]\d{1,2}:\d\d)",
)
OEN_MASK = "#########"
DATE_MASK = "####-##-##"

# Attributes every LogRecord has; anything else was passed with `extra=` and is a field.
STANDARD_ATTRIBUTES = frozenset(
    logging.LogRecord("", 0, "", 0, "", None, None).__dict__.keys() | {"message", "asctime"}
)

_installed: list[logging.Handler] = []


def mask(text: str) -> str:
    """`text` with nine-digit numbers (OENs) and calendar dates without a time (birth dates)
    replaced by a mask."""
    return DATE.sub(DATE_MASK, OEN.sub(OEN_MASK, text))


class MaskPersonalData(logging.Filter):
    """Masks OENs and dates in the message, its string fields and its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = mask(record.getMessage())
        record.args = None
        for name, value in list(record.__dict__.items()):
            if name not in STANDARD_ATTRIBUTES and isinstance(value, str):
                setattr(record, name, mask(value))
        if record.exc_info and not record.exc_text:
            record.exc_text = mask("".join(traceback.format_exception(*record.exc_info)).rstrip())
        return True


def fields_of(record: logging.LogRecord) -> dict[str, Any]:
    """The `extra=` fields of a record."""
    return {k: v for k, v in record.__dict__.items() if k not in STANDARD_ATTRIBUTES}


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message and the extra fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
            **fields_of(record),
        }
        if record.exc_text:
            line["exception"] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class KeyValueLines(logging.Formatter):
    """`time level message key=value ...` for a human reading stderr or the journal."""

    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%H:%M:%S")
        fields = {k: v for k, v in fields_of(record).items() if v is not None}
        pairs = " ".join(f"{k}={json.dumps(v, default=str)}" for k, v in fields.items())
        # One record, one line: a newline or escape sequence in a file name is shown escaped.
        text = f"{when} {record.levelname.lower()} {printable(record.getMessage())}"
        return f"{text} {pairs}".rstrip()


class StderrLines(logging.Handler):
    """Writes to whatever `sys.stderr` is at the time (it may be replaced, e.g. under test)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
            sys.stderr.flush()
        except Exception:  # noqa: BLE001 - logging must never break the command
            self.handleError(record)


def configure_logging(logs: Path, *, echo: bool = False, level: int = logging.INFO) -> Path:
    """Log to `logs/ost.log` (rotating), and to stderr when `echo`; replaces an earlier setup."""
    reset_logging()
    path = private_file(private_folder(logs) / LOG_FILE)
    to_file = RotatingFileHandler(
        path, maxBytes=MAX_BYTES, backupCount=BACKUP_COUNT, encoding="utf-8"
    )
    to_file.setFormatter(JsonLines())
    handlers: list[logging.Handler] = [to_file]
    if echo:
        to_stderr = StderrLines()
        to_stderr.setFormatter(KeyValueLines())
        handlers.append(to_stderr)
    for handler in handlers:
        handler.addFilter(MaskPersonalData())
        for name in LOGGERS:
            logging.getLogger(name).addHandler(handler)
    for name in LOGGERS:
        logging.getLogger(name).setLevel(max(level, LIBRARY_LEVEL) if name != "ost" else level)
    _installed.extend(handlers)
    return path


def reset_logging() -> None:
    """Remove and close the handlers `configure_logging` installed."""
    for handler in _installed:
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(handler)
        handler.close()
    _installed.clear()
