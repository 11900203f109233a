"""The inbox: the files that may be transmissions, those that finished arriving, their order
(docs/merging.md), and a processed file taken out to the archive."""

from __future__ import annotations

import codecs
import hashlib
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from pipeline.files import is_text, open_regular, text_name
from pipeline.outputs import safe_name
from pipeline.private import PRIVATE_FILE
from pipeline.received import Received

log = logging.getLogger("ost.batch")

# Names an upload tool gives a file while it is still being written, or that are not ours.
TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".swp")
HEADER_PEEK = 256


def is_candidate_name(name: str) -> bool:
    """Not a dot-file and not a name an upload in progress carries."""
    lowered = name.lower()
    return not name.startswith(".") and not lowered.endswith((*TEMPORARY_SUFFIXES, "~"))


def inbox_files(inbox: Path) -> tuple[list[Path], list[str]]:
    """Regular files of the inbox that may be transmissions, and the other entries' names."""
    files: list[Path] = []
    ignored: list[str] = []
    with os.scandir(inbox) as entries:
        for entry in entries:
            if not is_candidate_name(entry.name):
                continue
            # A name that is not text could be neither logged nor stored: listed, escaped.
            if not is_text(entry.name):
                ignored.append(text_name(entry.name))
                continue
            # Symbolic links are never followed out of the inbox.
            if entry.is_symlink() or not entry.is_file(follow_symlinks=False):
                ignored.append(entry.name)
                continue
            files.append(inbox / entry.name)
    return sorted(files), sorted(ignored)


def sightings(paths: Iterable[Path]) -> dict[Path, tuple[int, int]]:
    """Size and modification time of each path that still exists."""
    seen: dict[Path, tuple[int, int]] = {}
    for path in paths:
        try:
            status = path.stat()
        except FileNotFoundError:
            continue
        seen[path] = (status.st_size, status.st_mtime_ns)
    return seen


def settled(
    paths: Sequence[Path], settle_seconds: float, sleep: Callable[[float], None]
) -> tuple[list[Path], list[Path]]:
    """(finished arriving, still changing): size and mtime unchanged over the settle interval."""
    before = sightings(paths)
    if before and settle_seconds > 0:
        sleep(settle_seconds)
    after = sightings(paths)
    ready = [path for path in paths if path in before and before[path] == after.get(path)]
    waiting = [path for path in paths if path in after and path not in ready]
    return ready, waiting


# After every file that can be read: one that cannot is still processed, and reported as such.
UNREADABLE_LAST = ("\uffff", "")


def order_key(path: Path) -> tuple[str, str]:
    """`Received.order_key` from the first bytes only (a UTF-8 byte-order mark is skipped)."""
    try:
        with open_regular(path) as stream:
            head = stream.read(HEADER_PEEK).removeprefix(codecs.BOM_UTF8)
    except OSError:  # gone, unreadable or a link since it was listed: its own ingest says why
        return UNREADABLE_LAST
    return Received(path.name, head, len(head), "").order_key


def in_spec_order(paths: Iterable[Path]) -> list[Path]:
    """docs/merging.md: school, then header creation timestamp (then name, for a stable order)."""
    return sorted(paths, key=lambda path: (order_key(path), path.name))


def file_digest(path: Path) -> str:
    digest = hashlib.sha256()
    with open_regular(path) as stream:
        for piece in iter(lambda: stream.read(2**20), b""):
            digest.update(piece)
    return digest.hexdigest()


def archived_path(archive: Path, transmission_id: int, file_name: str) -> Path:
    """Where the ingest keeps a transmission's original (`pipeline.outputs.archive_original`)."""
    return archive / f"{transmission_id:08d}-{safe_name(file_name)}"


def take_from_inbox(path: Path, archive: Path, transmission_id: int, sha256: str) -> None:
    """Remove a processed file from the inbox, keeping its original in the archive."""
    if file_digest(path) != sha256:
        # Replaced since it was read: the new content is for the next run.
        log.warning("file changed while processed; left in the inbox", extra={"file": path.name})
        return
    target = archived_path(archive, transmission_id, path.name)
    if target.exists():
        path.unlink()
        return
    shutil.move(path, target)
    # Moved, it would keep the inbox's mode: the archive is private like everything else.
    with open_regular(target) as moved:
        os.fchmod(moved.fileno(), PRIVATE_FILE)
