"""docs/merging.md merge rules through real ingests (SQLite and PostgreSQL): M001-M004 and the
rest."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from pipeline import queries, store
from pipeline.applicants import upsert_applicants
from pipeline.ingest import (
    IngestContext,
    IngestOutcome,
    Received,
    ingest_bytes,
    ingest_paths,
    sha256_of,
)
from pipeline.rematch import rematch_held
from pipeline.replay import replay_transmission
from tests.pipeline.builders import Student, applicant, applicants_frame, grade, transmission
from tests.pipeline.conftest import NOW

EMILIE = applicant("2026-000001", "Émilie", "Gagnon", date(2008, 5, 21), "345678912")


def emilie(*grades: dict[str, str]) -> Student:
    return Student("4471002", "GAGNON", "ÉMILIE", "20080521", "345678912", list(grades))


def add_applicants(ctx: IngestContext, *rows: dict[str, Any]) -> None:
    with ctx.engine.begin() as conn:
        upsert_applicants(conn, applicants_frame(rows), NOW)


def ingest(ctx: IngestContext, name_and_bytes: tuple[str, bytes]) -> IngestOutcome:
    name, raw = name_and_bytes
    with ctx.engine.connect() as conn:
        applicants = store.load_applicant_pool(conn, ctx.settings.zones)
    return ingest_bytes(ctx, Received(name, raw, len(raw), sha256_of(raw)), applicants)


def courses(ctx: IngestContext) -> pl.DataFrame:
    with ctx.engine.connect() as conn:
        return queries.export_courses(conn)


def codes(outcome: IngestOutcome) -> list[str]:
    return [finding["code"] for finding in outcome.report.findings]


def named(outcome: IngestOutcome, code: str) -> tuple[str, str]:
    """The field and value of the outcome's one finding with this code."""
    [finding] = [f for f in outcome.report.findings if f["code"] == code]
    return finding["field"], finding["value"]


def send(ctx: IngestContext, created: str, number: str, *grades: dict[str, str]) -> IngestOutcome:
    return ingest(ctx, transmission([emilie(*grades)], created=created, number=number))


@pytest.fixture
def ctx_with_emilie(ingest_ctx: IngestContext) -> IngestContext:
    add_applicants(ingest_ctx, EMILIE)
    return ingest_ctx


def test_grade_type_progresses_p_c_m_f(ctx_with_emilie: IngestContext) -> None:
    steps = [("P", ""), ("C", "070"), ("M", "075"), ("F", "081")]
    for day, (grade_type, mark) in enumerate(steps, start=1):
        outcome = send(
            ctx_with_emilie,
            f"202611{day:02d}090000",
            "1",
            grade("ENG4U", "202611", grade_type, mark),
        )
        expected = "inserted" if day == 1 else "updated"
        assert outcome.report.merge[expected] == 1
    final = courses(ctx_with_emilie).row(0, named=True)
    assert (final["grade_type"], final["mark"]) == ("F", "081")
    with ctx_with_emilie.engine.connect() as conn:
        history = (
            conn.exec_driver_sql("SELECT action FROM coursechange ORDER BY id").scalars().all()
        )
    assert history == ["insert", "update", "update", "update"]


def test_corrected_final_mark_replaces_the_old_one(ctx_with_emilie: IngestContext) -> None:
    send(ctx_with_emilie, "20261101090000", "1", grade("ENG4U", "202606", "F", "085"))
    outcome = send(ctx_with_emilie, "20261110090000", "2", grade("ENG4U", "202606", "F", "087"))
    assert outcome.report.merge["updated"] == 1
    assert courses(ctx_with_emilie)["mark"].to_list() == ["087"]


def test_m001_grade_type_cannot_move_backwards(ctx_with_emilie: IngestContext) -> None:
    send(ctx_with_emilie, "20261101090000", "1", grade("ENG4U", "202606", "F", "085"))
    outcome = send(ctx_with_emilie, "20261110090000", "2", grade("ENG4U", "202606", "M", "080"))
    assert named(outcome, "M001") == ("grade_type", "M")
    assert outcome.report.merge["refused"] == 1
    assert outcome.report.status == "partially processed"
    assert courses(ctx_with_emilie)["grade_type"].to_list() == ["F"]


def test_m002_final_grade_cannot_be_deleted(ctx_with_emilie: IngestContext) -> None:
    send(ctx_with_emilie, "20261101090000", "1", grade("ENG4U", "202606", "F", "085"))
    delete = grade("ENG4U", "202606", "P", course_status="D")
    outcome = send(ctx_with_emilie, "20261110090000", "2", delete)
    assert named(outcome, "M002") == ("course_status", "D")
    assert courses(ctx_with_emilie).height == 1


@pytest.mark.parametrize("grade_type", ["P", "C", "M"])
def test_status_d_deletes_a_projected_current_or_midterm_course(
    ctx_with_emilie: IngestContext, grade_type: str
) -> None:
    mark = "" if grade_type == "P" else "074"
    send(ctx_with_emilie, "20261101090000", "1", grade("SBI4U", "202701", grade_type, mark))
    outcome = send(
        ctx_with_emilie, "20261110090000", "2", grade("SBI4U", "202701", "P", course_status="D")
    )
    assert outcome.report.merge["deleted"] == 1
    assert courses(ctx_with_emilie).is_empty()
    with ctx_with_emilie.engine.connect() as conn:
        actions = conn.exec_driver_sql("SELECT action FROM coursechange ORDER BY id").scalars()
        assert list(actions) == ["insert", "delete"]


def test_m003_nothing_to_delete(ctx_with_emilie: IngestContext) -> None:
    outcome = send(
        ctx_with_emilie, "20261110090000", "1", grade("SBI4U", "202701", "P", course_status="D")
    )
    assert named(outcome, "M003") == ("course_status", "D")
    assert outcome.report.status == "processed"  # M003 is information only
    assert courses(ctx_with_emilie).is_empty()


def test_an_older_transmission_replayed_late_cannot_undo_what_a_newer_one_confirmed(
    ctx_with_emilie: IngestContext,
) -> None:
    # In docs/merging.md order (C1, C2, C3) the mark ends at 085: C3 sets it back after C2's 080.
    send(ctx_with_emilie, "20261101090000", "1", grade("ENG4U", "202606", "F", "085"))
    confirmed = send(ctx_with_emilie, "20261115090000", "3", grade("ENG4U", "202606", "F", "085"))
    assert confirmed.report.merge["unchanged"] == 1
    late = send(ctx_with_emilie, "20261108090000", "2", grade("ENG4U", "202606", "F", "080"))
    assert late.report.merge["refused"] == 1
    [m004] = [f for f in late.report.findings if f["code"] == "M004"]
    assert "S885827.C3" in m004["message"]  # the newer file that carried the course
    assert courses(ctx_with_emilie)["mark"].to_list() == ["085"]


def test_a_newer_record_the_merge_refused_confirms_nothing(ctx_with_emilie: IngestContext) -> None:
    # In docs/merging.md order: C2's corrected final mark applies, then C3's midterm is refused
    # (M001).
    send(ctx_with_emilie, "20261101090000", "1", grade("ENG4U", "202606", "F", "085"))
    refused = send(ctx_with_emilie, "20261115090000", "3", grade("ENG4U", "202606", "M", "080"))
    assert "M001" in codes(refused)
    late = send(ctx_with_emilie, "20261108090000", "2", grade("ENG4U", "202606", "F", "087"))
    assert late.report.merge["updated"] == 1 and "M004" not in codes(late)
    assert courses(ctx_with_emilie)["mark"].to_list() == ["087"]


def test_a_newer_record_behind_in_grade_type_does_not_hold_back_an_older_one(
    ctx_with_emilie: IngestContext,
) -> None:
    # In docs/merging.md order (C1, C2, C3): C2's midterm replaces C1's current grade, then C3's
    # current grade is refused (M001). C3 carried the course unchanged before C2 was replayed late.
    send(ctx_with_emilie, "20261101090000", "1", grade("MCV4U", "202606", "C"))
    carried = send(ctx_with_emilie, "20261115090000", "3", grade("MCV4U", "202606", "C"))
    assert carried.report.merge["unchanged"] == 1
    late = send(ctx_with_emilie, "20261108090000", "2", grade("MCV4U", "202606", "M", "060"))
    assert late.report.merge["updated"] == 1 and "M004" not in codes(late)
    final = courses(ctx_with_emilie).row(0, named=True)
    assert (final["grade_type"], final["mark"]) == ("M", "060")


def test_a_deletion_replayed_late_does_not_undo_a_newer_file_carrying_the_course(
    ctx_with_emilie: IngestContext,
) -> None:
    # In docs/merging.md order (C1, C2, C3): C2 deletes the course and C3 puts it back.
    send(ctx_with_emilie, "20261101090000", "1", grade("SBI4U", "202701", "C"))
    send(ctx_with_emilie, "20261115090000", "3", grade("SBI4U", "202701", "C"))
    late = send(
        ctx_with_emilie, "20261108090000", "2", grade("SBI4U", "202701", "C", course_status="D")
    )
    assert named(late, "M004") == ("course_code", "SBI4U")
    assert courses(ctx_with_emilie)["grade_type"].to_list() == ["C"]


def test_m004_older_transmission_after_newer_is_not_applied(ctx_with_emilie: IngestContext) -> None:
    send(ctx_with_emilie, "20261115090000", "2", grade("ENG4U", "202606", "F", "090"))
    outcome = send(ctx_with_emilie, "20261101090000", "1", grade("ENG4U", "202606", "F", "070"))
    assert named(outcome, "M004") == ("course_code", "ENG4U")
    assert courses(ctx_with_emilie)["mark"].to_list() == ["090"]


def test_identical_bytes_twice_do_nothing(ctx_with_emilie: IngestContext) -> None:
    file = transmission([emilie(grade("ENG4U", "202606", "F", "090"))])
    first = ingest(ctx_with_emilie, file)
    before = courses(ctx_with_emilie)
    second = ingest(ctx_with_emilie, file)
    assert second.status == "duplicate"
    assert codes(second) == ["F009"]
    assert second.transmission_id != first.transmission_id
    assert courses(ctx_with_emilie).equals(before)


def test_rejected_bytes_sent_again_under_the_right_name_are_processed(
    ctx_with_emilie: IngestContext,
) -> None:
    # F007 says "rename the file and send it again": the same bytes must then go in.
    name, raw = transmission([emilie(grade("ENG4U", "202606", "F", "090"))])
    wrong = ingest(ctx_with_emilie, (name + ".txt", raw))
    assert wrong.status == "rejected" and "F007" in codes(wrong)
    assert ingest(ctx_with_emilie, (name + ".txt", raw)).status == "duplicate"  # seen already
    renamed = ingest(ctx_with_emilie, (name, raw))
    assert renamed.status == "processed" and renamed.report.merge["inserted"] == 1
    again = ingest(ctx_with_emilie, (name, raw))
    assert again.status == "duplicate" and codes(again) == ["F009"]


def test_a_file_over_the_size_limit_is_replayed_once_the_limit_is_raised(
    ctx_with_emilie: IngestContext, tmp_path: Path
) -> None:
    # F010 says "ask the application service to raise the limit": the file is then replayed.
    name, raw = transmission([emilie(grade("ENG4U", "202606", "F", "090"))])
    path = tmp_path / name
    path.write_bytes(raw)
    settings = ctx_with_emilie.settings
    small = replace(ctx_with_emilie, settings=replace(settings, max_file_bytes=100))
    [rejected] = ingest_paths(small, [path])
    assert isinstance(rejected, IngestOutcome) and codes(rejected) == ["F010"]
    archived = settings.archive / f"{rejected.transmission_id:08d}-{name}"
    assert archived.read_bytes() == raw  # kept, though never read whole
    assert ingest(ctx_with_emilie, (name, raw)).status == "duplicate"  # the same file again
    replayed = replay_transmission(ctx_with_emilie, rejected.transmission_id)
    assert (replayed.status, replayed.transmission_id) == ("processed", rejected.transmission_id)
    assert courses(ctx_with_emilie)["mark"].to_list() == ["090"]


def test_held_student_is_merged_once_the_applicant_is_imported(ingest_ctx: IngestContext) -> None:
    outcome = send(ingest_ctx, "20261110090000", "1", grade("ENG4U", "202606", "F", "090"))
    assert "A001" in codes(outcome)
    assert outcome.report.matching["pending"] == 1
    assert courses(ingest_ctx).is_empty()
    add_applicants(ingest_ctx, EMILIE)
    rematched = rematch_held(ingest_ctx)
    assert (rematched.held, rematched.newly_matched) == (1, 1)
    assert rematched.merge["inserted"] == 1
    merged = courses(ingest_ctx).row(0, named=True)
    assert merged["application_number"] == EMILIE["application_number"]
    assert merged["transmission_id"] == outcome.transmission_id
    # Nothing more to do the next time.
    assert rematch_held(ingest_ctx).newly_matched == 0


def test_international_applicant_is_not_merged(ingest_ctx: IngestContext) -> None:
    add_applicants(ingest_ctx, {**EMILIE, "international": True})
    outcome = send(ingest_ctx, "20261110090000", "1", grade("ENG4U", "202606", "F", "090"))
    assert "A005" in codes(outcome)
    assert outcome.report.matching["not_merged"] == 1
    assert courses(ingest_ctx).is_empty()


def test_rejected_file_merges_nothing(ctx_with_emilie: IngestContext) -> None:
    name, raw = transmission([emilie(grade("ENG4U", "202606", "F", "090"))])
    outcome = ingest(ctx_with_emilie, (name.replace(".C1", ".C2"), raw))  # F007
    assert outcome.status == "rejected"
    assert courses(ctx_with_emilie).is_empty()


def test_invalid_course_is_rejected_and_the_rest_merged(ctx_with_emilie: IngestContext) -> None:
    outcome = send(
        ctx_with_emilie,
        "20261110090000",
        "1",
        grade("ENG4U", "202606", "F", "090"),
        grade("SBI4U", "202606", "F", "1O0"),
    )
    assert outcome.status == "partially processed"
    assert codes(outcome) == ["G004"]
    assert courses(ctx_with_emilie)["course_code"].to_list() == ["ENG4U"]


def test_m004_older_transmission_cannot_bring_back_a_deleted_course(
    ctx_with_emilie: IngestContext,
) -> None:
    send(ctx_with_emilie, "20261101090000", "1", grade("SBI4U", "202701", "P"))
    send(ctx_with_emilie, "20261115090000", "3", grade("SBI4U", "202701", "P", course_status="D"))
    outcome = send(ctx_with_emilie, "20261105090000", "2", grade("SBI4U", "202701", "C"))
    assert "M004" in codes(outcome)
    assert courses(ctx_with_emilie).is_empty()
    # A newer transmission may add it again.
    send(ctx_with_emilie, "20261120090000", "4", grade("SBI4U", "202701", "C"))
    assert courses(ctx_with_emilie)["grade_type"].to_list() == ["C"]
