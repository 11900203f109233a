"""The transmission stage on its own: frames in, a frozen outcome out, no database at all."""

from __future__ import annotations

import ast
import dataclasses
import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest

from matching import ApplicantPool
from pipeline.merge import (
    CourseQuery,
    CourseSnapshot,
    carried_courses_schema,
    deleted_courses_schema,
    stored_courses_schema,
)
from pipeline.store.review import DECISIONS_SCHEMA
from pipeline.transmission import TransmissionOutcome, prepare, stage
from rules.validate import ValidationResult, packaged_code_tables, validate_file
from tests.matching.builders import applicant, applicants_frame
from tests.pipeline.builders import Student, grade, transmission

TODAY = date(2026, 11, 20)
EMILIE = applicant(
    "2026-000001",
    first_name="Émilie",
    middle_name=None,
    last_name="Gagnon",
    birth_date=date(2008, 5, 21),
    oen="345678912",
    gender="F",
    school_midents=["885827"],
)
PIPELINE = Path(__file__).parents[2] / "pipeline"


class Reads:
    """Stored data handed to the stage as frames, and every query it made."""

    def __init__(self, stored: pl.DataFrame | None = None, operator: pl.DataFrame | None = None):
        self.stored = stored if stored is not None else pl.DataFrame(schema=stored_courses_schema())
        self.operator = operator if operator is not None else pl.DataFrame(schema=DECISIONS_SCHEMA)
        self.queries: list[CourseQuery] = []

    def operator_decisions(self, students: pl.DataFrame) -> pl.DataFrame:
        return self.operator

    def courses(self, query: CourseQuery) -> CourseSnapshot:
        self.queries.append(query)
        return CourseSnapshot(
            self.stored,
            pl.DataFrame(schema=deleted_courses_schema()),
            pl.DataFrame(schema=carried_courses_schema()),
        )


def validated(*grades: dict[str, str]) -> ValidationResult:
    student = Student("4471002", "GAGNON", "ÉMILIE", "20080521", "345678912", list(grades))
    name, raw = transmission([student], created="20261115093000")
    return validate_file(name, raw, tables=packaged_code_tables(), today=TODAY)


@pytest.fixture
def pool() -> ApplicantPool:
    return ApplicantPool.of(applicants_frame(EMILIE))


def stored_mark(mark: str, grade_type: str = "F") -> pl.DataFrame:
    """ENG4U of Émilie on record, from an earlier transmission."""
    row = {
        "id": 7,
        "application_number": "2026-000001",
        "course_code": "ENG4U",
        "completion_date": "202606",
        "delivery_type": "D",
        "mident": "885827",
        "student_number": "4471002",
        "grade_type": grade_type,
        "mark": mark,
        "credit_value": "1.00",
        "course_status": "",
        "course_type": "",
        "notes": "",
        "course_mident": "885827",
        "supplier_mident": "",
        "course_title": "",
        "transmission_id": 1,
        "transmission_file": "S885827.C1",
        "source_created_at": datetime(2026, 11, 1, tzinfo=UTC),
    }
    return pl.DataFrame([row], schema=stored_courses_schema())


def test_a_matched_student_is_merged_and_the_outcome_is_frozen(pool: ApplicantPool) -> None:
    result = validated(grade("ENG4U", "202606", "F", "085"))
    reads = Reads()
    outcome = stage(42, prepare(result, pool), pool, reads)
    assert isinstance(outcome, TransmissionOutcome)
    with pytest.raises(dataclasses.FrozenInstanceError):
        outcome.status = "rejected"  # type: ignore[misc]
    assert outcome.status == "processed"
    assert outcome.decisions is not None and outcome.plan is not None
    # Keyed by the S1 line: nothing stored yet, so no record id exists.
    [line] = result.accepted_students["line"].to_list()
    assert outcome.decisions.select("student_key", "status").rows() == [(line, "matched")]
    assert outcome.plan["action"].to_list() == ["insert"]
    [query] = reads.queries
    assert query.application_numbers == ("2026-000001",) and query.midents == ("885827",)
    report = outcome.reports["en"].to_json()
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
    assert report["id"] == 42 and report["matching"]["matched"] == 1
    assert report["merge"]["inserted"] == 1
    assert json.loads(json.dumps(report)) == report


def test_the_snapshot_decides_the_plan_and_the_status(pool: ApplicantPool) -> None:
    result = validated(grade("ENG4U", "202606", "M", "080"))
    outcome = stage(43, prepare(result, pool), pool, Reads(stored=stored_mark("085")))
    assert outcome.plan is not None and outcome.plan["action"].to_list() == ["backwards"]
    # M001 refuses a course: an error found only by the stage, so the status is decided after it.
    assert result.status == "processed" and outcome.status == "partially processed"
    assert outcome.findings["code"].to_list() == ["M001"]
    assert [f["code"] for f in outcome.reports["fr"].findings] == ["M001"]
    assert outcome.reports["en"].merge == {
        "inserted": 0,
        "updated": 0,
        "deleted": 0,
        "unchanged": 0,
        "refused": 1,
    }


def test_an_operators_rejection_is_applied_before_the_courses_are_read(
    pool: ApplicantPool,
) -> None:
    result = validated(grade("ENG4U", "202606", "F", "085"))
    rejection = pl.DataFrame(
        [
            {
                "id": 1,
                "mident": "885827",
                "student_number": "4471002",
                "action": "reject",
                "application_number": "2026-000001",
                "decided_by": "ops",
                "decided_at": datetime(2026, 11, 2, tzinfo=UTC),
                "reason": "not her",
            }
        ],
        schema=DECISIONS_SCHEMA,
    )
    reads = Reads(operator=rejection)
    outcome = stage(44, prepare(result, pool), pool, reads)
    assert outcome.decisions is not None
    assert outcome.decisions["application_number"].to_list() == [None]
    assert outcome.plan is not None and outcome.plan.is_empty()
    assert reads.queries[0].application_numbers == ()


def test_a_rejected_file_is_neither_matched_nor_read_for(pool: ApplicantPool) -> None:
    name, raw = transmission([Student("1", "ROY", "LÉA", "20080101")])
    result = validate_file(name, raw[:40], tables=packaged_code_tables(), today=TODAY)
    reads = Reads()
    prepared = prepare(result, pool)
    outcome = stage(45, prepared, pool, reads)
    assert prepared.matched is None and reads.queries == []
    assert outcome.status == "rejected" == outcome.reports["en"].status
    assert outcome.decisions is None and outcome.plan is None


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = {
        alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.Import)
        for alias in node.names
    }
    found |= {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module
    }
    return found


@pytest.mark.parametrize("module", ["transmission", "report", "merge", "student_columns"])
def test_the_stage_touches_no_database_clock_or_files(module: str) -> None:
    imported = imported_modules(PIPELINE / f"{module}.py")
    banned = {"sqlalchemy", "sqlmodel", "pipeline.store", "pipeline.database", "pipeline.outputs"}
    assert not {name for name in imported if name.split(".")[0] in banned or name in banned}


def test_the_shell_leaves_sql_to_the_store_and_the_lookahead_to_itself() -> None:
    assert not {m for m in imported_modules(PIPELINE / "ingest.py") if m.startswith("sqlalchemy")}
    assert "pipeline.ingest" not in imported_modules(PIPELINE / "lookahead.py")


def test_the_stage_loads_no_database_code_even_indirectly() -> None:
    """What the stage imports, and what those import in turn, in a fresh interpreter."""
    probe = (
        "import sys, pipeline.transmission; "
        "print(' '.join(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel', "
        "'alembic') or m.startswith(('pipeline.store', 'pipeline.database', 'pipeline.models'))))"
    )
    run = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert run.stdout.split() == []
