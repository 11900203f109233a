"""The review queue: held students listed and shown, accepted, rejected, linked and unlinked."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from pipeline import review, review_actions
from pipeline.cli import app
from pipeline.ingest import IngestContext
from pipeline.models import CourseChange, ReviewDecision
from pipeline.rematch import rematch_held
from pipeline.review import review_case, review_queue
from pipeline.review_comparisons import COMPARISONS
from pipeline.store import table
from tests.pipeline.builders import MIDENT, Student, applicant, grade, transmission
from tests.pipeline.test_merge import add_applicants, courses, ingest

ROOT = Path(__file__).parents[2]
NOW_UTC = datetime(2026, 10, 2, 14, 0, tzinfo=UTC)
EMILIE = applicant("2026-000001", "Émilie", "Gagnon", date(2008, 5, 21), "345678912")
# Another OEN and another birth date, the same name at the same school: probable, held (A009).
HELD = Student(
    "4471002", "GAGNON", "ÉMILIE", "20080612", "111111118", [grade("ENG4U", "202606", "F", "081")]
)
# The same person on every field: merged automatically.
EXACT = Student(
    "4471003", "GAGNON", "ÉMILIE", "20080521", "345678912", [grade("SBI4U", "202606", "F", "077")]
)


def held_ctx(ctx: IngestContext) -> int:
    """The applicant, the held student ingested; the student's queue id."""
    add_applicants(ctx, EMILIE)
    outcome = ingest(ctx, transmission([HELD]))
    assert outcome.report.matching["matched"] == 0
    [item] = review_queue(ctx.engine)
    return item.id


def decisions(ctx: IngestContext) -> list[dict[str, object]]:
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(table(ReviewDecision)).order_by(table(ReviewDecision).c.id))
        return [dict(row._mapping) for row in rows]


def test_a_probable_match_is_held_and_shown_field_by_field(ingest_ctx: IngestContext) -> None:
    record_id = held_ctx(ingest_ctx)
    [item] = review_queue(ingest_ctx.engine)
    assert (item.mident, item.student_number, item.code) == (MIDENT, "4471002", "A009")
    assert [c.application_number for c in item.candidates] == ["2026-000001"]
    assert item.candidates[0].weight is not None and item.candidates[0].weight > 0
    assert review_queue(ingest_ctx.engine, scope=["999999"]) == []
    assert review_queue(ingest_ctx.engine, code="A002") == []
    case = review_case(ingest_ctx.engine, record_id)
    assert case is not None
    [candidate] = case.candidates
    fields = {row.field: row for row in candidate.fields}
    assert fields["oen"].differs and fields["oen"].level == "different"
    assert fields["birth_date"].differs and fields["birth_date"].student == "2008-06-12"
    assert not fields["surname"].differs and fields["surname"].applicant == "Gagnon"
    assert fields["oen"].weight < 0 < fields["surname"].weight
    assert courses(ingest_ctx).is_empty()


def test_accept_merges_at_once_and_the_matcher_never_overturns_it(
    ingest_ctx: IngestContext,
) -> None:
    record_id = held_ctx(ingest_ctx)
    outcome = review_actions.accept(
        ingest_ctx.engine, record_id, "2026-000001", "ana", "confirmed by phone", now=None
    )
    assert outcome.merge["inserted"] == 1
    assert courses(ingest_ctx)["course_code"].to_list() == ["ENG4U"]
    assert review_queue(ingest_ctx.engine) == []
    [decision] = decisions(ingest_ctx)
    assert (decision["action"], decision["decided_by"]) == ("accept", "ana")
    assert decision["reason"] == "confirmed by phone"
    seen = json.loads(str(decision["evidence"]))
    assert seen["candidates"][0]["application_number"] == "2026-000001"
    # Later runs and later files of the same student keep the operator's link.
    assert rematch_held(ingest_ctx).newly_matched == 0
    later = Student(
        "4471002",
        "GAGNON",
        "ÉMILIE",
        "20080612",
        "111111118",
        [grade("MHF4U", "202606", "F", "090")],
    )
    again = ingest(ingest_ctx, transmission([later], number="2"))
    assert again.report.matching["matched"] == 1
    assert sorted(courses(ingest_ctx)["course_code"].to_list()) == ["ENG4U", "MHF4U"]


def test_reject_is_permanent(ingest_ctx: IngestContext) -> None:
    record_id = held_ctx(ingest_ctx)
    review_actions.reject(ingest_ctx.engine, record_id, "2026-000001", "ana", "another person")
    assert review_queue(ingest_ctx.engine) == []
    rematch_held(ingest_ctx)
    add_applicants(ingest_ctx, EMILIE)  # the applicant changes: still never proposed again
    rematch_held(ingest_ctx)
    assert review_queue(ingest_ctx.engine) == []
    assert courses(ingest_ctx).is_empty()
    with pytest.raises(review_actions.ReviewRefused):
        review_actions.accept(ingest_ctx.engine, record_id, "2026-000001", "ana", "changed my mind")


def test_unlink_removes_the_courses_and_returns_the_student_for_good(
    ingest_ctx: IngestContext,
) -> None:
    add_applicants(ingest_ctx, EMILIE)
    assert ingest(ingest_ctx, transmission([EXACT])).report.matching["matched"] == 1
    assert courses(ingest_ctx)["course_code"].to_list() == ["SBI4U"]
    outcome = review_actions.unlink(ingest_ctx.engine, MIDENT, "4471003", "ana", "twin sister")
    assert (outcome.application_number, outcome.removed_courses) == ("2026-000001", 1)
    assert courses(ingest_ctx).is_empty()
    with ingest_ctx.engine.connect() as conn:
        actions = [row.action for row in conn.execute(select(table(CourseChange)))]
    assert actions == ["insert", "unlink"]  # the history is kept, the removal added to it
    [item] = review_queue(ingest_ctx.engine)
    assert (item.student_number, item.code) == ("4471003", "A001")
    rematch_held(ingest_ctx)  # the evidence is perfect, yet never matched to it automatically
    assert courses(ingest_ctx).is_empty()
    assert [i.student_number for i in review_queue(ingest_ctx.engine)] == ["4471003"]
    review_actions.link(ingest_ctx.engine, MIDENT, "4471003", "2026-000001", "bo", "checked")
    assert courses(ingest_ctx)["course_code"].to_list() == ["SBI4U"]
    assert review_queue(ingest_ctx.engine) == []
    assert [d["action"] for d in decisions(ingest_ctx)] == ["unlink", "link"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_refusals_say_why(ingest_ctx: IngestContext) -> None:
    record_id = held_ctx(ingest_ctx)
    refused = review_actions.ReviewRefused
    with pytest.raises(refused, match="not a candidate"):
        review_actions.accept(ingest_ctx.engine, record_id, "2026-999999", "ana", "x")
    with pytest.raises(refused, match="--reason"):
        review_actions.accept(ingest_ctx.engine, record_id, "2026-000001", "ana", " ")
    with pytest.raises(refused, match="no held student"):
        review_actions.accept(ingest_ctx.engine, record_id + 99, "2026-000001", "ana", "x")
    with pytest.raises(refused, match="no applicant"):
        review_actions.link(ingest_ctx.engine, MIDENT, "4471002", "2026-999999", "ana", "x")
    with pytest.raises(refused, match="is not linked"):
        review_actions.unlink(ingest_ctx.engine, MIDENT, "4471002", "ana", "x")
    with pytest.raises(refused, match="no held student"):
        review_actions.accept(
            ingest_ctx.engine, record_id, "2026-000001", "ana", "x", scope=["999999"]
        )


def test_the_command_line_clears_the_queue(ingest_ctx: IngestContext) -> None:
    record_id = held_ctx(ingest_ctx)
    env = {
        "OST_HOME": str(ingest_ctx.settings.home),
        "OST_DATABASE_URL": ingest_ctx.settings.database_url,
    }
    runner = CliRunner()
    listed = runner.invoke(app, ["review", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    [item] = json.loads(listed.stdout)
    assert set(item) == {"id", "mident", "student_number", "code", "waiting_since", "candidates"}
    assert item["id"] == record_id and item["code"] == "A009"
    assert set(item["candidates"][0]) == {"application_number", "weight"}
    shown = runner.invoke(app, ["review", "show", str(record_id)], env=env)
    assert shown.exit_code == 0 and "≠ different" in shown.stdout and "Gagnon" in shown.stdout
    bad = runner.invoke(
        app,
        ["review", "accept", str(record_id), "--applicant", "X", "--by", "a", "--reason", "r"],
        env=env,
    )
    assert bad.exit_code == 1 and bad.stderr.startswith("ost: applicant X is not a candidate")
    done = runner.invoke(
        app,
        [
            "review",
            "accept",
            str(record_id),
            "--applicant",
            "2026-000001",
            "--by",
            "ana",
            "--reason",
            "ok",
        ],
        env=env,
    )
    assert done.exit_code == 0, done.output
    assert "1 course(s) merged" in done.stdout
    empty = runner.invoke(app, ["review", "list", "--json"], env=env)
    assert json.loads(empty.stdout) == []
    assert pl.DataFrame(courses(ingest_ctx))["student_number"].to_list() == ["4471002"]


def test_a_process_killed_in_the_middle_of_accept_leaves_nothing_half_applied(
    ingest_ctx: IngestContext,
) -> None:
    record_id = held_ctx(ingest_ctx)
    env = {
        **os.environ,
        "OST_HOME": str(ingest_ctx.settings.home),
        "OST_DATABASE_URL": ingest_ctx.settings.database_url,
    }
    accept = ["review", "accept", str(record_id), "--applicant", "2026-000001"]
    accept += ["--by", "ana", "--reason", "confirmed"]
    killed = subprocess.run(
        [sys.executable, "-m", "tests.pipeline.crash_review", *accept],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert killed.returncode == 137, killed.stderr
    assert courses(ingest_ctx).is_empty()
    assert decisions(ingest_ctx) == []
    assert [item.id for item in review_queue(ingest_ctx.engine)] == [record_id]
    done = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *accept],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert courses(ingest_ctx)["course_code"].to_list() == ["ENG4U"]
    assert [d["action"] for d in decisions(ingest_ctx)] == ["accept"]


def test_the_zones_are_configuration() -> None:
    from pipeline.config import ConfigError, load_settings

    settings = load_settings(
        {"OST_MATCH_MERGE": "30", "OST_MATCH_REVIEW": "5", "OST_MATCH_MARGIN": "3"}
    )
    assert (settings.zones.merge, settings.zones.review, settings.zones.margin) == (30, 5, 3)
    with pytest.raises(ConfigError, match="OST_MATCH_REVIEW"):
        load_settings({"OST_MATCH_MERGE": "10", "OST_MATCH_REVIEW": "12"})
    with pytest.raises(ConfigError, match="must be a weight"):
        load_settings({"OST_MATCH_MARGIN": "wide"})


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_higher_merge_threshold_holds_what_would_merge(ingest_ctx: IngestContext) -> None:
    from dataclasses import replace

    from matching import Zones

    strict = replace(ingest_ctx, settings=replace(ingest_ctx.settings, zones=Zones(merge=200.0)))
    add_applicants(strict, EMILIE)
    assert ingest(strict, transmission([EXACT])).report.matching["matched"] == 0
    assert [i.code for i in review_queue(strict.engine)] == ["A009"]


def test_a_database_at_0006_upgrades_with_its_decisions_kept(database_url: str) -> None:
    from alembic import command
    from sqlalchemy import inspect, text

    from pipeline.database import alembic_config, make_engine, migrate

    engine = make_engine(database_url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO transmission (id, file_name, sha256, size, status, received_at, "
                "students, grades, errors, warnings) "
                "VALUES (1, 'S1.C1', :sha, 1, 'processed', :now, 1, 0, 0, 0)"
            ),
            {"sha": "0" * 64, "now": NOW_UTC},
        )
        conn.execute(
            text(
                "INSERT INTO studentrecord (id, transmission_id, line, mident, student_number, "
                "surname, first_name, accepted, match_status) "
                "VALUES (1, 1, 2, '885827', '1', 'NG', 'LI', :yes, 'ambiguous')"
            ),
            {"yes": True},
        )
        conn.execute(
            text(
                "INSERT INTO matchdecision (student_record_id, status, codes, agreed, reason, "
                "candidates, decided_at) VALUES (1, 'ambiguous', 'A002', '', 'tie', 'A1;A2', :now)"
            ),
            {"now": NOW_UTC},
        )
    migrate(engine)
    assert "reviewdecision" in inspect(engine).get_table_names()
    [item] = review_queue(engine)
    assert (item.code, [c.application_number for c in item.candidates]) == ("A002", ["A1", "A2"])
    engine.dispose()


def test_a_case_shows_the_applicant_as_stored_now(ingest_ctx: IngestContext) -> None:
    # Comparisons are kept for the same values: a changed applicant is compared again.
    record_id = held_ctx(ingest_ctx)
    first = review_case(ingest_ctx.engine, record_id)
    assert review_case(ingest_ctx.engine, record_id) == first
    add_applicants(ingest_ctx, applicant("2026-000001", "Emily", "Gagnon", date(2008, 6, 12)))
    case = review_case(ingest_ctx.engine, record_id)
    assert first is not None and case is not None
    [before], [after] = first.candidates, case.candidates
    shown = {row.field: row for row in after.fields}
    assert shown["first_name"].applicant == "Emily"
    assert shown["birth_date"].applicant == "2008-06-12" and not shown["birth_date"].differs
    assert after.weight != before.weight


def test_the_console_compares_the_next_cases_of_the_queue_in_one_pass(
    ingest_ctx: IngestContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four held students in two files, the second received an hour later. Opening the first
    # case with two ahead compares it alone, then the next two in the queue's order (one of
    # the same file, one of the later file) in one pass; showing the second of those compares
    # the fourth. Each is shown as it is when compared alone.
    add_applicants(ingest_ctx, EMILIE)
    born = ["20080612", "20080613", "20080614", "20080615"]
    held = [
        Student(f"44711{n}", "GAGNON", "ÉMILIE", day, "", [grade("ENG4U", "202606", "F", "081")])
        for n, day in enumerate(born)
    ]
    ingest(ingest_ctx, transmission(held[:2]))
    an_hour_later = ingest_ctx.clock() + timedelta(hours=1)
    ingest(dataclasses.replace(ingest_ctx, clock=lambda: an_hour_later), transmission(held[2:]))
    queue = review_queue(ingest_ctx.engine)
    assert [item.student_number for item in queue] == [s.number for s in held]
    alone = []
    for item in queue:
        COMPARISONS.clear()
        alone.append(review_case(ingest_ctx.engine, item.id))
    passes: list[int] = []
    counted = review.compared

    def counting(*args: Any) -> Any:
        passes.append(len(args[0]))
        return counted(*args)

    monkeypatch.setattr(review, "compared", counting)
    COMPARISONS.clear()
    shown = []
    for item in queue:
        shown.append(review_case(ingest_ctx.engine, item.id, ahead=2))
        COMPARISONS.settle()
    assert shown == alone
    assert passes == [1, 2, 1]
