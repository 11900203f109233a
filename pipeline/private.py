"""Files and folders only the operating account can read: they hold OENs and birth dates.

The process sets its own umask (0077) so that everything it creates, the SQLite database with
its -wal and -shm files, logs, archive, reports and mail included, is private whatever the
umask it was started with; folders and files the product creates are also given their modes
explicitly, for callers that did not go through the command line.
"""

from __future__ import annotations

import os
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FOLDER = 0o700
PRIVATE_FILE = 0o600


def private_umask() -> int:
    """Set the process umask to 0077; the previous one."""
    return os.umask(PRIVATE_UMASK)


def private_folder(path: Path) -> Path:
    """`path` created as a folder only its owner can enter (an existing one is left as it is:
    its mode is the operator's choice, e.g. an inbox shared with an upload service)."""
    if not path.is_dir():
        path.parent.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
        path.mkdir(mode=PRIVATE_FOLDER, exist_ok=True)
    return path


def private_file(path: Path) -> Path:
    """`path` created empty with mode 0600 if nothing is there yet; an existing file, or a link
    the operator made (a database on another disk, say), is left as it is."""
    if os.path.lexists(path):
        return path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)
    try:
        os.close(os.open(path, flags, PRIVATE_FILE))
    except FileExistsError:  # created meanwhile by another process: theirs is as good
        pass
    return path
