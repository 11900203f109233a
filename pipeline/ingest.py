"""`ost ingest`: register -> validate -> match -> merge -> report -> archive -> confirm.

Each transmission's records, match decisions and merge are written in one database
transaction; a failure rolls all of it back and marks the transmission `failed`.
"""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
from sqlalchemy import Connection, Engine

from error_glossary import render_message, severity_of
from matching import ApplicantPool, match_students
from matching.schema import MATCHED
from parsers.fixed_width import UTF8_BOM
from pipeline import store
from pipeline.config import Settings, local_today
from pipeline.confirm import confirmation_of, send_confirmation, send_notice
from pipeline.files import open_regular, read_open, text_name
from pipeline.merge import (
    COURSE_VALUES,
    EMPTY_COUNTS,
    course_school,
    merge_counts,
    merge_findings,
    plan_merge,
)
from pipeline.models import FINAL_STATUSES, SCHOOL_TIMEZONE, Transmission
from pipeline.notify import Sender, confirmation
from pipeline.operator_decisions import respected
from pipeline.outputs import LANGUAGES, Staged, archive_original, stage_reports
from pipeline.reasons import failures, one_line
from pipeline.reports import FINDING_KEYS, capped_report
from rules.findings import concat_findings
from rules.validate import (
    CodeTables,
    ValidationResult,
    describe,
    oversized,
    validate_file,
    with_severity,
)

if TYPE_CHECKING:
    from pipeline.lookahead import Lookahead

log = logging.getLogger("ost.ingest")

# What the history says of a transmission whose header gives no address to confirm to.
NO_CONFIRMATION = "no confirmation e-mail sent: the contact e-mail is missing or invalid (F011)"


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


def is_transient(error: BaseException) -> bool:
    """Whether trying again may help: lost or locked database, full disk, timeouts.

    A file that is missing, not a file, or not ours to read or write stays so: not retried.
    """
    if isinstance(error, PermissionError | FileNotFoundError | IsADirectoryError):
        return False
    text = f"{type(error).__name__} {error}".lower()
    markers = ("locked", "timeout", "timed out", "connection", "operationalerror", "no space")
    return isinstance(error, OSError | TimeoutError) or any(m in text for m in markers)


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


@dataclass(frozen=True)
class IngestOutcome:
    transmission_id: int
    reports: dict[str, dict[str, Any]]  # by language: "en", "fr"

    @property
    def report(self) -> dict[str, Any]:
        """The English report: the one `ost ingest --json` prints."""
        return self.reports["en"]

    @property
    def status(self) -> str:
        return str(self.report["status"])


def sha256_of(raw: bytes) -> str:
    return hashlib.sha256(raw).hexdigest()


def created_at_utc(result: ValidationResult) -> datetime | None:
    created = result.header.created_at
    return created.replace(tzinfo=SCHOOL_TIMEZONE).astimezone(UTC) if created else None


# -- matching and merging of one transmission, inside its transaction ------------------------


def students_for_matching(result: ValidationResult) -> pl.DataFrame:
    """The accepted S1 records in the matcher's input schema, keyed by their line.

    Keys by line let the matching be done before the records are stored (ahead, in another
    process); `by_record` then keys its decisions by the stored records' ids.
    """
    return result.accepted_students.select(
        pl.col("line").cast(pl.Int64).alias("student_key"), *store.student_values()
    )


def is_matched(result: ValidationResult) -> bool:
    """Whether a transmission's students are matched: not rejected, and dated (docs/rules.md,
    docs/merging.md)."""
    return result.status != "rejected" and created_at_utc(result) is not None


def match_ahead(result: ValidationResult, applicants: ApplicantPool) -> pl.DataFrame | None:
    """The match decisions of a validated transmission, keyed by line (None if not matched)."""
    if not is_matched(result):
        return None
    return match_students(students_for_matching(result), applicants)


def by_record(frame: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """`frame` with its `student_key` (an S1 line) replaced by the stored record's id."""
    keys = ids.select(student_key=pl.col("line").cast(pl.Int64), record=pl.col("student_record_id"))
    joined = frame.join(keys, on="student_key", how="left", maintain_order="left")
    return joined.with_columns(pl.col("record").alias("student_key")).drop("record")


def matching_findings(
    decisions: pl.DataFrame, students: pl.DataFrame, applicants: ApplicantPool, lines: pl.DataFrame
) -> pl.DataFrame:
    """A001-A006 as findings on the students' S1 lines, with the values their messages show."""
    if decisions.is_empty():
        return concat_findings([])
    coded = decisions.explode("codes").filter(pl.col("codes").is_not_null())
    people = applicants.applicants(coded["application_number"]).select(
        "application_number",
        pl.col("oen").alias("applicant_oen"),
        pl.concat_str("first_name", "last_name", separator=" ").alias("applicant_name"),
    )
    coded = (
        coded.join(students.select("student_key", "oen", "first_name", "surname"), on="student_key")
        .join(people, on="application_number", how="left")
        .join(lines.rename({"student_record_id": "student_key"}), on="student_key")
    )
    code = pl.col("codes")
    return coded.select(
        code.alias("code"),
        pl.col("line").cast(pl.UInt32),
        pl.lit("S1").alias("record_type"),
        pl.when(code == "A006").then(pl.lit("first_name")).otherwise(pl.lit("oen")).alias("field"),
        pl.when(code == "A006")
        .then(pl.concat_str("first_name", "surname", separator=" "))
        .otherwise(pl.col("oen"))
        .alias("value"),
        pl.when(code == "A002")
        .then(pl.col("candidates").list.join(", "))
        .when(code == "A004")
        .then(pl.col("applicant_oen"))
        .when(code == "A006")
        .then(pl.col("applicant_name"))
        .alias("expected"),
        # A probable applicant held for review is the operators' to see, not the school's.
        pl.when(code != "A009").then(pl.col("application_number")).alias("application_number"),
    )


def incoming_courses(grades: pl.DataFrame, decisions: pl.DataFrame) -> pl.DataFrame:
    """Accepted grades of matched students, keyed for the merge."""
    matched = decisions.filter(pl.col("status") == MATCHED).select(
        pl.col("student_key").alias("student_record_id"), "application_number"
    )
    joined = grades.join(matched, on="student_record_id")
    return joined.with_columns(
        course_school().alias("course_mident"), pl.col("supplier_mident").str.strip_chars(" ")
    ).select(
        "application_number",
        "course_code",
        "completion_date",
        "delivery_type",
        *(name for name in COURSE_VALUES if name != "mident"),
        "mident",
        pl.col("line").cast(pl.Int64),
    )


def plan_courses(conn: Connection, incoming: pl.DataFrame, created_at: datetime) -> pl.DataFrame:
    """The merge plan of one transmission's courses against those on record (docs/merging.md)."""
    applicants = incoming["application_number"].unique().to_list()
    stored = store.stored_courses(conn, applicants)
    deleted = store.deleted_courses(conn, applicants)
    midents = incoming["mident"].unique().to_list()
    carried = store.carried_courses(conn, midents, created_at, applicants)
    return plan_merge(incoming, stored, created_at, deleted, carried)


def merge_courses(
    conn: Connection,
    incoming: pl.DataFrame,
    transmission_id: int,
    created_at: datetime,
    now: datetime,
) -> tuple[dict[str, int], pl.DataFrame]:
    """Plan and apply the merge of one transmission's courses; counts and M findings."""
    plan = plan_courses(conn, incoming, created_at)
    store.apply_plan(conn, plan, transmission_id, created_at, now)
    return merge_counts(plan), merge_findings(plan)


@dataclass(frozen=True)
class RecordWrites:
    """The bulk writes of a transmission: its grade records, and its merge plan carried out.

    Nothing the reports say depends on them, so they are done while the reports are written.
    """

    transmission_id: int
    grades: pl.DataFrame
    student_ids: pl.DataFrame
    now: datetime
    plan: pl.DataFrame | None = None
    created_at: datetime | None = None

    def apply(self, conn: Connection) -> None:
        store.save_grades(conn, self.transmission_id, self.grades, self.student_ids)
        if self.plan is not None and self.created_at is not None:
            store.apply_plan(conn, self.plan, self.transmission_id, self.created_at, self.now)


def matching_counts(decisions: pl.DataFrame) -> dict[str, int]:
    status = decisions["status"]
    return {
        "matched": int((status == "matched").sum()),
        "pending": int((status == "pending").sum()),
        # Held for an operator's review (A002 ties and A009 probable matches) count as ambiguous.
        "ambiguous": int(status.is_in(["ambiguous", "review"]).sum()),
        "not_merged": int(status.is_in(["not_merged", "international"]).sum()),
    }


EMPTY_MATCHING = {"matched": 0, "pending": 0, "ambiguous": 0, "not_merged": 0}


def process(
    ctx: IngestContext,
    conn: Connection,
    transmission_id: int,
    result: ValidationResult,
    applicants: ApplicantPool,
    matched_ahead: pl.DataFrame | None = None,
) -> tuple[pl.DataFrame, dict[str, int], dict[str, int], RecordWrites]:
    """Store, match and plan the merge of one validated transmission.

    Returns its A/M findings, its counts, and the bulk writes left for the caller to carry
    out in the same transaction (`RecordWrites`). `matched_ahead`: its match decisions keyed
    by line when done beforehand (`match_ahead`).
    """
    now = ctx.clock()
    created_at = created_at_utc(result)
    # Matched first (when not done ahead) so the records are stored with their current match.
    matched = match_ahead(result, applicants) if matched_ahead is None else matched_ahead
    if matched is not None:  # an operator's link or rejection outweighs the matcher
        matched = respected(conn, students_for_matching(result), matched, applicants)
    store.clear_records(conn, transmission_id)
    ids = store.save_students(conn, transmission_id, result.recorded_students, matched)
    writes = RecordWrites(transmission_id, result.grades, ids, now)
    ctx.checkpoint("records")
    if matched is None or created_at is None:
        return concat_findings([]), dict(EMPTY_MATCHING), dict(EMPTY_COUNTS), writes
    students = by_record(students_for_matching(result), ids)
    decisions = by_record(matched, ids)
    store.save_decisions(conn, decisions, now, current=False)
    ctx.checkpoint("matching")
    grades = result.accepted_grades.with_columns(pl.col("owner_line").cast(pl.Int64)).join(
        ids.rename({"line": "owner_line"}), on="owner_line"
    )
    plan = plan_courses(conn, incoming_courses(grades, decisions), created_at)
    a_findings = matching_findings(decisions, students, applicants, ids)
    extra = concat_findings([a_findings, merge_findings(plan)])
    store.save_findings(conn, transmission_id, extra, now)
    writes = replace(writes, plan=plan, created_at=created_at)
    return extra, matching_counts(decisions), merge_counts(plan), writes


# -- reports -------------------------------------------------------------------------------


def full_findings(result: ValidationResult, extra: pl.DataFrame) -> pl.DataFrame:
    described = describe(with_severity(extra), result.students, result.grades)
    merged = pl.concat([result.findings, described.select(result.findings.columns)])
    return merged.sort("line", "code", nulls_last=False, maintain_order=True)


def final_status(result: ValidationResult, findings: pl.DataFrame) -> str:
    """docs/rules.md; a course refused at merge (M001, M002) also makes a file partially
    processed."""
    if result.status == "rejected":
        return "rejected"
    has_errors = (findings["severity"] == "error").any()
    return "partially processed" if has_errors else "processed"


def ingest_report(
    transmission_id: int,
    result: ValidationResult,
    findings: pl.DataFrame,
    matching: dict[str, int],
    merge: dict[str, int],
    lang: str,
) -> dict[str, Any]:
    """docs/commands.md: the validate object plus id, matching and merge counts."""
    full = ValidationResult(
        result.file_name, result.header, result.encoding, findings, result.students, result.grades
    )
    report = capped_report(full, lang)
    report["status"] = final_status(result, findings)
    return {"id": transmission_id, **report, "matching": matching, "merge": merge}


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


def duplicate_report(
    transmission_id: int, name: str, earlier: Transmission, lang: str
) -> dict[str, Any]:
    """F009: nothing is done with bytes already received; the report says so."""
    finding = dict.fromkeys(FINDING_KEYS) | {
        "code": "F009",
        "severity": severity_of("F009"),
        "field": "file_name",
        "value": name,
        "message": render_message("F009", lang, {"value": name, "expected": earlier.file_name}),
    }
    return {
        "id": transmission_id,
        "file": name,
        "mident": earlier.mident,
        "status": "duplicate",
        "counts": {"students": 0, "grades": 0, "errors": 0, "warnings": 0},
        "findings": [finding],
        "matching": dict(EMPTY_MATCHING),
        "merge": dict(EMPTY_COUNTS),
    }


def validate_received(
    ctx: IngestContext, received: Received
) -> tuple[ValidationResult, pl.DataFrame | None]:
    """Every rule on the received bytes, and the match decisions when they were done ahead."""
    limit = ctx.settings.max_file_bytes
    if received.raw is None:
        result = oversized(received.name, received.size, limit)
        assert result is not None
        return result, None
    if ctx.lookahead is not None:
        ahead = ctx.lookahead.result(received.name, received.sha256, ctx.today())
        if ahead is not None:
            return ahead.result, ahead.decisions
    today = ctx.today()
    return validate_file(
        received.name, received.raw, tables=ctx.tables, today=today, max_bytes=limit
    ), None


def _transmission_values(result: ValidationResult, report: dict[str, Any]) -> dict[str, Any]:
    counts = report["counts"]
    return {
        "status": report["status"],
        "mident": result.header.mident,
        "transmission_number": result.header.transmission_number,
        "created_at": created_at_utc(result),
        "contact_email": (result.header.contact_email or None),
        "encoding": result.encoding,
        "students": counts["students"],
        "grades": counts["grades"],
        "errors": counts["errors"],
        "warnings": counts["warnings"],
        "failure_reason": None if result.header.contact_email else NO_CONFIRMATION,
        "summary_json": json.dumps({"matching": report["matching"], "merge": report["merge"]}),
    }


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
    """Validate, match, merge and report `received` as the registered `transmission_id`.

    Earlier records of the same transmission are replaced, and the merge applies only what
    is not already in place (docs/merging.md), so a replay goes through here too.
    """
    step = "validate"
    published: list[Staged] = []  # reports in place, withdrawn if the commit then fails
    try:
        result, matched_ahead = validate_received(ctx, received)
        step = "merge"
        with ctx.engine.begin() as conn:
            # Visible at once: a transmission left "processing" was interrupted.
            store.update_transmission(conn, transmission_id, {"status": "processing"})
        with ctx.engine.begin() as conn:
            extra, matching, merge, writes = process(
                ctx, conn, transmission_id, result, applicants, matched_ahead
            )
            findings = full_findings(result, extra)
            reports = {
                lang: ingest_report(transmission_id, result, findings, matching, merge, lang)
                for lang in ("en", "fr")
            }
            # The reports are rendered and synced on another thread while the database takes
            # the bulk writes, and put in place only once those succeeded (a failed transmission
            # has no report), before the commit: a crash in between leaves the transmission
            # unfinished, to be done again by the next run, never finished without its reports.
            with ThreadPoolExecutor(1, thread_name_prefix="reports") as writer:
                staging = writer.submit(
                    stage_reports, ctx.settings.reports, transmission_id, result, reports
                )
                # The e-mail is written there too; it is sent only once the data is in.
                notice = writer.submit(
                    confirmation_of, ctx, transmission_id, result, reports, ctx.clock()
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
            values = _transmission_values(result, reports["en"]) | {"processed_at": ctx.clock()}
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
        send_notice(ctx, transmission_id, notice)
    return IngestOutcome(transmission_id, reports)


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
    message = None
    if earlier.contact_email:
        sender = ctx.settings.mail_from
        recipient = earlier.contact_email
        try:
            message = confirmation(
                transmission_id, recipient, reports, sender=sender, now=ctx.clock()
            )
        except Exception as error:  # noqa: BLE001 - nothing was done; only the notice is lost
            log.warning("transmission %s: confirmation not composed: %s", transmission_id, error)
            return IngestOutcome(transmission_id, reports)
    send_confirmation(ctx, transmission_id, message)
    return IngestOutcome(transmission_id, reports)


# -- several files -------------------------------------------------------------------------


@dataclass(frozen=True)
class Received:
    """A file as received: its bytes (None when over the size limit), size and digest."""

    name: str
    raw: bytes | None
    size: int
    sha256: str

    @property
    def order_key(self) -> tuple[str, str]:
        """(MIDENT, creation timestamp) from the T1 positions, for docs/merging.md ordering."""
        first = (self.raw or b"").removeprefix(UTF8_BOM)[:200].decode("latin-1")
        return first[2:8], first[10:24]


def receive(path: Path, max_bytes: int) -> Received:
    """Read a file for ingest, opened once without following links (`open_regular`); an
    oversized one is hashed in pieces from the same open file, never loaded whole."""
    name = text_name(path.name)
    with open_regular(path) as stream:
        size, raw = read_open(stream, path, max_bytes)
        if raw is not None:
            return Received(name, raw, size, sha256_of(raw))
        digest = hashlib.sha256()
        for piece in iter(lambda: stream.read(2**20), b""):
            digest.update(piece)
    return Received(name, None, size, digest.hexdigest())


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
