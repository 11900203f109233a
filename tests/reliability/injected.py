"""Faults injected through the settings: a reports folder that acts before every report file.

`pipeline.outputs.write_atomic` makes sure of a file's folder (`mkdir`) before writing it, so a
reports folder whose transmission folders are of a Path class with its own `mkdir` sees every
report file coming: it can raise ENOSPC (a disk that fills up) or kill the process.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PosixPath
from typing import Any

from pipeline.config import Settings


def reports_folder(before_each_file: Callable[[Path], None]) -> type[Path]:
    """A Path class calling `before_each_file(folder)` before each report file of a transmission."""

    class InjectedFolder(PosixPath):
        def mkdir(self, *args: Any, **kwargs: Any) -> None:
            if self.name.isdigit():  # reports/<transmission id>/
                before_each_file(self)
            super().mkdir(*args, **kwargs)

    return InjectedFolder


def disk_full_after(files: int) -> Callable[[Path], None]:
    """Room for `files` more report files, then every write fails with ENOSPC."""
    room = files

    def before_each_file(folder: Path) -> None:
        nonlocal room
        if room == 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(folder))
        room -= 1

    return before_each_file


@dataclass(frozen=True)
class InjectedSettings(Settings):
    """Settings whose reports folder is of the given Path class."""

    folder_type: type[Path] = Path

    @property
    def reports(self) -> Path:
        return self.folder_type(self.home / "reports")


def with_reports_folder(settings: Settings, before_each_file: Callable[[Path], None]) -> Settings:
    """The same settings, with a reports folder that calls `before_each_file` first."""
    return InjectedSettings(**vars(settings), folder_type=reports_folder(before_each_file))
