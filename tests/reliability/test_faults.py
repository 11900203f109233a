"""Faults during an ingest: the database lost mid-merge, the disk full while writing reports.

The failed transmission is `failed` with its reason, nothing of it is half stored, the other
files are processed, and running the same files again reaches the state of an uninterrupted run.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from pipeline.cli_batch import failure_report
from pipeline.config import load_settings
from pipeline.database import open_database
from pipeline.ingest import IngestContext, IngestOutcome, TransmissionFailed, ingest_paths
from pipeline.models import (
    Course,
    CourseChange,
    GradeRecord,
    MatchDecision,
    MergeFinding,
    StudentRecord,
    Transmission,
)
from pipeline.runtime import ensure_folders
from pipeline.store import table
from rules.validate import packaged_code_tables
from tests.pipeline.conftest import NOW, Mailbox
from tests.reliability.injected import disk_full_after, with_reports_folder
from tests.reliability.kills import REPORT_FILES, DatabaseState, database_state
from tests.reliability.samples import load_applicants, sample_files

FILES = sample_files()  # S871234.C1 (partially processed), S880012.C3 (rejected), S885827.C1
STORED_BY_TRANSMISSION = (StudentRecord, GradeRecord, Course, CourseChange, MergeFinding)
ROW_KINDS = (*(model.__name__ for model in STORED_BY_TRANSMISSION), "MatchDecision")


@pytest.fixture(scope="module")
def state_uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DatabaseState]:
    """The sample files ingested once, with nothing going wrong (SQLite)."""
    folder = tmp_path_factory.mktemp("uninterrupted")
    url = f"sqlite:///{folder / 'ost.db'}"
    settings = load_settings({"OST_HOME": str(folder), "OST_DATABASE_URL": url})
    ensure_folders(settings)
    engine = open_database(url)
    ctx = IngestContext(engine, settings, packaged_code_tables(), Mailbox(), clock=lambda: NOW)
    load_applicants(ctx)
    assert all(isinstance(o, IngestOutcome) for o in ingest_paths(ctx, FILES))
    engine.dispose()
    yield database_state(settings.database_url)


def stored_rows(ctx: IngestContext, transmission_id: int) -> dict[str, int]:
    """How many rows of each kind a transmission has in the database (none left out)."""
    counts = {}
    with ctx.engine.connect() as conn:
        for model in STORED_BY_TRANSMISSION:
            rows = table(model)
            query = select(func.count()).where(rows.c.transmission_id == transmission_id)
            counts[model.__name__] = int(conn.execute(query).scalar_one())
        decisions, students = table(MatchDecision), table(StudentRecord)
        own = select(students.c.id).where(students.c.transmission_id == transmission_id)
        query = select(func.count()).where(decisions.c.student_record_id.in_(own))
        counts["MatchDecision"] = int(conn.execute(query).scalar_one())
    return counts


def rows_of_file(state: DatabaseState, file_name: str) -> dict[str, int]:
    """What an uninterrupted run stored for one file, in the shape of `stored_rows`."""
    counts = dict.fromkeys(ROW_KINDS, 0)
    counts.update({kind: n for kind, name, n in state.rows if name == file_name})
    counts["Course"] = sum(1 for course in state.courses if course[-1] == file_name)
    return counts


def transmission_row(ctx: IngestContext, transmission_id: int) -> Transmission:
    with ctx.engine.connect() as conn:
        t = table(Transmission)
        row = conn.execute(select(t).where(t.c.id == transmission_id)).one()
    return Transmission(**row._mapping)


def report_names(folder: Path) -> set[str]:
    return {path.name for path in folder.glob("report*")} if folder.is_dir() else set()


def no_temporaries(home: Path) -> bool:
    return not any(home.rglob(".*.tmp"))


class DatabaseLostAtMerge:
    """A checkpoint that loses the database connection at the n-th merge of a run."""

    def __init__(self, at_merge: int) -> None:
        self.left = at_merge

    def __call__(self, step: str) -> None:
        if step != "merge":
            return
        self.left -= 1
        if self.left == 0:
            cause = ConnectionError("server closed the connection unexpectedly")
            raise OperationalError("COMMIT", None, cause)


def test_database_lost_at_merge_fails_that_transmission_only(
    ingest_ctx: IngestContext, state_uninterrupted: DatabaseState
) -> None:
    load_applicants(ingest_ctx)
    outcomes = ingest_paths(replace(ingest_ctx, checkpoint=DatabaseLostAtMerge(1)), FILES)

    failed = [o for o in outcomes if isinstance(o, TransmissionFailed)]
    done = {o.report.file: o.status for o in outcomes if isinstance(o, IngestOutcome)}
    assert len(failed) == 1 and done == {"S880012.C3": "rejected", "S885827.C1": "processed"}
    [failure] = failed
    assert failure.step == "merge" and failure.transient
    row = transmission_row(ingest_ctx, failure.transmission_id)
    assert (row.file_name, row.status) == ("S871234.C1", "failed")
    assert row.failure_reason and "(S871234.C1): merge failed" in row.failure_reason
    assert failure_report(failure).to_json() == {
        "id": failure.transmission_id,
        "file": "S871234.C1",
        "status": "failed",
        "reason": row.failure_reason,
    }
    assert "server closed the connection unexpectedly" in row.failure_reason
    assert set(stored_rows(ingest_ctx, failure.transmission_id).values()) == {0}
    # Rendered while the courses were being written, then discarded when that failed.
    assert not report_names(ingest_ctx.settings.reports / str(failure.transmission_id))
    assert no_temporaries(ingest_ctx.settings.reports)

    again = ingest_paths(ingest_ctx, FILES)
    assert all(isinstance(o, IngestOutcome) for o in again)
    assert transmission_row(ingest_ctx, failure.transmission_id).status == "partially processed"
    assert database_state(ingest_ctx.settings.database_url) == state_uninterrupted


def test_disk_full_while_writing_reports(
    ingest_ctx: IngestContext, state_uninterrupted: DatabaseState
) -> None:
    """Room for the first file's six reports and two more: the disk then stays full."""
    load_applicants(ingest_ctx)
    settings = with_reports_folder(ingest_ctx.settings, disk_full_after(len(REPORT_FILES) + 2))
    outcomes = ingest_paths(replace(ingest_ctx, settings=settings), FILES)

    assert isinstance(outcomes[0], IngestOutcome) and outcomes[0].status == "partially processed"
    failures = outcomes[1:]
    assert all(isinstance(o, TransmissionFailed) for o in failures)
    for failure in failures:
        assert isinstance(failure, TransmissionFailed)
        assert failure.step == "report" and failure.transient
        row = transmission_row(ingest_ctx, failure.transmission_id)
        assert row.status == "failed" and row.failure_reason
        assert "report failed" in row.failure_reason
        assert "No space left on device" in row.failure_reason
        # All or nothing: either the whole transmission is committed, or none of it.
        stored = stored_rows(ingest_ctx, failure.transmission_id)
        whole = rows_of_file(state_uninterrupted, row.file_name)
        assert stored in (dict.fromkeys(whole, 0), whole), (stored, whole)
    assert no_temporaries(ingest_ctx.settings.home)

    again = ingest_paths(ingest_ctx, FILES)
    assert all(isinstance(o, IngestOutcome) for o in again)
    assert database_state(ingest_ctx.settings.database_url) == state_uninterrupted
    for failure in failures:
        assert isinstance(failure, TransmissionFailed)
        folder = ingest_ctx.settings.reports / str(failure.transmission_id)
        assert report_names(folder) == REPORT_FILES
    assert no_temporaries(ingest_ctx.settings.home)
