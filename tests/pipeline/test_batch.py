"""`ost run` and `ost replay`: the inbox batch, failures that do not stop it, replays."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from pipeline.batch import (
    FIRST_STATISTICS_REFRESH,
    StatisticsSchedule,
    process_file,
    run_batch,
    start_run,
)
from pipeline.cli import app
from pipeline.cli_shared import EXIT_DATA_ERRORS, EXIT_LOCKED, EXIT_OK
from pipeline.config import BatchOptions, ConfigError, Settings, batch_options, load_settings
from pipeline.database import open_database
from pipeline.inbox import in_spec_order
from pipeline.ingest import IngestContext
from pipeline.lock import DatabaseLock, LockHeld
from pipeline.logs import configure_logging, mask, reset_logging
from pipeline.models import CourseChange, GradeRecord, Run, Transmission
from pipeline.queries import export_courses
from pipeline.replay import ReplayError, replay_failed, replay_transmission
from pipeline.retry import Backoff
from pipeline.run_summary import RunSummary
from pipeline.runtime import ensure_folders
from pipeline.store import add_transmission, load_applicant_pool, refresh_statistics, table
from pipeline.store.core import GROWING_TABLES
from pipeline.store.courses import GRADE_FIELDS
from pipeline.store.transmissions import history
from rules.validate import packaged_code_tables
from tests.jobs.inbox import fill_inbox, import_sample_applicants
from tests.pipeline.conftest import NOW, Mailbox
from tests.postgres import fresh_database

# In docs/merging.md order: school, then header timestamp (S880012.C3 starts with a byte-order
# mark).
FILES_IN_ORDER = ["S871234.C1", "S880012.C3", "S885827.C1"]
STATUSES = {
    "S871234.C1": "partially processed",
    "S880012.C3": "rejected",
    "S885827.C1": "processed",
}


class SleepRecorder:
    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


class DatabaseDown:
    """A checkpoint that loses the database at `step`, `times` times, after `skip` good passes."""

    def __init__(self, step: str, skip: int, times: int) -> None:
        self.step, self.skip, self.times = step, skip, times
        self.passes = 0

    def __call__(self, step: str) -> None:
        if step != self.step:
            return
        self.passes += 1
        if self.skip < self.passes <= self.skip + self.times:
            raise OperationalError(
                "UPDATE course SET ...", {}, ConnectionError("server closed the connection")
            )


@pytest.fixture
def sample_inbox(settings_home: Settings) -> Path:
    fill_inbox(settings_home.inbox)
    return settings_home.inbox


@pytest.fixture
def ctx_with_applicants(ingest_ctx: IngestContext, sample_inbox: Path) -> IngestContext:
    import_sample_applicants(ingest_ctx.engine, NOW)
    return ingest_ctx


@pytest.fixture
def sleep_recorder() -> SleepRecorder:
    return SleepRecorder()


@pytest.fixture
def options_no_settle(sleep_recorder: SleepRecorder) -> BatchOptions:
    retry = Backoff(attempts=3, base_delay=1.0, sleep=sleep_recorder)
    return BatchOptions(settle_seconds=0, retry=retry, sleep=sleep_recorder)


@pytest.fixture
def logging_to_tmp(tmp_path: Path) -> Iterator[Path]:
    """The log file of `configure_logging` under tmp_path; handlers removed afterwards."""
    path = configure_logging(tmp_path / "logs")
    yield path
    reset_logging()


def clean_run(tmp_path: Path) -> tuple[pl.DataFrame, list[tuple[Any, ...]], int]:
    """The sample inbox run once, without failures, into its own database."""
    settings = load_settings(
        {"OST_HOME": str(tmp_path / "clean"), "OST_DATABASE_URL": f"sqlite:///{tmp_path}/clean.db"}
    )
    ensure_folders(settings)
    fill_inbox(settings.inbox)
    engine = open_database(settings.database_url)
    import_sample_applicants(engine, NOW)
    mailbox = Mailbox()
    ctx = IngestContext(engine, settings, packaged_code_tables(), mailbox, clock=lambda: NOW)
    run_batch(ctx, BatchOptions(settle_seconds=0))
    state = final_state(ctx)
    engine.dispose()
    return *state, len(mailbox.messages)


def final_state(ctx: IngestContext) -> tuple[pl.DataFrame, list[tuple[Any, ...]]]:
    """Every merged course, and each transmission's id, file and status."""
    t = table(Transmission)
    with ctx.engine.connect() as conn:
        courses = export_courses(conn)
        rows = conn.execute(select(t.c.id, t.c.file_name, t.c.status).order_by(t.c.id)).all()
    return courses, [tuple(row) for row in rows]


def statuses_of(summary: RunSummary) -> dict[str, str]:
    return {result.file: result.status for result in summary.files}


# -- the run -------------------------------------------------------------------------------


def test_run_processes_the_inbox_in_spec_order(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions
) -> None:
    summary = run_batch(ctx_with_applicants, options_no_settle)
    assert [result.file for result in summary.files] == FILES_IN_ORDER
    assert [result.transmission_id for result in summary.files] == [1, 2, 3]
    assert statuses_of(summary) == STATUSES
    assert summary.error is None and summary.rematch is not None
    settings = ctx_with_applicants.settings
    # Out of the inbox; each original kept once in the archive under its transmission id.
    assert list(settings.inbox.iterdir()) == []
    assert sorted(p.name for p in settings.archive.iterdir()) == [
        f"{n:08d}-{name}" for n, name in enumerate(FILES_IN_ORDER, start=1)
    ]
    with ctx_with_applicants.engine.connect() as conn:
        (run,) = conn.execute(select(table(Run))).all()
    assert (run.trigger, run.status, run.files, run.started_at) == ("manual", "finished", 3, NOW)
    stored = json.loads(run.summary_json)
    assert stored["statuses"] == {"partially processed": 1, "rejected": 1, "processed": 1}
    assert [item["file"] for item in stored["files"]] == FILES_IN_ORDER


def test_a_file_name_that_is_not_text_is_ignored_and_the_others_processed(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    logging_to_tmp: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    inbox = ctx_with_applicants.settings.inbox
    (inbox / os.fsdecode(b"S880012\xff.C4")).write_bytes(b"T1 a name with a stray byte")
    summary = run_batch(ctx_with_applicants, options_no_settle)
    assert [result.file for result in summary.files] == FILES_IN_ORDER
    assert summary.ignored == ["S880012\\xff.C4"]  # shown with its byte escaped
    assert summary.error is None
    assert "Logging error" not in capsys.readouterr().err  # every line could be written
    logged = [json.loads(line) for line in logging_to_tmp.read_text().splitlines()]
    assert logged and all(isinstance(line, dict) for line in logged)


def test_a_file_that_cannot_be_read_is_ordered_last_and_reported_unprocessed(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions
) -> None:
    # Listed, then gone (or unreadable) before its header could be peeked at for the order.
    inbox = ctx_with_applicants.settings.inbox
    readable = sorted(inbox.iterdir())
    gone = inbox / "S885000.C1"
    assert in_spec_order([gone, *readable]) == [inbox / name for name in FILES_IN_ORDER] + [gone]
    with ctx_with_applicants.engine.connect() as conn:
        applicants = load_applicant_pool(conn)
    result = process_file(ctx_with_applicants, gone, applicants, options_no_settle.retry)
    assert (result.status, result.transmission_id) == ("error", None)
    assert result.reason is not None and "No such file or directory" in result.reason
    assert result.attempts == 1  # a missing file is not retried


def test_files_still_arriving_and_temporary_names_are_left_alone(
    ctx_with_applicants: IngestContext, sleep_recorder: SleepRecorder
) -> None:
    inbox = ctx_with_applicants.settings.inbox
    growing = inbox / "S885827.C1"
    (inbox / "S999999.C1.part").write_bytes(b"T1 half a file")
    (inbox / ".S999998.C1").write_bytes(b"T1 hidden")
    (inbox / "notes.txt").symlink_to("/etc/hostname")

    def sleep_while_growing(seconds: float) -> None:
        sleep_recorder(seconds)
        with growing.open("ab") as stream:
            stream.write(b"\r\n")  # the upload is still going on

    options = BatchOptions(settle_seconds=3, sleep=sleep_while_growing)
    summary = run_batch(ctx_with_applicants, options)
    assert sleep_recorder.waits == [3]
    assert [result.file for result in summary.files] == FILES_IN_ORDER[:-1]
    assert summary.waiting == ["S885827.C1"]
    assert summary.ignored == ["notes.txt"]
    assert sorted(p.name for p in inbox.iterdir()) == [
        ".S999998.C1",
        "S885827.C1",
        "S999999.C1.part",
        "notes.txt",
    ]


def test_a_transient_failure_is_retried_and_the_file_processed(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    sleep_recorder: SleepRecorder,
) -> None:
    ctx = replace(ctx_with_applicants, checkpoint=DatabaseDown("merge", skip=1, times=1))
    summary = run_batch(ctx, options_no_settle)
    assert statuses_of(summary) == STATUSES
    attempts = {result.file: result.attempts for result in summary.files}
    assert attempts == {name: 2 if name == "S885827.C1" else 1 for name in FILES_IN_ORDER}
    assert sleep_recorder.waits == [1.0]


def test_database_lost_for_one_transmission_then_replay_matches_a_clean_run(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    sleep_recorder: SleepRecorder,
    mailbox: Mailbox,
    tmp_path: Path,
) -> None:
    # The database is unavailable for every attempt at the second transmission that merges.
    ctx = replace(ctx_with_applicants, checkpoint=DatabaseDown("merge", skip=1, times=3))
    summary = run_batch(ctx, options_no_settle)

    assert statuses_of(summary) == {**STATUSES, "S885827.C1": "failed"}
    failed = summary.files[2]
    assert (failed.file, failed.transmission_id, failed.attempts) == ("S885827.C1", 3, 3)
    assert sleep_recorder.waits == [1.0, 2.0]
    assert summary.error is None  # the batch went on
    with ctx.engine.connect() as conn:
        failed = history(conn, "failed")
    assert failed["id"].to_list() == [3]
    assert "merge failed" in failed["failure_reason"][0]
    assert "server closed the connection" in failed["failure_reason"][0]
    assert list(ctx.settings.inbox.iterdir()) == []  # its original waits in the archive

    mails_before = len(mailbox.messages)
    results = replay_failed(ctx_with_applicants, options_no_settle)
    assert [(r.file, r.status, r.transmission_id) for r in results] == [
        ("S885827.C1", "processed", 3)
    ]
    clean_courses, clean_transmissions, clean_mails = clean_run(tmp_path)
    courses, transmissions = final_state(ctx_with_applicants)
    assert courses.equals(clean_courses)
    assert transmissions == clean_transmissions
    # The school is told once, when its transmission is finally processed.
    assert len(mailbox.messages) == clean_mails == mails_before + 1


def test_replay_failed_through_the_cli(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions, tmp_path: Path
) -> None:
    ctx = replace(ctx_with_applicants, checkpoint=DatabaseDown("merge", skip=1, times=3))
    assert statuses_of(run_batch(ctx, options_no_settle))["S885827.C1"] == "failed"
    env = cli_env(ctx.settings)
    try:
        result = CliRunner().invoke(app, ["replay", "--failed"], env=env)
        again = CliRunner().invoke(app, ["replay", "--failed"], env=env)
    finally:
        reset_logging()
    assert result.exit_code == EXIT_OK, result.output
    assert result.stdout.strip() == "S885827.C1: processed (transmission 3)"
    assert (again.exit_code, again.stdout.strip()) == (EXIT_OK, "nothing to replay")
    clean_courses, clean_transmissions, _ = clean_run(tmp_path)
    courses, transmissions = final_state(ctx_with_applicants)
    assert courses.equals(clean_courses)
    assert transmissions == clean_transmissions


def test_an_operational_failure_outside_the_transaction_fails_the_transmission(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions
) -> None:
    settings = ctx_with_applicants.settings
    # The archive cannot be written: no file can be kept, none processed. A file where the
    # folder should be stays so until someone moves it: that is not worth a retry.
    settings.archive.rmdir()
    settings.archive.write_bytes(b"")
    summary = run_batch(ctx_with_applicants, options_no_settle)
    assert {result.status for result in summary.files} == {"failed"}
    assert all(result.attempts == 1 for result in summary.files)
    with ctx_with_applicants.engine.connect() as conn:
        assert history(conn, "failed").height == 3
    # The files stay in the inbox; once the disk is fixed, the next run processes them.
    assert sorted(p.name for p in settings.inbox.iterdir()) == sorted(FILES_IN_ORDER)
    settings.archive.unlink()
    settings.archive.mkdir()
    assert statuses_of(run_batch(ctx_with_applicants, options_no_settle)) == STATUSES


# -- replay --------------------------------------------------------------------------------


def test_replaying_processed_transmissions_changes_nothing(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions, mailbox: Mailbox
) -> None:
    run_batch(ctx_with_applicants, options_no_settle)
    before = final_state(ctx_with_applicants)
    changes_before = course_changes(ctx_with_applicants)
    mails = len(mailbox.messages)
    for transmission_id in range(1, 4):
        outcome = replay_transmission(ctx_with_applicants, transmission_id)
        assert outcome.report.merge["inserted"] == outcome.report.merge["updated"] == 0
    after = final_state(ctx_with_applicants)
    assert after[0].equals(before[0])
    assert after[1] == before[1]
    assert course_changes(ctx_with_applicants) == changes_before
    assert len(mailbox.messages) == mails


def test_what_cannot_be_replayed(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions
) -> None:
    run_batch(ctx_with_applicants, options_no_settle)
    inbox = ctx_with_applicants.settings.inbox
    fill_inbox(inbox)  # the same bytes again: duplicates
    duplicates = run_batch(ctx_with_applicants, options_no_settle)
    assert {result.status for result in duplicates.files} == {"duplicate"}
    with pytest.raises(ReplayError, match="no transmission 99"):
        replay_transmission(ctx_with_applicants, 99)
    with pytest.raises(ReplayError, match="is a duplicate of"):
        replay_transmission(ctx_with_applicants, duplicates.files[0].transmission_id or 0)
    (ctx_with_applicants.settings.archive / "00000001-S871234.C1").unlink()
    with pytest.raises(ReplayError, match="not in the archive"):
        replay_transmission(ctx_with_applicants, 1)


def course_changes(ctx: IngestContext) -> int:
    with ctx.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table(CourseChange))).scalar_one())


# -- the command line ------------------------------------------------------------------------


def cli_env(settings: Settings) -> dict[str, str]:
    return {
        "OST_HOME": str(settings.home),
        "OST_DATABASE_URL": settings.database_url,
        "OST_SETTLE_SECONDS": "0",
    }


def test_ost_run_prints_the_summary_and_logs_plain_lines(
    ctx_with_applicants: IngestContext,
) -> None:
    settings = ctx_with_applicants.settings
    try:
        result = CliRunner().invoke(app, ["run"], env=cli_env(settings))
        empty = CliRunner().invoke(app, ["run", "--json"], env=cli_env(settings))
    finally:
        reset_logging()
    assert result.exit_code == EXIT_DATA_ERRORS, result.output  # a rejected file
    lines = result.stdout.splitlines()
    assert lines[0].startswith("run 1 (manual): 3 file(s) in ")
    assert lines[0].endswith(": partially processed 1, processed 1, rejected 1")
    assert "  S885827.C1: processed (transmission 3)" in lines
    # Not a terminal: the progress comes as plain log lines on stderr.
    assert 'info S880012.C3: rejected file="S880012.C3" transmission_id=2' in result.stderr
    assert empty.exit_code == EXIT_OK
    assert json.loads(empty.stdout)["files"] == []
    log_lines = (settings.logs / "ost.log").read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["logger"] for line in log_lines} >= {"ost.batch", "ost.lock"}


def test_ost_run_while_another_run_holds_the_lock_exits_3(
    ctx_with_applicants: IngestContext,
) -> None:
    held = DatabaseLock(ctx_with_applicants.engine, lambda: datetime.now(UTC))
    held.acquire()
    try:
        result = CliRunner().invoke(app, ["run"], env=cli_env(ctx_with_applicants.settings))
    finally:
        held.release()
        reset_logging()
    assert result.exit_code == EXIT_LOCKED
    assert result.stderr.startswith(
        f"ost: another run is in progress (lock 'batch' held by {held.holder}"
    )
    assert len(result.stderr.strip().splitlines()) == 1
    assert len(list(ctx_with_applicants.settings.inbox.iterdir())) == 3


def _transmission(ctx: IngestContext, file_name: str, status: str) -> int:
    values = {"file_name": file_name, "sha256": file_name, "size": 1, "received_at": NOW}
    with ctx.engine.begin() as conn:
        return add_transmission(conn, {**values, "status": status})


def test_a_run_removes_the_temporaries_a_killed_run_left(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = ctx_with_applicants.settings
    killed = _transmission(ctx_with_applicants, "S885827.C1", "processing")
    finished = _transmission(ctx_with_applicants, "S871234.C1", "processed")
    for transmission_id in (killed, finished):
        (settings.reports / str(transmission_id)).mkdir(parents=True)
    left = [
        settings.archive / f".{killed:08d}-S885827.C1.k2x9q1.tmp",
        settings.reports / str(killed) / ".report.fr.json.p0w3zz.tmp",
        settings.outbox / f".{killed:08d}.eml.q8sj1l.tmp",
    ]
    kept = [
        settings.archive / f"{killed:08d}-S885827.C1",
        settings.reports / str(killed) / "report.html",
        settings.reports / str(killed) / "notes.tmp",  # not a name the pipeline stages under
        settings.reports / ".1.tmp",  # outside a transmission's folder
        # A finished transmission's folder is not looked at: nothing is staged there.
        settings.reports / str(finished) / ".report.html.a9dk2m.tmp",
    ]
    for path in (*left, *kept):
        path.write_bytes(b"partial")
    with caplog.at_level(logging.WARNING, logger="ost.batch"):
        summary = run_batch(ctx_with_applicants, options_no_settle)
    assert not any(path.exists() for path in left)
    assert all(path.read_bytes() == b"partial" for path in kept)
    assert "removed 3 unfinished file(s) an interrupted run left" in caplog.text
    assert all(str(path) in caplog.text for path in left)
    assert statuses_of(summary) == STATUSES  # and the batch itself went on as usual


def test_a_run_left_running_by_a_killed_process_is_marked_interrupted(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    caplog: pytest.LogCaptureFixture,
) -> None:
    killed = start_run(ctx_with_applicants, "scheduled")  # its process died without finishing
    with caplog.at_level(logging.WARNING, logger="ost.batch"):
        summary = run_batch(ctx_with_applicants, options_no_settle)
    runs = table(Run)
    with ctx_with_applicants.engine.connect() as conn:
        rows = dict(conn.execute(select(runs.c.id, runs.c.status).order_by(runs.c.id)).all())
    assert rows == {killed.run_id: "interrupted", summary.run_id: "finished"}
    assert f"run(s) {killed.run_id} had been interrupted" in caplog.text


def test_a_temporary_that_cannot_be_removed_does_not_stop_the_run(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    caplog: pytest.LogCaptureFixture,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    settings = ctx_with_applicants.settings
    stuck = settings.archive / ".00000009-S885827.C1.zz81nq.tmp"
    stuck.write_bytes(b"partial")
    unlink = Path.unlink

    def refused(path: Path, missing_ok: bool = False) -> None:
        # As for a file another user owns (the tests run as root, which no mode bit stops).
        if path == stuck:
            raise PermissionError(13, "Permission denied", str(path))
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(Path, "unlink", refused)
    with caplog.at_level(logging.WARNING, logger="ost.batch"):
        summary = run_batch(ctx_with_applicants, options_no_settle)
    assert stuck.exists()
    assert statuses_of(summary) == STATUSES
    assert f"could not remove {stuck}, left by an interrupted run" in caplog.text


def test_temporaries_are_left_alone_while_another_run_holds_the_lock(
    ctx_with_applicants: IngestContext, options_no_settle: BatchOptions
) -> None:
    settings = ctx_with_applicants.settings
    writing = settings.archive / ".00000001-S871234.C1.a8d0f2.tmp"
    writing.write_bytes(b"being written by the run that holds the lock")
    held = DatabaseLock(ctx_with_applicants.engine, lambda: datetime.now(UTC))
    held.acquire()
    try:
        with pytest.raises(LockHeld):
            run_batch(ctx_with_applicants, options_no_settle)
    finally:
        held.release()
    assert writing.exists()


def test_replay_needs_ids_or_failed(settings_home: Settings) -> None:
    env = cli_env(settings_home)
    for args in (["replay"], ["replay", "3", "--failed"]):
        result = CliRunner().invoke(app, args, env=env)
        assert result.exit_code == 2
        assert result.stderr == "ost: give transmission ids, or --failed\n"


def test_batch_options_from_the_environment() -> None:
    options = batch_options(
        {"OST_SETTLE_SECONDS": "0.5", "OST_LOCK_STALE_SECONDS": "120", "OST_RETRY_ATTEMPTS": "5"}
    )
    assert options.settle_seconds == 0.5
    assert options.stale_after.total_seconds() == 120
    assert options.retry.attempts == 5
    assert options.heartbeat_seconds == 24
    defaults = batch_options({})
    assert (defaults.settle_seconds, defaults.stale_after.total_seconds()) == (5.0, 600)
    with pytest.raises(ConfigError, match="OST_RETRY_ATTEMPTS"):
        batch_options({"OST_RETRY_ATTEMPTS": "0"})
    with pytest.raises(ConfigError, match="OST_SETTLE_SECONDS must be a number"):
        batch_options({"OST_SETTLE_SECONDS": "soon"})
    assert batch_options({"OST_VALIDATION_WORKERS": "0"}).validation_workers == 0
    assert batch_options({"OST_VALIDATION_WORKERS": "2"}).validation_workers == 2
    with pytest.raises(ConfigError, match="OST_VALIDATION_WORKERS"):
        batch_options({"OST_VALIDATION_WORKERS": "-1"})


def test_validating_ahead_in_worker_processes_changes_nothing(
    tmp_path: Path, ctx_with_applicants: IngestContext, options_no_settle: BatchOptions
) -> None:
    """The same statuses, reports and merged courses as a run that validates in process."""
    options = replace(options_no_settle, validation_workers=1, workers_from_files=2)
    summary = run_batch(ctx_with_applicants, options)
    assert statuses_of(summary) == STATUSES
    courses, transmissions, _mails = clean_run(tmp_path)
    assert final_state(ctx_with_applicants)[0].equals(courses)
    assert [row[1:] for row in final_state(ctx_with_applicants)[1]] == [
        row[1:] for row in transmissions
    ]
    reports = ctx_with_applicants.settings.reports
    clean_reports = tmp_path / "clean" / "reports"
    for transmission_id, _name, _status in transmissions:
        folder = str(transmission_id)
        for name in ("report.json", "report.csv"):
            assert (reports / folder / name).read_bytes() == (
                clean_reports / folder / name
            ).read_bytes()


# -- logs ----------------------------------------------------------------------------------


def test_log_lines_are_json_with_oens_and_dates_masked(logging_to_tmp: Path) -> None:
    log = logging.getLogger("ost.batch")
    log.warning(
        "student %s born %s (%s) not matched",
        "123456789",
        "20080115",
        "2008-01-15",
        extra={"file": "S885827.C1", "transmission_id": 3, "value": "OEN 987654321"},
    )
    try:
        raise OperationalError("SELECT ...", {"oen": "123456789"}, Exception("lost"))
    except OperationalError:
        log.exception("merge failed")
    first, second = (json.loads(line) for line in logging_to_tmp.read_text("utf-8").splitlines())
    assert first["message"] == "student ######### born ####-##-## (####-##-##) not matched"
    assert (first["level"], first["logger"], first["file"]) == (
        "warning",
        "ost.batch",
        "S885827.C1",
    )
    assert (first["transmission_id"], first["value"]) == (3, "OEN #########")
    assert "123456789" not in second["exception"] and "#########" in second["exception"]


def test_masking_leaves_other_numbers_alone() -> None:
    assert mask("archive/00000003-S885827.C1") == "archive/00000003-S885827.C1"
    assert mask("created 20261115093000, 2026-11-15") == "created 20261115093000, ####-##-##"
    assert mask("oens 123456789,987654321") == "oens #########,#########"
    assert mask("1234567890 and 20081315") == "1234567890 and 20081315"


def test_logging_setup_is_replaced_not_stacked(tmp_path: Path) -> None:
    configure_logging(tmp_path / "a")
    configure_logging(tmp_path / "b", echo=True)
    try:
        handlers = logging.getLogger("ost").handlers
        assert len(handlers) == 2
    finally:
        reset_logging()
    assert logging.getLogger("ost").handlers == []
    assert os.path.exists(tmp_path / "b" / "ost.log")


def test_table_statistics_are_refreshed_as_the_batch_doubles() -> None:
    refreshed: list[int] = []
    schedule = StatisticsSchedule(lambda: refreshed.append(schedule.processed))
    for _ in range(40):
        schedule.written(FIRST_STATISTICS_REFRESH // 4)
    # 1x, 2x, 4x and 8x the first threshold: a few refreshes however long the batch.
    assert [n // (FIRST_STATISTICS_REFRESH // 4) for n in refreshed] == [4, 8, 16, 32]


@pytest.mark.postgres
def test_statistics_refresh_analyzes_the_growing_tables_on_postgresql() -> None:
    with fresh_database() as url:
        engine = open_database(url)
        grade = dict.fromkeys(GRADE_FIELDS, "X")
        with engine.begin() as conn:
            conn.execute(
                table(GradeRecord)
                .insert()
                .values(transmission_id=1, student_record_id=1, line=3, accepted=True, **grade)
            )
        refresh_statistics(engine)
        with engine.connect() as conn:
            analyzed = conn.execute(
                text("SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NOT NULL")
            )
            assert set(GROWING_TABLES) <= set(analyzed.scalars())
            sampled = conn.execute(
                text("SELECT attname FROM pg_stats WHERE tablename = 'graderecord'")
            )
            # Only the columns lookups are planned on: the grade's own fields are not sampled.
            assert set(sampled.scalars()) == set(GROWING_TABLES["graderecord"])
        engine.dispose()


@pytest.mark.parametrize(("workers_from_files", "started"), [(4, False), (3, True)])
def test_workers_start_only_for_a_batch_large_enough_to_repay_them(
    ctx_with_applicants: IngestContext,
    options_no_settle: BatchOptions,
    caplog: pytest.LogCaptureFixture,
    workers_from_files: int,
    started: bool,
) -> None:
    """The three sample files: below the threshold the run's own process does everything."""
    options = replace(
        options_no_settle, validation_workers=1, workers_from_files=workers_from_files
    )
    with caplog.at_level(logging.INFO, logger="ost.lookahead"):
        summary = run_batch(ctx_with_applicants, options)
    assert statuses_of(summary) == STATUSES
    assert ("worker process" in caplog.text) == started
