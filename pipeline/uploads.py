"""A file uploaded through the console: checked at once with the rules of `ost validate`, and
put into the inbox for the next scheduled run when it has no file-level error."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any

from pipeline.config import Settings
from pipeline.outputs import write_atomic
from pipeline.reports import validation_report
from pipeline.schedule import next_run_times
from pipeline.scope import Scope
from rules.filename import FILE_NAME
from rules.validate import CodeTables, ValidationResult, validate_file


class UploadRefused(ValueError):
    """An upload that is not checked at all (not this school's file, no file), with why."""


@dataclass(frozen=True)
class UploadOutcome:
    """The check of an uploaded file and where it went."""

    result: ValidationResult
    report: dict[str, Any]
    queued: Path | None  # the file in the inbox, or None when a file-level error kept it out


def uploaded_name(name: str | None) -> str:
    """The file's own name, without any folder a browser may send."""
    base = PurePath((name or "").replace("\\", "/")).name
    if not base or base in {".", ".."}:
        raise UploadRefused("no file was chosen")
    return base


def named_mident(name: str) -> str | None:
    """The MIDENT the file name gives (S885827.C2 -> 885827), if it follows the pattern."""
    found = FILE_NAME.fullmatch(name)
    return found["mident"] if found else None


def check_ownership(name: str, result: ValidationResult, scope: Scope) -> None:
    """A school uploads only its own files: the MIDENT of the name and of the header must
    both be one of its schools (where they can be read at all)."""
    for mident in (named_mident(name), result.header.mident):
        if mident is not None and not scope.allows(mident):
            raise UploadRefused(f"{name} is a file of school {mident}, not one of yours")
    if named_mident(name) is None and result.header.mident is None and not scope.everything:
        raise UploadRefused(f"{name} does not say which school it is from")


def receive_upload(
    name: str | None,
    data: bytes,
    *,
    settings: Settings,
    tables: CodeTables,
    scope: Scope,
    today: date,
    lang: str,
) -> UploadOutcome:
    """Check the file as `ost validate` does; queue it in the inbox unless it is rejected."""
    file_name = uploaded_name(name)
    result = validate_file(
        file_name, data, tables=tables, today=today, max_bytes=settings.max_file_bytes
    )
    check_ownership(file_name, result, scope)
    report = validation_report(result, lang).to_json()
    if result.status == "rejected":
        return UploadOutcome(result, report, None)
    target = settings.inbox / file_name
    # Written beside and renamed: the next run never sees half a file.
    write_atomic(target, data)
    return UploadOutcome(result, report, target)


def next_run(settings: Settings, now: datetime) -> datetime:
    """When the next scheduled run starts (OST_SCHEDULE in OST_TIMEZONE)."""
    return next_run_times(settings.schedule, settings.timezone, now)[0]
