"""Reading transmissions from disk for validation: the rules get bytes or an open file."""

from __future__ import annotations

import errno
import os
import stat
from datetime import date
from pathlib import Path
from typing import BinaryIO

from rules.validate import CodeTables, ValidationResult, validate_file


class UnreadableFile(OSError):
    """A path that is missing, a directory, or not readable: the command cannot run on it."""


def text_name(name: str) -> str:
    """A file name as text: bytes the file system could not decode shown escaped (`\\xff`).

    Such a name cannot be printed, logged or stored as it is; escaped, it is judged by F007.
    """
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def is_text(name: str) -> bool:
    """Whether a file name decoded from the file system is text (no undecodable bytes)."""
    return text_name(name) == name


def size_or_zero(path: Path) -> int:
    """The file's size, 0 when it cannot be read (whoever reads it reports why)."""
    try:
        return path.stat().st_size
    except OSError:
        return 0


def open_regular(path: Path) -> BinaryIO:
    """The file open for reading in binary, never through a symbolic link; UnreadableFile when
    it is not a readable regular file.

    Opened once with O_NOFOLLOW (a link swapped in after the inbox was listed is refused, not
    followed) and O_NONBLOCK (a pipe swapped in does not hang the run), then judged by `fstat`
    on the open file itself: what is read is what was checked.
    """
    flags = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0)
    try:
        descriptor = os.open(path, flags)
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise UnreadableFile(f"{path}: a symbolic link, not followed") from None
        raise UnreadableFile(f"{path}: {error.strerror or error}") from None
    try:
        if not stat.S_ISREG(os.fstat(descriptor).st_mode):
            raise UnreadableFile(f"{path}: not a regular file")
        return os.fdopen(descriptor, "rb")
    except BaseException:
        os.close(descriptor)
        raise


def read_limited(path: Path, max_bytes: int) -> tuple[int, bytes | None]:
    """The file's size and its bytes, or None for the bytes when it is over the limit (F010)."""
    with open_regular(path) as stream:
        return read_open(stream, path, max_bytes)


def read_open(stream: BinaryIO, path: Path, max_bytes: int) -> tuple[int, bytes | None]:
    """`read_limited` on a file already open (its size from the open file)."""
    try:
        size = os.fstat(stream.fileno()).st_size
        if size > max_bytes:
            return size, None
        return size, stream.read()
    except OSError as error:
        raise UnreadableFile(f"{path}: {error.strerror or error}") from None


def validate_path(
    path: Path, *, tables: CodeTables, today: date, max_bytes: int
) -> ValidationResult:
    """`ost validate` on one file: F010 unread if too large, otherwise every rule.

    The rules read the open file in place, which spares copying a large file into memory.
    """
    with open_regular(path) as handle:
        name = text_name(path.name)
        return validate_file(name, handle, tables=tables, today=today, max_bytes=max_bytes)
