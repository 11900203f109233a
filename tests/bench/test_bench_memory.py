"""`python -m bench crowd` at a tiny size: both measurements stored and written to the report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.console_report import with_section
from bench.memory_report import HEADING

ROOT = Path(__file__).resolve().parents[2]


def test_crowd_and_big_file_are_measured_and_reported(tmp_path: Path) -> None:
    report = tmp_path / "RESULTS.md"
    report.write_text("# Benchmark results\n\n## Kept\n\nby hand\n", encoding="utf-8")
    command = [
        sys.executable, "-m", "bench", "--work", str(tmp_path), "--students", "300",
        "--applicants", "100", "--big-file", "--big-students", "400",
        "--results", str(report), "--write", "crowd",
    ]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    crowd = json.loads((tmp_path / "results" / "crowd-run.json").read_text(encoding="utf-8"))
    big = json.loads((tmp_path / "results" / "big-file.json").read_text(encoding="utf-8"))
    held = crowd["held_before"]["match_statuses"]
    assert held.get("pending", 0) >= 280  # no applicant yet: (almost) every student held
    assert crowd["after"]["applicants"] == 100
    assert "held" in crowd["run"]["stdout_tail"]  # the empty-inbox run matched the crowd again
    assert crowd["run"]["returncode"] == 0 and crowd["run"]["peak_rss_bytes"] > 20 * 2**20
    assert big["data"]["students"] == 400 and big["data"]["files"] == 1
    file = tmp_path / "big-students-400" / "inbox" / "S999001.C1"
    lines = file.read_bytes().split(b"\n")
    assert len(lines) == 403 and lines[-1] == b""  # 400 S1, a T1 and a B1, each ending in LF
    assert big["data"]["bytes"] == file.stat().st_size >= 402 * 201
    assert big["ingest"]["returncode"] in (0, 1) and big["ingest"]["peak_rss_bytes"] > 0
    assert "processing" not in big["after"]["transmissions"]
    text = report.read_text(encoding="utf-8")
    assert "## Kept\n\nby hand" in text and HEADING in text
    assert "`ost ingest S999001.C1`" in text and "goal under 3 GB" in text
    assert "no applicant:" in text and "applicants imported first" not in text

    applicants = tmp_path / "crowd-applicants-100.csv"
    again = [*command[:-1], "--only-big-file", "--big-applicants", str(applicants), "crowd"]
    done = subprocess.run(again, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    stored = tmp_path / "results" / "big-file-with-applicants.json"
    assert json.loads(stored.read_text(encoding="utf-8"))["applicants_on_record"] == 100
    text = report.read_text(encoding="utf-8")
    assert text.count(HEADING) == 1 and "with 100 applicants imported first:" in text
    assert "no applicant:" in text and "## Kept\n\nby hand" in text


def test_a_section_is_replaced_and_the_others_kept() -> None:
    text = "# R\n\n## A\n\nold\n\n## B\n\nkept\n"
    replaced = with_section(text, ["## A", "", "new"])
    assert replaced == "# R\n\n## A\n\nnew\n## B\n\nkept\n"
    assert with_section(replaced, ["## C", "", "added"]).endswith("kept\n\n## C\n\nadded\n")
    assert with_section(text, []) == text
