"""Limits: files over the size limit, a 50 MB line, and tens of thousands of findings."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import time
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select

from pipeline.files import validate_path
from pipeline.ingest import IngestContext, IngestOutcome, ingest_paths
from pipeline.labels import label
from pipeline.models import GradeRecord, StudentRecord
from pipeline.reports import MAX_LISTED_FINDINGS, render_csv, render_html, validation_report
from pipeline.store import table
from rules.validate import ValidationResult, packaged_code_tables, validate_file
from tests.pipeline.builders import Student, grade, transmission
from tests.reliability.samples import ROOT, SAMPLE_BYTES, SAMPLES

TODAY = date(2026, 11, 20)
TABLES = packaged_code_tables()
LONG_LINE_BYTES = 50 * 2**20
MEMORY_LIMIT_BYTES = int(1.5 * 2**30)

LONG_LINE_PROGRAM = """
import json, resource, sys
from datetime import date
from pipeline.reports import render_csv, render_html, validation_report
from rules.validate import ValidationResult, packaged_code_tables, validate_file

tables = packaged_code_tables()
lines = open(sys.argv[1], "rb").read().split(b"\\r\\n")
# docs/format.md: only blanks may follow column 200; here 50 MB of text do.
lines[5] = lines[5].ljust(200) + b"X" * int(sys.argv[2])
raw = b"\\r\\n".join(lines)
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
result = validate_file("S885827.C1", raw, tables=tables, today=date(2026, 11, 20))
report = validation_report(result)
render_html([report]), render_csv([report])
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"report": report.to_json(), "before": before, "peak": peak, "size": len(raw)}))
"""


def test_oversized_file_is_refused_unread(tmp_path: Path) -> None:
    """F010 from the file's size alone: a 64 GiB sparse file is never read (it would not fit)."""
    huge = tmp_path / "S885827.C1"
    with huge.open("wb") as stream:
        stream.truncate(64 * 2**30)
    started = time.monotonic()
    result = validate_path(huge, tables=TABLES, today=TODAY, max_bytes=256 * 2**20)
    assert time.monotonic() - started < 5
    assert result.findings["code"].to_list() == ["F010"]
    assert result.encoding is None and result.students.is_empty() and result.grades.is_empty()
    report = validation_report(result)
    assert report.status == "rejected"
    assert "65536 MB, larger than the limit of 256 MB" in report.findings[0]["message"]


@pytest.mark.parametrize("name", sorted(SAMPLE_BYTES))
def test_file_one_byte_over_the_limit_is_refused_before_any_rule(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(SAMPLE_BYTES[name])
    limit = len(SAMPLE_BYTES[name]) - 1
    result = validate_path(path, tables=TABLES, today=TODAY, max_bytes=limit)
    assert result.findings.select("code", "field").rows() == [("F010", "size")]
    exact = validate_path(path, tables=TABLES, today=TODAY, max_bytes=limit + 1)
    assert "F010" not in exact.findings["code"].to_list()


def test_ingest_of_an_oversized_file_stores_nothing_and_archives_it_for_a_replay(
    ingest_ctx: IngestContext,
) -> None:
    context = replace(ingest_ctx, settings=replace(ingest_ctx.settings, max_file_bytes=1000))
    [outcome] = ingest_paths(context, [SAMPLES / "S885827.C1"])
    assert isinstance(outcome, IngestOutcome)
    assert outcome.status == "rejected"
    assert [f["code"] for f in outcome.report.findings] == ["F010"]
    # Copied as it is (never read whole), to be replayed once the limit is raised.
    [archived] = list(context.settings.archive.iterdir())
    assert archived.read_bytes() == (SAMPLES / "S885827.C1").read_bytes()
    with context.engine.connect() as conn:
        for model in (StudentRecord, GradeRecord):
            assert conn.execute(select(func.count()).select_from(table(model))).scalar_one() == 0


def test_fifty_megabyte_line_is_one_bounded_finding_in_bounded_memory() -> None:
    """R002 once, its value cut short, and the process' peak memory well under 1.5 GB."""
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            LONG_LINE_PROGRAM,
            str(SAMPLES / "S885827.C1"),
            str(LONG_LINE_BYTES),
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    measured = json.loads(run.stdout)
    findings = measured["report"]["findings"]
    assert [(f["code"], f["line"]) for f in findings] == [("R002", 6)]
    assert 0 < len(findings[0]["value"]) <= 40
    assert len(findings[0]["message"]) < 1000
    assert measured["peak"] < MEMORY_LIMIT_BYTES, measured
    # A few times the file's size above what the process held before validating it.
    assert measured["peak"] - measured["before"] < 10 * measured["size"], measured


def bad_mark(course_code: str) -> dict[str, str]:
    return grade(course_code, "202606", "F", "8O")  # letter O: G004


@pytest.fixture(scope="module")
def result_thirty_thousand_bad_marks() -> ValidationResult:
    """3,000 students with ten courses each, every mark invalid (G004): 30,000 errors."""
    codes = sorted(TABLES.course_codes)[:10]
    students = [
        Student(f"{n:09d}", "DOE", "JANE", "20080315", grades=[bad_mark(code) for code in codes])
        for n in range(3000)
    ]
    name, raw = transmission(students)
    return validate_file(name, raw, tables=TABLES, today=TODAY)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_thirty_thousand_errors_are_counted_exactly_and_listed_up_to_the_cap(
    result_thirty_thousand_bad_marks: ValidationResult, lang: str
) -> None:
    result = result_thirty_thousand_bad_marks
    report = validation_report(result, lang)
    assert report.counts.errors == len(report.findings) == 30_000
    assert {f["code"] for f in report.findings} == {"G004"}
    html = render_html([report], lang)
    assert html.count('<tr class="finding">') == MAX_LISTED_FINDINGS
    stated = label(lang, "capped").format(shown=MAX_LISTED_FINDINGS, total=30_000)
    assert stated in html.replace("&#39;", "'")
    rows = list(csv.reader(io.StringIO(render_csv([report]), newline="")))
    assert len(rows) == 30_001
