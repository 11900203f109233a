"""`ost replay`: transmissions processed again from their archived originals, on the same ids."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

from matching import ApplicantPool
from pipeline import store
from pipeline.batch import Attempts, log_details, retryable, run_lock
from pipeline.config import BatchOptions
from pipeline.inbox import archived_path
from pipeline.ingest import (
    IngestContext,
    IngestOutcome,
    Received,
    TransmissionFailed,
    process_received,
    receive,
)
from pipeline.models import FINAL_STATUSES, Transmission
from pipeline.retry import Backoff, retrying
from pipeline.run_summary import UNPROCESSED, FileResult, Progress, QuietProgress
from pipeline.store import transmissions as stored

log = logging.getLogger("ost.batch")


class ReplayError(RuntimeError):
    """A transmission that cannot be replayed: unknown, a duplicate, or its original is missing."""


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
    with ctx.engine.connect() as conn:
        return stored.failed_transmissions(conn)


def replay_order(ctx: IngestContext, transmission_ids: Iterable[int]) -> list[int]:
    """docs/merging.md order: school, then header timestamp (unknown last), then id."""
    wanted = sorted(set(transmission_ids))
    with ctx.engine.connect() as conn:
        rows = stored.schools_and_times(conn, wanted)
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
                log.info(
                    "replayed %s: %s", transmission_id, result.status, extra=log_details(result)
                )
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
