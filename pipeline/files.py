"""Reading transmissions from disk for validation (the pure rules get bytes, never paths)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from rules.validate import CodeTables, ValidationResult, oversized, validate_file


class UnreadableFile(OSError):
    """A path that is missing, a directory, or not readable: the command cannot run on it."""


def size_or_zero(path: Path) -> int:
    """The file's size, 0 when it cannot be read (whoever reads it reports why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def read_limited(path: Path, max_bytes: int) -> tuple[int, bytes | None]:
    """The file's size and its bytes, or None for the bytes when it is over the limit (F010)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise UnreadableFile(f"{path}: not a regular file")
        if size > max_bytes:
            return size, None
        return size, path.read_bytes()
    except UnreadableFile:
        raise
    except OSError as error:
        raise UnreadableFile(f"{path}: {error.strerror or error}") from None


def validate_path(
    path: Path, *, tables: CodeTables, today: date, max_bytes: int
) -> ValidationResult:
    """`ost validate` on one file: F010 unread if too large, otherwise every rule."""
    size, raw = read_limited(path, max_bytes)
    if raw is None:
        result = oversized(path.name, size, max_bytes)
        assert result is not None
        return result
    return validate_file(path.name, raw, tables=tables, today=today, max_bytes=max_bytes)
