"""Files the ingest leaves behind: archived originals and per-transmission reports.

Everything is written atomically (a temporary file in the same folder, then a rename), and
no name taken from a file or the network is used as a path without being checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from pipeline.files import open_regular
from pipeline.report import Report, school_forms
from pipeline.reports import csv_file_bytes, render_html

# Who a report is for: the operators' keeps everything; the school's is `school_report`'s.
OPERATORS, SCHOOL = "operators", "school"
SCHOOL_FOLDER = "school"
SAFE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
LANGUAGES = ("en", "fr")


def safe_name(name: str) -> str:
    """A file name with no folder part, no traversal and no odd characters."""
    base = Path(name).name
    cleaned = re.sub(r"[^A-Za-z0-9._-]", "_", base).lstrip(".") or "file"
    return cleaned[:128] if SAFE_NAME.match(cleaned[:128]) else "file"


# `stage_atomic` writes beside the final file, as `.<final name>.<random>.tmp`.
STAGED_PREFIX, STAGED_SUFFIX = ".", ".tmp"


def stage_atomic(path: Path, data: bytes | Path) -> Path:
    """`data` (bytes, or a file copied in pieces) written and synced under a temporary name
    beside `path`; that name."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=f"{STAGED_PREFIX}{path.name}.", suffix=STAGED_SUFFIX
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            if isinstance(data, Path):
                with open_regular(data) as source:
                    shutil.copyfileobj(source, stream)
            else:
                stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Path(temporary)


def write_atomic(path: Path, data: bytes | Path) -> None:
    """Write `data` to `path` so that readers see the old file or the whole new one."""
    temporary = stage_atomic(path, data)
    try:
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Staged:
    """Files written and synced under temporary names, not yet in place."""

    files: tuple[tuple[Path, Path], ...]  # (temporary, final)

    def publish(self) -> None:
        """Each file renamed into place (readers see the old file or the whole new one).

        If a rename fails, the files not yet in place are removed.
        """
        for position, (temporary, final) in enumerate(self.files):
            try:
                os.replace(temporary, final)
            except BaseException:
                Staged(self.files[position:]).discard()
                raise

    def discard(self) -> None:
        for temporary, _final in self.files:
            temporary.unlink(missing_ok=True)

    def withdraw(self) -> None:
        """Published files removed again (their transmission failed after all); never fatal."""
        for temporary, final in self.files:
            for path in (temporary, final):
                with contextlib.suppress(OSError):
                    path.unlink(missing_ok=True)
        # Folders the reports made (reports/<id>/school/) go too, once empty; deepest first.
        folders = {final.parent for _temporary, final in self.files}
        for folder in sorted(folders, key=lambda path: len(path.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()


def stage_files(contents: Mapping[Path, bytes]) -> Staged:
    """Every file staged (`stage_atomic`), or none of them left behind."""
    staged: list[tuple[Path, Path]] = []
    try:
        for path, data in contents.items():
            staged.append((stage_atomic(path, data), path))
    except BaseException:
        Staged(tuple(staged)).discard()
        raise
    return Staged(tuple(staged))


def leftover_staged(folders: Iterable[Path]) -> list[Path]:
    """Temporaries of `stage_atomic` directly in these folders: what a process killed while
    writing left behind (a finished or failed write leaves none).

    Only the holder of the run lock writes under OST_HOME, so under the lock every one is an
    orphan.
    """
    pattern = f"{STAGED_PREFIX}*{STAGED_SUFFIX}"
    found = (path for folder in folders for path in folder.glob(pattern))
    return sorted(path for path in found if path.is_file() and not path.is_symlink())


def archive_original(
    archive: Path, transmission_id: int, file_name: str, raw: bytes | Path
) -> Path:
    """The original under archive/, named by transmission id so nothing is overwritten.

    `raw` is its bytes, or the file itself for one too large to be read whole (F010).
    """
    target = archive / f"{transmission_id:08d}-{safe_name(file_name)}"
    if not target.exists():
        write_atomic(target, raw)
    return target


def stage_reports(
    reports_root: Path, transmission_id: int, reports: Mapping[str, Report]
) -> Staged:
    """The operators' reports and the school's, each as report.{html,json,csv} in English
    and report.fr.{html,json,csv} in French, staged (`report_file` says where)."""
    contents: dict[Path, bytes] = {}
    for audience, shown in ((OPERATORS, reports), (SCHOOL, school_forms(reports))):
        for lang in LANGUAGES:
            report = shown[lang]
            rendered = {
                "html": render_html([report], lang).encode("utf-8"),
                "json": json.dumps(report.to_json(), ensure_ascii=False, indent=2).encode("utf-8"),
                "csv": csv_file_bytes([report]),
            }
            for extension, body in rendered.items():
                path = report_file(reports_root, transmission_id, lang, extension, audience)
                contents[path] = body
    return stage_files(contents)


def report_file(
    reports_root: Path,
    transmission_id: int,
    lang: str,
    extension: str,
    audience: str = "operators",
) -> Path:
    """Where a transmission's report is (docs/record.md): the operators' in reports/<id>/
    (report.csv, report.fr.csv, ...), the school's in reports/<id>/school/."""
    suffix = "" if lang == "en" else f".{lang}"
    folder = reports_root / str(transmission_id)
    if audience == SCHOOL:
        folder = folder / SCHOOL_FOLDER
    return folder / f"report{suffix}.{extension}"


def report_paths(folder: Path) -> Sequence[Path]:
    return sorted(folder.glob("report*"))
