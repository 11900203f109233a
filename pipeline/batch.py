"""`ost run` and `ost replay`: a batch over the inbox, and transmissions processed again.

A run, under the run lock: the files in `inbox/` that have finished arriving, in school and
header-timestamp order (docs/merging.md), each ingested (transient failures retried with backoff,
any
other failure leaves that transmission `failed` and the batch goes on); then the held students
are matched again. What happened is stored in the `run` table.

Each processed file leaves the inbox: its original is kept as `archive/<id>-<name>` (the ingest
writes it there before processing; when it is already there the inbox copy is removed, otherwise
the file is moved there). A file that could not even be registered stays for the next run.
"""

from __future__ import annotations

import codecs
import hashlib
import json
import logging
import os
import shutil
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import insert, select, update

from jobs.retry import Backoff, retrying
from matching import ApplicantPool
from pipeline import store
from pipeline.config import ConfigError
from pipeline.files import UnreadableFile, is_text, open_regular, size_or_zero, text_name
from pipeline.ingest import (
    IngestContext,
    IngestOutcome,
    Received,
    TransmissionFailed,
    ingest_bytes,
    ingest_paths,
    is_transient,
    mark_failed,
    process_received,
    receive,
)
from pipeline.lock import DEFAULT_STALE_AFTER, DatabaseLock, Heartbeat, holding
from pipeline.lookahead import Lookahead, default_workers
from pipeline.models import FINAL_STATUSES, Run, Transmission
from pipeline.outputs import SCHOOL_FOLDER, leftover_staged, safe_name
from pipeline.printable import printable
from pipeline.private import PRIVATE_FILE
from pipeline.reasons import failures, one_line
from pipeline.rematch import RematchOutcome, rematch_held

log = logging.getLogger("ost.batch")

# Names an upload tool gives a file while it is still being written, or that are not ours.
TEMPORARY_SUFFIXES = (".tmp", ".temp", ".part", ".partial", ".filepart", ".crdownload", ".swp")
HEADER_PEEK = 256
# About 10,000 grades: the first refresh of table statistics in a batch (then at each doubling).
FIRST_STATISTICS_REFRESH = 2 * 2**20
# A file or replay that did not get as far as a transmission status (see its reason).
UNPROCESSED = "error"


class ReplayError(RuntimeError):
    """A transmission that cannot be replayed: unknown, a duplicate, or its original is missing."""


# -- options -------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchOptions:
    """How a batch behaves; `batch_options` reads them from the environment."""

    trigger: str = "manual"
    settle_seconds: float = 5.0
    stale_after: timedelta = DEFAULT_STALE_AFTER
    retry: Backoff = field(default_factory=Backoff)
    sleep: Callable[[float], None] = time.sleep
    validation_workers: int = 0
    # Starting a worker and sending it the applicants costs about 3 s with 250,000 of them
    # (3 files: 1.4 s in process, 4.2 s through a worker; 20 files: 4.4 s and 7.1 s), so a
    # batch smaller than this is done in the run's own process.
    workers_from_files: int = 20

    @property
    def heartbeat_seconds(self) -> float:
        """Several beats within the stale timeout, at most every 30 seconds."""
        return max(0.5, min(30.0, self.stale_after.total_seconds() / 5))


def _number(env: Mapping[str, str], name: str, default: float, minimum: float) -> float:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}") from None
    if value < minimum:
        raise ConfigError(f"{name} must be at least {minimum:g}, not {raw!r}")
    return value


def batch_options(
    environ: Mapping[str, str] | None = None,
    trigger: str = "manual",
    sleep: Callable[[float], None] = time.sleep,
) -> BatchOptions:
    """OST_SETTLE_SECONDS, OST_LOCK_STALE_SECONDS, OST_RETRY_ATTEMPTS, OST_RETRY_DELAY_SECONDS,
    OST_VALIDATION_WORKERS."""
    env = os.environ if environ is None else environ
    retry = Backoff(
        attempts=int(_number(env, "OST_RETRY_ATTEMPTS", 3, 1)),
        base_delay=_number(env, "OST_RETRY_DELAY_SECONDS", 5.0, 0),
        sleep=sleep,
    )
    return BatchOptions(
        trigger=trigger,
        settle_seconds=_number(env, "OST_SETTLE_SECONDS", 5.0, 0),
        stale_after=timedelta(seconds=_number(env, "OST_LOCK_STALE_SECONDS", 600, 1)),
        retry=retry,
        sleep=sleep,
        validation_workers=int(_number(env, "OST_VALIDATION_WORKERS", default_workers(), 0)),
    )


# -- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class FileResult:
    """What became of one file (or one replayed transmission)."""

    file: str
    status: str  # a docs/rules.md status, or UNPROCESSED
    transmission_id: int | None = None
    errors: int = 0
    reason: str | None = None
    attempts: int = 1


@dataclass
class RunSummary:
    """A batch: its files, the files left for later, the re-matching, and how long it took."""

    run_id: int
    trigger: str
    started_at: datetime
    finished_at: datetime | None = None
    files: list[FileResult] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # still arriving: next run
    ignored: list[str] = field(default_factory=list)  # not regular files
    rematch: RematchOutcome | None = None
    error: str | None = None

    @property
    def statuses(self) -> dict[str, int]:
        return dict(Counter(result.status for result in self.files))

    @property
    def duration_seconds(self) -> float:
        end = self.finished_at or self.started_at
        return round((end - self.started_at).total_seconds(), 3)

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "trigger": self.trigger,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "duration_seconds": self.duration_seconds,
            "statuses": self.statuses,
            "files": [asdict(result) for result in self.files],
            "waiting": self.waiting,
            "ignored": self.ignored,
            "rematch": asdict(self.rematch) if self.rematch else None,
            "error": self.error,
        }


def has_failures(results: Iterable[FileResult]) -> bool:
    return any(r.status in ("failed", UNPROCESSED) for r in results)


def has_data_errors(results: Iterable[FileResult]) -> bool:
    return any(r.errors or r.status == "rejected" for r in results)


def file_line(result: FileResult) -> str:
    where = f"transmission {result.transmission_id}" if result.transmission_id else "not registered"
    line = f"{printable(result.file)}: {result.status} ({where})"
    return f"{line}: {printable(result.reason)}" if result.reason else line


def summary_lines(summary: RunSummary) -> list[str]:
    """The run summary for a terminal or a log: totals, each file, what waits, re-matching."""
    counts = ", ".join(f"{status} {n}" for status, n in sorted(summary.statuses.items()))
    lines = [
        f"run {summary.run_id} ({summary.trigger}): {len(summary.files)} file(s) in "
        f"{summary.duration_seconds:.1f} s" + (f": {counts}" if counts else ""),
        *(f"  {file_line(result)}" for result in summary.files),
    ]
    if summary.waiting:
        waiting = ", ".join(map(printable, summary.waiting))
        lines.append(f"still arriving, left for the next run: {waiting}")
    if summary.ignored:
        lines.append(f"not regular files, ignored: {', '.join(map(printable, summary.ignored))}")
    if summary.rematch is not None:
        merge = ", ".join(f"{k} {v}" for k, v in summary.rematch.merge.items())
        lines.append(
            f"pending students: {summary.rematch.held} held, "
            f"{summary.rematch.newly_matched} newly matched; {merge}"
        )
    if summary.error:
        lines.append(f"run failed: {printable(summary.error)}")
    return lines


class Progress(Protocol):
    """Told about a batch as it goes (a progress bar on a terminal)."""

    def start(self, total: int) -> None: ...
    def advance(self, result: FileResult) -> None: ...
    def finish(self) -> None: ...


class QuietProgress:
    def start(self, total: int) -> None:
        pass

    def advance(self, result: FileResult) -> None:
        pass

    def finish(self) -> None:
        pass


# -- the inbox -----------------------------------------------------------------------------


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


# -- one file ------------------------------------------------------------------------------


def retryable(error: BaseException) -> bool:
    """Transient failures are tried again; a file that cannot be read is not."""
    if isinstance(error, TransmissionFailed):
        return error.transient
    return not isinstance(error, UnreadableFile | ReplayError) and is_transient(error)


def mark_unfinished_failed(ctx: IngestContext, received: Received, reason: str) -> int | None:
    """A failure outside the transmission's transaction (e.g. the archive's disk is full)."""
    with ctx.engine.connect() as conn:
        earlier = store.previous_receipt(conn, received.sha256, received.name)
    if earlier is None or earlier.id is None or earlier.status in FINAL_STATUSES:
        return None
    mark_failed(ctx, earlier.id, reason)
    return earlier.id


@dataclass
class Attempts:
    """The tries at one file: how many, and the file as last read."""

    count: int = 0
    received: Received | None = None


def not_processed(
    ctx: IngestContext, path: Path, error: BaseException, tries: Attempts
) -> FileResult:
    """A failure before or around the transmission's own failure handling."""
    reason = f"{type(error).__name__}: {one_line(error)}"
    log.error("file not processed: %s", reason, extra={"file": path.name})
    failed_id = None
    if tries.received is not None:
        failed_id = mark_unfinished_failed(ctx, tries.received, reason)
    status = "failed" if failed_id else UNPROCESSED
    return FileResult(path.name, status, failed_id, 0, reason, tries.count)


def ingest_file(
    ctx: IngestContext, path: Path, applicants: ApplicantPool, retry: Backoff, tries: Attempts
) -> FileResult:
    """One inbox file through the ingest, with retries; never raises for the file's failure."""

    def attempt() -> IngestOutcome:
        tries.count += 1
        tries.received = receive(path, ctx.settings.max_file_bytes)
        return ingest_bytes(ctx, tries.received, applicants)

    try:
        outcome = retrying(attempt, retry, retryable)
    except TransmissionFailed as failure:
        return FileResult(
            path.name, "failed", failure.transmission_id, 0, str(failure), tries.count
        )
    except failures() as error:  # one file's failure never stops the batch
        return not_processed(ctx, path, error, tries)
    errors = outcome.report.counts.errors
    return FileResult(path.name, outcome.status, outcome.transmission_id, errors, None, tries.count)


def process_file(
    ctx: IngestContext, path: Path, applicants: ApplicantPool, retry: Backoff
) -> FileResult:
    """Ingest one file and take it out of the inbox once its transmission is registered."""
    tries = Attempts()
    result = ingest_file(ctx, path, applicants, retry, tries)
    if result.transmission_id is not None and tries.received is not None:
        try:
            take_from_inbox(
                path, ctx.settings.archive, result.transmission_id, tries.received.sha256
            )
        except OSError as error:
            log.warning("file left in the inbox: %s", error, extra={"file": path.name})
    log.info(
        "%s: %s",
        result.file,
        result.status,
        extra={"file": result.file, "transmission_id": result.transmission_id, **_details(result)},
    )
    return result


def _details(result: FileResult) -> dict[str, Any]:
    return {"status": result.status, "attempts": result.attempts, "reason": result.reason}


# -- the run -------------------------------------------------------------------------------


def start_run(ctx: IngestContext, trigger: str) -> RunSummary:
    started_at = ctx.clock()
    with ctx.engine.begin() as conn:
        result = conn.execute(
            insert(store.table(Run)).values(
                trigger=trigger, started_at=started_at, status="running"
            )
        )
    key = result.inserted_primary_key
    assert key is not None
    return RunSummary(int(key[0]), trigger, started_at)


def finish_run(ctx: IngestContext, summary: RunSummary) -> None:
    summary.finished_at = ctx.clock()
    runs = store.table(Run)
    values = {
        "finished_at": summary.finished_at,
        "status": "failed" if summary.error else "finished",
        "files": len(summary.files),
        "rematched": summary.rematch.newly_matched if summary.rematch else 0,
        "summary_json": json.dumps(summary.to_json(), ensure_ascii=False),
    }
    with ctx.engine.begin() as conn:
        conn.execute(update(runs).where(runs.c.id == summary.run_id).values(**values))


@dataclass
class StatisticsSchedule:
    """Table statistics refreshed each time the bytes processed by this batch double."""

    refresh: Callable[[], None]
    processed: int = 0
    next_refresh: int = FIRST_STATISTICS_REFRESH

    def written(self, size: int) -> None:
        self.processed += size
        if self.processed < self.next_refresh:
            return
        try:
            self.refresh()
        except Exception as error:  # noqa: BLE001 - only query plans depend on it
            log.warning("table statistics not refreshed: %s", error)
        self.next_refresh = 2 * self.processed


def process_inbox(
    ctx: IngestContext,
    options: BatchOptions,
    summary: RunSummary,
    heartbeat: Heartbeat,
    progress: Progress,
) -> None:
    """Every settled inbox file, in docs/merging.md order, into `summary`."""
    candidates, summary.ignored = inbox_files(ctx.settings.inbox)
    ready, waiting = settled(candidates, options.settle_seconds, options.sleep)
    summary.waiting = [path.name for path in waiting]
    ordered = in_spec_order(ready)
    if not ordered:
        return
    with ctx.engine.connect() as conn:
        applicants = store.load_applicant_pool(conn, ctx.settings.zones)
    progress.start(len(ordered))
    with Lookahead(
        ordered,
        tables=ctx.tables,
        applicants=applicants,
        today=ctx.today(),
        max_bytes=ctx.settings.max_file_bytes,
        workers=options.validation_workers,
        min_files=options.workers_from_files,
    ) as lookahead:
        ahead = replace(ctx, lookahead=lookahead)
        statistics = StatisticsSchedule(lambda: store.refresh_statistics(ctx.engine))
        for path in ordered:
            heartbeat.check()
            size = size_or_zero(path)  # before the file leaves the inbox
            result = process_file(ahead, path, applicants, options.retry)
            summary.files.append(result)
            progress.advance(result)
            statistics.written(size)


def run_steps(
    ctx: IngestContext,
    options: BatchOptions,
    summary: RunSummary,
    heartbeat: Heartbeat,
    progress: Progress,
) -> None:
    """The inbox, then the held students; a failure of either is the run's, recorded."""
    try:
        process_inbox(ctx, options, summary, heartbeat, progress)
        heartbeat.check()
        summary.rematch = retrying(lambda: rematch_held(ctx), options.retry, is_transient)
    except failures() as error:  # recorded in the run and its summary
        log.exception("run failed", extra={"run_id": summary.run_id})
        summary.error = f"{type(error).__name__}: {one_line(error)}"
    finally:
        progress.finish()


@contextmanager
def run_lock(ctx: IngestContext, options: BatchOptions) -> Iterator[Heartbeat]:
    """The run lock held for the block (raises LockHeld when another run holds it).

    Once it is held, the temporary files a killed run left half-written are removed: nothing
    reads them, and the transmission they belonged to is done again from its original. The
    runs such a run left `running` are marked `interrupted`.
    """
    lock = DatabaseLock(ctx.engine, ctx.clock, stale_after=options.stale_after)
    with holding(lock, options.heartbeat_seconds) as heartbeat:
        remove_leftovers(ctx)
        close_interrupted_runs(ctx)
        yield heartbeat


def close_interrupted_runs(ctx: IngestContext) -> None:
    """Runs still `running` while we hold the lock: their process died (only the holder runs)."""
    runs = store.table(Run)
    with ctx.engine.begin() as conn:
        ids = conn.execute(select(runs.c.id).where(runs.c.status == "running")).scalars().all()
        if ids:
            conn.execute(update(runs).where(runs.c.id.in_(ids)).values(status="interrupted"))
    if ids:
        log.warning("run(s) %s had been interrupted", ", ".join(map(str, ids)))


def remove_leftovers(ctx: IngestContext) -> None:
    """The temporaries of a killed run removed; one that cannot be is logged, never fatal.

    Reports are staged only for a transmission being processed, so only the report folders of
    unfinished transmissions are looked at, not the thousands of finished ones.
    """
    settings = ctx.settings
    with ctx.engine.connect() as conn:
        unfinished = store.unfinished_transmissions(conn)
    reports = [settings.reports / str(transmission_id) for transmission_id in unfinished]
    folders = [
        settings.archive,
        settings.outbox,
        *reports,
        *(folder / SCHOOL_FOLDER for folder in reports),
    ]
    removed: list[Path] = []
    for path in leftover_staged(folders):
        try:
            path.unlink(missing_ok=True)
        except OSError as error:
            log.warning("could not remove %s, left by an interrupted run: %s", path, error)
        else:
            removed.append(path)
    if removed:
        log.warning(
            "removed %d unfinished file(s) an interrupted run left: %s",
            len(removed),
            ", ".join(str(path) for path in removed),
        )


def run_batch(
    ctx: IngestContext, options: BatchOptions, progress: Progress | None = None
) -> RunSummary:
    """One batch under the run lock (raises LockHeld when another run holds it)."""
    with run_lock(ctx, options) as heartbeat:
        summary = start_run(ctx, options.trigger)
        log.info("run started", extra={"run_id": summary.run_id, "trigger": options.trigger})
        try:
            run_steps(ctx, options, summary, heartbeat, progress or QuietProgress())
        except BaseException:
            summary.error = summary.error or "interrupted"
            raise
        finally:
            finish_run(ctx, summary)
    log.info(
        "run %s finished: %s file(s)",
        summary.run_id,
        len(summary.files),
        extra={
            "run_id": summary.run_id,
            "statuses": summary.statuses,
            "waiting": summary.waiting,
            "duration_seconds": summary.duration_seconds,
            "error": summary.error,
        },
    )
    return summary


# -- replay --------------------------------------------------------------------------------


def load_transmission(ctx: IngestContext, transmission_id: int) -> Transmission:
    with ctx.engine.connect() as conn:
        transmission = store.get_transmission(conn, transmission_id)
    if transmission is None:
        raise ReplayError(f"no transmission {transmission_id}")
    if transmission.status == "duplicate":
        raise ReplayError(
            f"transmission {transmission_id} is a duplicate of {transmission.duplicate_of}: "
            "nothing was done with it (replay the original instead)"
        )
    return transmission


def archived_original(ctx: IngestContext, transmission: Transmission) -> Received:
    """The archived bytes of a transmission, as received (same name, same digest)."""
    assert transmission.id is not None
    path = archived_path(ctx.settings.archive, transmission.id, transmission.file_name)
    if not path.is_file():
        raise ReplayError(
            f"transmission {transmission.id}: its original is not in the archive ({path.name}); "
            "if the file is still in the inbox the next run processes it"
        )
    received = replace(receive(path, ctx.settings.max_file_bytes), name=transmission.file_name)
    if received.sha256 != transmission.sha256:
        raise ReplayError(f"transmission {transmission.id}: {path} is not the file received")
    return received


def replay_transmission(
    ctx: IngestContext, transmission_id: int, applicants: ApplicantPool | None = None
) -> IngestOutcome:
    """Process a transmission again from its archived original, on the same transmission id.

    A failed transmission is completed (and its confirmation sent); a processed one is applied
    again and changes nothing already in place. Raises ReplayError or TransmissionFailed.
    """
    transmission = load_transmission(ctx, transmission_id)
    received = archived_original(ctx, transmission)
    if applicants is None:
        with ctx.engine.connect() as conn:
            applicants = store.load_applicant_pool(conn, ctx.settings.zones)
    # The school was sent a confirmation only if the transmission got that far.
    confirm = transmission.status not in FINAL_STATUSES
    return process_received(ctx, transmission_id, received, applicants, confirm=confirm)


def failed_transmission_ids(ctx: IngestContext) -> list[int]:
    """Every transmission whose status is `failed`, oldest first."""
    t = store.table(Transmission)
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.c.id).where(t.c.status == "failed").order_by(t.c.id))
        return [int(row.id) for row in rows]


def replay_order(ctx: IngestContext, transmission_ids: Iterable[int]) -> list[int]:
    """docs/merging.md order: school, then header timestamp (unknown last), then id."""
    t = store.table(Transmission)
    wanted = sorted(set(transmission_ids))
    with ctx.engine.connect() as conn:
        rows = conn.execute(
            select(t.c.id, t.c.mident, t.c.created_at).where(t.c.id.in_(wanted))
        ).all()
    latest = datetime.max.replace(tzinfo=UTC)
    known = {row.id: (row.mident or "", row.created_at or latest, row.id) for row in rows}
    # Unknown ids stay in the list so that each gets its own "no transmission" answer.
    return sorted(wanted, key=lambda i: known.get(i, ("~", latest, i)))


def replay_one(
    ctx: IngestContext, transmission_id: int, applicants: ApplicantPool, retry: Backoff
) -> FileResult:
    """One replay with retries, as a FileResult (never raises for the transmission's failure)."""
    tries = Attempts()

    def attempt() -> IngestOutcome:
        tries.count += 1
        return replay_transmission(ctx, transmission_id, applicants)

    try:
        outcome = retrying(attempt, retry, retryable)
    except ReplayError as error:
        name = file_name_of(ctx, transmission_id)
        return FileResult(name, UNPROCESSED, transmission_id, 0, str(error), tries.count)
    except TransmissionFailed as failure:
        name = file_name_of(ctx, transmission_id)
        return FileResult(name, "failed", transmission_id, 0, str(failure), tries.count)
    errors = outcome.report.counts.errors
    return FileResult(
        outcome.report.file, outcome.status, transmission_id, errors, None, tries.count
    )


def file_name_of(ctx: IngestContext, transmission_id: int) -> str:
    with ctx.engine.connect() as conn:
        row = store.get_transmission(conn, transmission_id)
    return row.file_name if row else "-"


def replay_transmissions(
    ctx: IngestContext,
    transmission_ids: Sequence[int] | None,
    options: BatchOptions,
    progress: Progress | None = None,
) -> list[FileResult]:
    """Replay these transmissions, or every failed one when None (docs/merging.md order), under the
    run lock; raises LockHeld."""
    progress = progress or QuietProgress()
    results: list[FileResult] = []
    with run_lock(ctx, options) as heartbeat:
        chosen = failed_transmission_ids(ctx) if transmission_ids is None else transmission_ids
        ordered = replay_order(ctx, chosen)
        with ctx.engine.connect() as conn:
            applicants = store.load_applicant_pool(conn, ctx.settings.zones)
        progress.start(len(ordered))
        try:
            for transmission_id in ordered:
                heartbeat.check()
                result = replay_one(ctx, transmission_id, applicants, options.retry)
                log.info("replayed %s: %s", transmission_id, result.status, extra=_details(result))
                results.append(result)
                progress.advance(result)
        finally:
            progress.finish()
    return results


def replay_failed(
    ctx: IngestContext, options: BatchOptions, progress: Progress | None = None
) -> list[FileResult]:
    """`ost replay --failed`: every failed transmission processed again."""
    return replay_transmissions(ctx, None, options, progress)


def ingest_locked(
    ctx: IngestContext, paths: Sequence[Path], options: BatchOptions
) -> list[IngestOutcome | TransmissionFailed]:
    """`ost ingest`: the given files under the run lock, so it never overlaps a batch."""
    with run_lock(ctx, options):
        return ingest_paths(ctx, paths)
