"""The sample files end to end, on SQLite and PostgreSQL: statuses, matches, merged courses."""

from __future__ import annotations

import codecs
import csv
import io
import json
from pathlib import Path

import polars as pl
from sqlalchemy import select

from pipeline import queries
from pipeline.applicants import read_applicants, upsert_applicants
from pipeline.ingest import IngestContext, IngestOutcome, ingest_paths
from pipeline.models import MatchDecision, StudentRecord
from pipeline.store import table
from tests.pipeline.conftest import NOW, Mailbox

SAMPLES = Path(__file__).parents[2] / "sample_files"
SAMPLE_FILES = sorted(SAMPLES.glob("S*.C*"))


def load_sample_applicants(ctx: IngestContext) -> int:
    parsed = read_applicants(SAMPLES / "applicants.csv")
    assert parsed.problems.is_empty()
    with ctx.engine.begin() as conn:
        return upsert_applicants(conn, parsed.applicants, NOW)


def ingest_samples(ctx: IngestContext) -> dict[str, IngestOutcome]:
    outcomes = ingest_paths(ctx, SAMPLE_FILES)
    assert all(isinstance(o, IngestOutcome) for o in outcomes)
    return {o.report.file: o for o in outcomes if isinstance(o, IngestOutcome)}


def test_sample_files_end_to_end(ingest_ctx: IngestContext, mailbox: Mailbox) -> None:
    assert load_sample_applicants(ingest_ctx) > 0
    outcomes = ingest_samples(ingest_ctx)
    statuses = {name: outcome.status for name, outcome in outcomes.items()}
    assert statuses == {
        "S885827.C1": "processed",
        "S871234.C1": "partially processed",
        "S880012.C3": "rejected",
    }
    clean = outcomes["S885827.C1"].report
    assert clean.matching is not None and clean.matching["matched"] > 0
    assert clean.merge is not None and clean.merge["inserted"] > 0
    with ingest_ctx.engine.connect() as conn:
        exported = queries.export_courses(conn)
        decisions = conn.execute(select(table(MatchDecision))).all()
        students = conn.execute(select(table(StudentRecord))).all()
    inserted = sum(o.report.merge["inserted"] for o in outcomes.values())
    assert exported.height == inserted
    # Nothing of the rejected file is merged.
    assert "880012" not in exported["mident"].to_list()
    # Every decision keeps its reason.
    assert decisions and all(decision.reason for decision in decisions)
    matched_students = {s.id for s in students if s.match_status == "matched"}
    assert matched_students


def test_merged_course_belongs_to_the_matched_applicant(ingest_ctx: IngestContext) -> None:
    load_sample_applicants(ingest_ctx)
    ingest_samples(ingest_ctx)
    with ingest_ctx.engine.connect() as conn:
        pairs = conn.execute(
            select(
                table(StudentRecord).c.student_number, table(StudentRecord).c.application_number
            ).where(table(StudentRecord).c.match_status == "matched")
        ).all()
        exported = queries.export_courses(conn)
    owner = dict(pairs)
    by_student = exported.select("student_number", "application_number").unique()
    for student_number, application_number in by_student.iter_rows():
        assert owner[student_number] == application_number


def test_reports_archive_and_confirmations(ingest_ctx: IngestContext, mailbox: Mailbox) -> None:
    load_sample_applicants(ingest_ctx)
    outcomes = ingest_samples(ingest_ctx)
    settings = ingest_ctx.settings
    for outcome in outcomes.values():
        folder = settings.reports / str(outcome.transmission_id)
        names = sorted(path.name for path in folder.iterdir())
        assert names == [
            "report.csv",
            "report.fr.csv",
            "report.fr.html",
            "report.fr.json",
            "report.html",
            "report.json",
            "school",  # the school's form of the same reports (pipeline.school_view)
        ]
        stored = json.loads((folder / "report.json").read_text(encoding="utf-8"))
        assert stored == outcome.report.to_json()
        french = json.loads((folder / "report.fr.json").read_text(encoding="utf-8"))
        assert [f["code"] for f in french["findings"]] == [f["code"] for f in stored["findings"]]
        # For the spreadsheet a school opens it in: a byte-order mark, then one row per finding.
        table = (folder / "report.csv").read_bytes()
        assert table.startswith(codecs.BOM_UTF8)
        rows = list(csv.reader(io.StringIO(table.decode("utf-8-sig"), newline="")))
        assert rows[0][:3] == ["file", "code", "severity"]
        assert [row[1] for row in rows[1:]] == [f["code"] for f in stored["findings"]]
    archived = sorted(path.name.split("-", 1)[1] for path in settings.archive.iterdir())
    assert archived == sorted(path.name for path in SAMPLE_FILES)
    assert len(mailbox.messages) == len(SAMPLE_FILES)
    subjects = sorted(message["Subject"].split(":")[0] for message in mailbox.messages)
    assert subjects == sorted(f"OST {name}" for name in outcomes)
    assert all("@" in message["To"] for message in mailbox.messages)


def test_ingest_json_has_the_spec_keys(ingest_ctx: IngestContext) -> None:
    load_sample_applicants(ingest_ctx)
    report = ingest_samples(ingest_ctx)["S871234.C1"].report.to_json()
    assert list(report) == [
        "id",
        "file",
        "mident",
        "status",
        "counts",
        "findings",
        "matching",
        "merge",
    ]
    assert set(report["matching"]) == {"matched", "pending", "ambiguous", "not_merged"}
    assert set(report["merge"]) == {"inserted", "updated", "deleted", "unchanged", "refused"}
    finding_keys = {
        "code",
        "severity",
        "line",
        "record_type",
        "student_number",
        "surname",
        "first_name",
        "course",
        "field",
        "value",
        "message",
    }
    assert all(set(f) == finding_keys for f in report["findings"])
    counted = pl.Series([f["severity"] for f in report["findings"]])
    assert report["counts"]["errors"] == int((counted == "error").sum())
    assert report["counts"]["warnings"] == int((counted == "warning").sum())
