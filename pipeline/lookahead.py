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
from pipeline.files import read_limited
from pipeline.transmission import Prepared, prepare
from rules.validate import CodeTables, validate_file

log = logging.getLogger("ost.lookahead")
PARENT_CHECK_SECONDS = 1.0


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


def _start_worker(inputs: WorkerInputs) -> None:
    global _worker
    _worker = inputs
    threading.Thread(target=_exit_with_parent, args=(os.getppid(),), daemon=True).start()


def _exit_with_parent(parent: int) -> None:
    """A run killed outright (SIGKILL) cannot stop its workers: they stop themselves."""
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(0)


def validate_ahead(path: str, today: date, max_bytes: int) -> Prevalidated | None:
    """In a worker: read and prepare one file (None when it is over the size limit)."""
    assert _worker is not None, "worker started without its inputs"
    _size, raw = read_limited(Path(path), max_bytes)
    if raw is None:
        return None
    result = validate_file(
        Path(path).name, raw, tables=_worker.tables, today=today, max_bytes=max_bytes
    )
    return Prevalidated(hashlib.sha256(raw).hexdigest(), prepare(result, _worker.applicants))


class Lookahead:
    """Up to `workers + 1` files done ahead, in the order they will be asked for."""

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
    ) -> None:
        self.today = today
        self.max_bytes = max_bytes
        self._waiting = deque(paths)
        self._ahead: deque[tuple[str, Future[Prevalidated | None]]] = deque()
        self._depth = workers + 1
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
            while self._pool is not None and self._waiting and len(self._ahead) < self._depth:
                path = self._waiting.popleft()
                future = self._pool.submit(validate_ahead, str(path), self.today, self.max_bytes)
                self._ahead.append((path.name, future))
        except Exception as error:  # noqa: BLE001 - e.g. a worker killed: the run goes on without
            log.warning("no more validation ahead in this run: %s", error)
            self._stop(wait=False)

    def _take(self, name: str) -> Future[Prevalidated | None] | None:
        """The future of `name`; those of files before it were skipped (e.g. duplicates)."""
        if not any(queued == name for queued, _ in self._ahead):
            return None
        while self._ahead:
            queued, future = self._ahead.popleft()
            if queued == name:
                return future
            future.cancel()
        return None

    def result(self, name: str, sha256: str, today: date) -> Prepared | None:
        """These bytes prepared ahead, or None to do it here."""
        future = self._take(name)
        self._fill()
        if future is None or today != self.today:
            return None
        try:
            ahead = future.result()
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
