"""The first part of the transmission stage, for the next inbox files, in worker processes while
this one merges.

Parsing, validating and matching a file (`pipeline.transmission.prepare`) need nothing but its
bytes, the code tables, the date and the applicants (loaded once per run), so on a machine with
more than one core the files after the current one are prepared ahead, in spawned processes,
while this process writes. A result is used only for the same bytes (same digest) and the same date;
anything else, including a worker that failed, falls back to doing it in this process, so the
outcome never depends on the lookahead.
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
import time
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from types import TracebackType

from matching import ApplicantPool
from pipeline.files import read_limited, size_or_zero
from pipeline.transmission import Prepared, prepare_files
from rules.validate import CodeTables, validate_file

log = logging.getLogger("ost.lookahead")
PARENT_CHECK_SECONDS = 1.0
# Files prepared together in one task: enough to share the matcher's per-call costs (the students
# of several small files in one block), few enough that the first is not long in coming.
GROUP_BYTES = 4 * 2**20
GROUP_FILES = 16


@dataclass(frozen=True)
class WorkerInputs:
    """What every file's validation and matching needs, sent once to each worker."""

    tables: CodeTables
    applicants: ApplicantPool


_worker: WorkerInputs | None = None


@dataclass(frozen=True)
class Prevalidated:
    """A file done ahead: the digest of its bytes, and the file prepared for the stage."""

    sha256: str
    prepared: Prepared


# The files of one group, done ahead together (None for a file over the size limit).
Group = Future[list[Prevalidated | None]]


def _start_worker(inputs: WorkerInputs) -> None:
    global _worker
    _worker = inputs
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A run killed outright (SIGKILL) cannot stop its workers: they stop themselves."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def validate_ahead(paths: Sequence[str], today: date, max_bytes: int) -> list[Prevalidated | None]:
    """In a worker: read and prepare a group of files (None for one over the size limit).

    The students of the whole group are matched together (`prepare_files`): the same decisions
    as file by file, in far fewer and larger operations.
    """
    assert _worker is not None, "worker started without its inputs"
    read = [read_limited(Path(path), max_bytes)[1] for path in paths]
    results = [
        validate_file(Path(path).name, raw, tables=_worker.tables, today=today, max_bytes=max_bytes)
        for path, raw in zip(paths, read, strict=True)
        if raw is not None
    ]
    prepared = iter(prepare_files(results, _worker.applicants))
    return [
        None if raw is None else Prevalidated(hashlib.sha256(raw).hexdigest(), next(prepared))
        for raw in read
    ]


def groups_of(
    paths: deque[Path], *, max_bytes: int = GROUP_BYTES, max_files: int = GROUP_FILES
) -> list[Path]:
    """The next files of `paths` (taken from it) to prepare together: at least one, then up to
    `max_files` while their sizes add up to less than `max_bytes`."""
    group: list[Path] = []
    size = 0
    while paths and len(group) < max_files and (not group or size < max_bytes):
        path = paths.popleft()
        group.append(path)
        size += size_or_zero(path)
    return group


class Lookahead:
    """Up to `workers + 1` groups of files done ahead, in the order they will be asked for."""

    def __init__(
        self,
        paths: Sequence[Path],
        *,
        tables: CodeTables,
        applicants: ApplicantPool,
        today: date,
        max_bytes: int,
        workers: int,
        min_files: int = 2,
        group_files: int = GROUP_FILES,
    ) -> None:
        self.today = today
        self.max_bytes = max_bytes
        self._waiting = deque(paths)
        self._ahead: deque[tuple[str, Group, int]] = deque()
        self._depth = workers + 1
        self._group_files = group_files
        self._submitted = 0  # groups: the first ones are small, so that the first file comes soon
        self._pool: ProcessPoolExecutor | None = None
        # Fewer files than `min_files` do not repay starting workers; one file alone never does,
        # as nothing of this process runs beside its validation.
        if workers > 0 and len(paths) >= max(2, min_files):
            log.info("validating and matching ahead in %d worker process(es)", workers)
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(WorkerInputs(tables, applicants),),
            )
        self._fill()

    def _fill(self) -> None:
        try:
            while self._pool is not None and self._waiting and self._in_flight() < self._depth:
                first_ones = 2 ** min(self._submitted, 8)  # 1, 2, 4... files, the worker ahead
                group = groups_of(self._waiting, max_files=min(self._group_files, first_ones))
                self._submitted += 1
                future = self._pool.submit(
                    validate_ahead, [str(path) for path in group], self.today, self.max_bytes
                )
                self._ahead.extend((path.name, future, i) for i, path in enumerate(group))
        except Exception as error:  # noqa: BLE001 - e.g. a worker killed: the run goes on without
            log.warning("no more validation ahead in this run: %s", error)
            self._stop(wait=False)

    def _in_flight(self) -> int:
        """Groups submitted whose files have not all been asked for."""
        return len({id(future) for _, future, _ in self._ahead})

    def _take(self, name: str) -> tuple[Group, int] | None:
        """The group future of `name` and its place in it; files before it were skipped (e.g.
        duplicates)."""
        if not any(queued == name for queued, _, _ in self._ahead):
            return None
        while self._ahead:
            queued, future, place = self._ahead.popleft()
            if queued == name:
                return future, place
            if all(other is not future for _, other, _ in self._ahead):
                future.cancel()
        return None

    def result(self, name: str, sha256: str, today: date) -> Prepared | None:
        """These bytes prepared ahead, or None to do it here."""
        taken = self._take(name)
        self._fill()
        if taken is None or today != self.today:
            return None
        future, place = taken
        try:
            ahead = future.result()[place]
        except Exception as error:  # noqa: BLE001 - validated again here, where it is reported
            log.warning("validation ahead failed, validating in process: %s", error)
            return None
        if ahead is None or ahead.sha256 != sha256:
            return None
        return ahead.prepared

    def _stop(self, *, wait: bool) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=wait, cancel_futures=True)
            self._pool = None

    def close(self) -> None:
        self._stop(wait=True)

    def __enter__(self) -> Lookahead:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()
