"""The reports of a huge file are capped like the HTML: the counts stay exact and say so."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from pipeline.ingest import IngestContext, IngestOutcome, ingest_paths
from pipeline.outputs import report_file
from pipeline.report import Capped
from pipeline.reports import capped_report
from rules.validate import packaged_code_tables, validate_file
from tests.pipeline.conftest import NOW, Mailbox
from tests.pipeline.test_cli_validate import invalid_marks_file


def test_a_report_lists_at_most_its_cap_and_says_how_many_there_are(tmp_path: Path) -> None:
    path = invalid_marks_file(tmp_path, students=3, grades_each=10)
    result = validate_file(
        path.name, path.read_bytes(), tables=packaged_code_tables(), today=NOW.date()
    )
    report = capped_report(result, "en", limit=12)
    assert len(report.findings) == 12
    assert report.capped == Capped(listed=12, total=result.findings.height)
    assert report.to_json()["capped"] == {"listed": 12, "total": result.findings.height}
    assert report.counts.errors == 30
    assert "capped" not in capped_report(result, "en", limit=30).to_json()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_files_of_a_huge_transmission_are_capped(
    ingest_ctx: IngestContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("pipeline.reports.MAX_REPORTED_FINDINGS", 25)
    monkeypatch.setattr(capped_report, "__defaults__", (25,))
    [outcome] = ingest_paths(ingest_ctx, [invalid_marks_file(tmp_path, 5, 12)])
    assert isinstance(outcome, IngestOutcome)
    reports = ingest_ctx.settings.reports
    written = json.loads(report_file(reports, outcome.transmission_id, "en", "json").read_text())
    assert len(written["findings"]) == 25 and written["capped"]["total"] > 60
    assert written["counts"]["errors"] == 60
    table = report_file(reports, outcome.transmission_id, "fr", "csv").read_text("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(table)))) == 1 + 25
    html = report_file(reports, outcome.transmission_id, "en", "html").read_text("utf-8")
    assert f"of {written['capped']['total']} findings" in html
    mailbox = ingest_ctx.sender
    assert isinstance(mailbox, Mailbox)
    [message] = mailbox.messages
    body = message.get_body(("plain",))
    assert body is not None and f"of {written['capped']['total']} findings" in body.get_content()
