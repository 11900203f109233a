"""`ost run`: a batch over the inbox, under the run lock.

A run: the files in `inbox/` that have finished arriving, in school and header-timestamp order
(docs/merging.md), each ingested (transient failures retried with backoff, any other failure
leaves that transmission `failed` and the batch goes on); then the held students are matched
again. What happened is stored in the `run` table.

Each processed file leaves the inbox: its original is kept as `archive/<id>-<name>` (the ingest
writes it there before processing; when it is already there the inbox copy is removed, otherwise
the file is moved there). A file that could not even be registered stays for the next run.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from matching import ApplicantPool
from pipeline import store
from pipeline.config import BatchOptions
from pipeline.database import is_transient
from pipeline.files import size_or_zero
from pipeline.inbox import in_spec_order, inbox_files, settled, take_from_inbox
from pipeline.ingest import (
    IngestContext,
    IngestOutcome,
    Received,
    TransmissionFailed,
    ingest_bytes,
    ingest_paths,
    mark_failed,
    receive,
)
from pipeline.lock import DatabaseLock, Heartbeat, holding
from pipeline.lookahead import Lookahead
from pipeline.models import FINAL_STATUSES
from pipeline.outputs import SCHOOL_FOLDER, leftover_staged
from pipeline.reasons import failures, one_line
from pipeline.rematch import MatchedInRun, rematch_held
from pipeline.retry import Backoff, retrying
from pipeline.run_summary import UNPROCESSED, FileResult, Progress, QuietProgress, RunSummary
from pipeline.store import transmissions as stored
from pipeline.store.applicants import applicants_version

log = logging.getLogger("ost.batch")

# About 10,000 grades: the first refresh of table statistics in a batch (then at each doubling).
FIRST_STATISTICS_REFRESH = 2 * 2**20


# -- one file ------------------------------------------------------------------------------


def retryable(error: BaseException) -> bool:
    """Transient failures are tried again (`pipeline.database.is_transient`)."""
    if isinstance(error, TransmissionFailed):
        return error.transient
    return is_transient(error)


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
        extra={
            "file": result.file,
            "transmission_id": result.transmission_id,
            **log_details(result),
        },
    )
    return result


def log_details(result: FileResult) -> dict[str, Any]:
    return {"status": result.status, "attempts": result.attempts, "reason": result.reason}


# -- the run -------------------------------------------------------------------------------


def start_run(ctx: IngestContext, trigger: str) -> RunSummary:
    started_at = ctx.clock()
    with ctx.engine.begin() as conn:
        run_id = stored.add_run(conn, trigger, started_at)
    return RunSummary(run_id, trigger, started_at)


def finish_run(ctx: IngestContext, summary: RunSummary) -> None:
    summary.finished_at = ctx.clock()
    values = {
        "finished_at": summary.finished_at,
        "status": "failed" if summary.error else "finished",
        "files": len(summary.files),
        "rematched": summary.rematch.newly_matched if summary.rematch else 0,
        "summary_json": json.dumps(summary.to_json(), ensure_ascii=False),
    }
    with ctx.engine.begin() as conn:
        stored.update_run(conn, summary.run_id, values)


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
) -> MatchedInRun | None:
    """Every settled inbox file, in docs/merging.md order, into `summary`; the transmissions
    matched and the applicants they were matched against (None when there was no file)."""
    candidates, summary.ignored = inbox_files(ctx.settings.inbox)
    ready, waiting = settled(candidates, options.settle_seconds, options.sleep)
    summary.waiting = [path.name for path in waiting]
    ordered = in_spec_order(ready)
    if not ordered:
        return None
    with ctx.engine.connect() as conn:
        version = applicants_version(conn)  # before the pool: a later import shows as a change
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
    matched = {r.transmission_id for r in summary.files if r.transmission_id is not None}
    return MatchedInRun(version, frozenset(matched), applicants)


def run_steps(
    ctx: IngestContext,
    options: BatchOptions,
    summary: RunSummary,
    heartbeat: Heartbeat,
    progress: Progress,
) -> None:
    """The inbox, then the held students; a failure of either is the run's, recorded."""
    try:
        matched = process_inbox(ctx, options, summary, heartbeat, progress)
        heartbeat.check()
        summary.rematch = retrying(lambda: rematch_held(ctx, matched), options.retry, is_transient)
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
    with ctx.engine.begin() as conn:
        ids = stored.interrupt_running_runs(conn)
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


def ingest_locked(
    ctx: IngestContext, paths: Sequence[Path], options: BatchOptions
) -> list[IngestOutcome | TransmissionFailed]:
    """`ost ingest`: the given files under the run lock, so it never overlaps a batch."""
    with run_lock(ctx, options):
        return ingest_paths(ctx, paths)
