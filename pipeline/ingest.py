"""`ost ingest`: the shell around the transmission stage (docs/merging.md).

Register the file; validate it; then, in one database transaction, read what the stage needs,
run the pure stage (`pipeline.transmission`) and write its outcome; then publish it (the
reports, the confirmation e-mail). A failure rolls the transaction back and marks the
transmission `failed`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from error_glossary import render_message, severity_of
from matching import ApplicantPool
from pipeline import store
from pipeline.config import Settings, local_today
from pipeline.confirm import Mailer, confirm_duplicate, confirmation_of, send_notice
from pipeline.database import Engine, is_transient
from pipeline.lookahead import Lookahead
from pipeline.merge import EMPTY_COUNTS
from pipeline.models import FINAL_STATUSES, Transmission
from pipeline.notify import Sender
from pipeline.outcome_writes import StoreReads, transmission_values, write_records
from pipeline.outputs import LANGUAGES, Staged, archive_original, stage_reports
from pipeline.reasons import failures, one_line
from pipeline.received import Received as Received
from pipeline.received import receive as receive
from pipeline.received import sha256_of as sha256_of
from pipeline.report import DUPLICATE, EMPTY_MATCHING, FindingRow, Report
from pipeline.transmission import Prepared, prepare, stage
from rules.validate import CodeTables, ValidationResult, oversized, validate_file

log = logging.getLogger("ost.ingest")


class TransmissionFailed(RuntimeError):
    """The run itself broke on a transmission (it is marked `failed` and can be replayed)."""

    def __init__(
        self, transmission_id: int, step: str, cause: BaseException, file_name: str
    ) -> None:
        reason = one_line(cause)
        super().__init__(f"transmission {transmission_id} ({file_name}): {step} failed: {reason}")
        self.transmission_id = transmission_id
        self.file_name = file_name
        self.step = step
        self.transient = is_transient(cause)


@dataclass
class IngestContext:
    """The outside world of an ingest, injected (tests pass their own clock and sender)."""

    engine: Engine
    settings: Settings
    tables: CodeTables
    sender: Sender
    clock: Callable[[], datetime] = field(default=lambda: datetime.now(UTC))
    # A hook between the steps of a transmission's transaction (fault injection in tests).
    checkpoint: Callable[[str], None] = field(default=lambda _step: None)
    # Files validated and matched ahead in other processes (`ost run` on several cores).
    lookahead: Lookahead | None = None

    def today(self) -> date:
        """The date on the OST_TIMEZONE clock, against which the rules judge dates
        (docs/rules.md)."""
        return local_today(self.clock(), self.settings.timezone)

    @property
    def mailer(self) -> Mailer:
        return Mailer(self.sender, self.settings.mail_from, self.settings.outbox)


@dataclass(frozen=True)
class IngestOutcome:
    transmission_id: int
    reports: Mapping[str, Report]  # by language: "en", "fr"

    @property
    def report(self) -> Report:
        """The English report: the one `ost ingest --json` prints."""
        return self.reports["en"]

    @property
    def status(self) -> str:
        return self.report.status


# -- one transmission end to end -------------------------------------------------------------


class SetAside(RuntimeError):
    """A transmission whose processing ended too many times with the process dying."""


def register(ctx: IngestContext, name: str, sha: str, size: int) -> tuple[int, int | None]:
    """A transmission row for these bytes: (id, id of the earlier receipt if a duplicate).

    Raises TransmissionFailed for one set aside (`retry_values`).
    """
    with ctx.engine.begin() as conn:
        earlier = store.previous_receipt(conn, sha, name)
        if earlier is None or earlier.id is None or earlier.status in FINAL_STATUSES:
            values = {
                "file_name": name,
                "sha256": sha,
                "size": size,
                "received_at": ctx.clock(),
                "status": "duplicate" if earlier else "received",
                "duplicate_of": earlier.id if earlier else None,
            }
            return store.add_transmission(conn, values), earlier.id if earlier else None
        # Same bytes, but the earlier attempt never finished: this is its retry.
        values = retry_values(ctx, earlier) | {"file_name": name}
        store.update_transmission(conn, earlier.id, values)
    if values["status"] == "failed":
        raise TransmissionFailed(earlier.id, "start", SetAside(values["failure_reason"]), name)
    return earlier.id, None


def retry_values(ctx: IngestContext, earlier: Transmission) -> dict[str, Any]:
    """What a new attempt at an unfinished transmission writes: `received` again, or `failed`
    once the process died in it `max_interrupted_attempts` times (still `processing`: the
    attempt never ended). The operator replays it once the cause is fixed."""
    if earlier.status != "processing":
        return {"status": "received"}
    died = earlier.interrupted_attempts + 1
    if died < ctx.settings.max_interrupted_attempts:
        return {"status": "received", "interrupted_attempts": died}
    reason = (
        f"set aside: the process died {died} times while processing it; "
        f"replay it (ost replay {earlier.id}) once the cause is fixed"
    )
    return {
        "status": "failed",
        "interrupted_attempts": died,
        "failure_reason": reason,
        "processed_at": ctx.clock(),
    }


def duplicate_report(transmission_id: int, name: str, earlier: Transmission, lang: str) -> Report:
    """F009: nothing is done with bytes already received; the report says so."""
    message = render_message("F009", lang, {"value": name, "expected": earlier.file_name})
    finding: FindingRow = {
        "code": "F009",
        "severity": severity_of("F009"),
        "line": None,
        "record_type": None,
        "student_number": None,
        "surname": None,
        "first_name": None,
        "course": None,
        "field": "file_name",
        "value": name,
        "message": message,
    }
    return Report(
        id=transmission_id,
        file=name,
        mident=earlier.mident,
        status=DUPLICATE,
        findings=(finding,),
        matching=EMPTY_MATCHING,
        merge=EMPTY_COUNTS,
    )


def validate_received(ctx: IngestContext, received: Received) -> ValidationResult | Prepared:
    """Every rule on the received bytes; the file prepared for the stage when that was done
    ahead (`pipeline.lookahead`)."""
    limit = ctx.settings.max_file_bytes
    if received.raw is None:
        result = oversized(received.name, received.size, limit)
        assert result is not None
        return result
    if ctx.lookahead is not None:
        ahead = ctx.lookahead.result(received.name, received.sha256, ctx.today())
        if ahead is not None:
            return ahead
    today = ctx.today()
    return validate_file(
        received.name, received.raw, tables=ctx.tables, today=today, max_bytes=limit
    )


def mark_failed(ctx: IngestContext, transmission_id: int, reason: str) -> None:
    with ctx.engine.begin() as conn:
        store.update_transmission(
            conn,
            transmission_id,
            {"status": "failed", "failure_reason": reason[:2000], "processed_at": ctx.clock()},
        )


def ingest_bytes(
    ctx: IngestContext, received: Received, applicants: ApplicantPool
) -> IngestOutcome:
    """One transmission end to end. Raises TransmissionFailed after marking it `failed`."""
    name, raw = received.name, received.raw
    transmission_id, earlier_id = register(ctx, name, received.sha256, received.size)
    if earlier_id is not None:
        return _duplicate(ctx, transmission_id, name, earlier_id)
    if raw is not None:
        # Archived before processing, so a failed transmission can be replayed from here.
        archive_original(ctx.settings.archive, transmission_id, name, raw)
    return process_received(ctx, transmission_id, received, applicants)


def process_received(
    ctx: IngestContext,
    transmission_id: int,
    received: Received,
    applicants: ApplicantPool,
    *,
    confirm: bool = True,
) -> IngestOutcome:
    """Validate `received`, then read, stage, write and publish it as the registered
    `transmission_id`.

    Earlier records of the same transmission are replaced, and the merge applies only what
    is not already in place (docs/merging.md), so a replay goes through here too.
    """
    step = "validate"
    published: list[Staged] = []  # reports in place, withdrawn if the commit then fails
    try:
        validated = validate_received(ctx, received)
        step = "merge"
        with ctx.engine.begin() as conn:
            # Visible at once: a transmission left "processing" was interrupted.
            store.update_transmission(conn, transmission_id, {"status": "processing"})
        prepared = validated if isinstance(validated, Prepared) else prepare(validated, applicants)
        with ctx.engine.begin() as conn:
            now = ctx.clock()
            outcome = stage(transmission_id, prepared, applicants, StoreReads(conn))
            writes = write_records(conn, outcome, now, ctx.checkpoint)
            # The reports are rendered and synced on another thread while the database takes
            # the bulk writes, and put in place only once those succeeded (a failed transmission
            # has no report), before the commit: a crash in between leaves the transmission
            # unfinished, to be done again by the next run, never finished without its reports.
            with ThreadPoolExecutor(1, thread_name_prefix="reports") as writer:
                staging = writer.submit(
                    stage_reports, ctx.settings.reports, transmission_id, outcome.reports
                )
                # The e-mail is written there too; it is sent only once the data is in.
                notice = writer.submit(
                    confirmation_of,
                    ctx.mailer,
                    transmission_id,
                    outcome.result,
                    outcome.reports,
                    ctx.clock(),
                )
                try:
                    writes.apply(conn)
                    if writes.plan is not None:
                        ctx.checkpoint("merge")
                except BaseException:
                    discard_when_staged(staging)
                    raise
                step = "report"
                published.append(publish_when_staged(staging))
            values = transmission_values(outcome) | {"processed_at": ctx.clock()}
            store.update_transmission(conn, transmission_id, values)
            step = "commit"
    except failures() as error:
        failure = TransmissionFailed(transmission_id, step, error, received.name)
        log.error("%s", failure)
        for staged in published:  # the data is not in: its reports must not say it is
            staged.withdraw()
        try:
            mark_failed(ctx, transmission_id, str(failure))
        except Exception as unmarked:  # noqa: BLE001 - e.g. the database is still unreachable
            log.error("transmission %s: could not be marked failed: %s", transmission_id, unmarked)
        raise failure from error
    if confirm:
        send_notice(ctx.mailer, transmission_id, notice)
    return IngestOutcome(transmission_id, outcome.reports)


def publish_when_staged(staging: Future[Staged]) -> Staged:
    """The staged reports put in place once staging ends (its failure is raised here)."""
    staged = staging.result()
    staged.publish()
    return staged


def discard_when_staged(staging: Future[Staged]) -> None:
    """The staged reports removed once staging ends (nothing is left if it failed itself)."""
    try:
        staged = staging.result()
    except Exception:  # noqa: BLE001 - the failure being raised is the one that matters
        return
    staged.discard()


def _duplicate(
    ctx: IngestContext, transmission_id: int, name: str, earlier_id: int
) -> IngestOutcome:
    """F009: recorded, nothing done, and the school told so (every file received is confirmed)."""
    with ctx.engine.begin() as conn:
        earlier = store.get_transmission(conn, earlier_id)
        assert earlier is not None
        store.update_transmission(
            conn, transmission_id, {"mident": earlier.mident, "processed_at": ctx.clock()}
        )
    reports = {lang: duplicate_report(transmission_id, name, earlier, lang) for lang in LANGUAGES}
    confirm_duplicate(ctx.mailer, transmission_id, earlier.contact_email, reports, ctx.clock())
    return IngestOutcome(transmission_id, reports)


# -- several files -------------------------------------------------------------------------


def ingest_paths(
    ctx: IngestContext, paths: Sequence[Path]
) -> list[IngestOutcome | TransmissionFailed]:
    """Each file in school and header-timestamp order (docs/merging.md); failures do not stop the
    rest.

    A file over the size limit is archived too, copied as it is: once the limit is raised,
    `ost replay` processes it from there.
    """
    received = sorted(
        ((receive(path, ctx.settings.max_file_bytes), path) for path in paths),
        key=lambda pair: pair[0].order_key,
    )
    with ctx.engine.connect() as conn:
        applicants = store.load_applicant_pool(conn, ctx.settings.zones)
    outcomes: list[IngestOutcome | TransmissionFailed] = []
    for item, path in received:
        try:
            outcome = ingest_bytes(ctx, item, applicants)
        except TransmissionFailed as failure:
            outcomes.append(failure)
            continue
        if item.raw is None and outcome.status != "duplicate":
            archive_original(ctx.settings.archive, outcome.transmission_id, item.name, path)
        outcomes.append(outcome)
    return outcomes
