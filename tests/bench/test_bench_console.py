"""`python -m bench console` at a tiny size: it loads the database once, times every page as an
operator and as a school, and writes its section of the results.

Only the shape of the results is checked here, never the speed (README.md, Benchmarks).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCALE = 0.001


def bench_console(work: Path, report: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable, "-m", "bench", "--work", str(work), "--scale", str(SCALE),
        "--clients", "2", "--requests", "1", "--results", str(report), "--write", "console",
    ]  # fmt: skip
    return subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, timeout=900, env=dict(os.environ)
    )


def test_the_console_bench_times_every_page_and_reuses_its_database(tmp_path: Path) -> None:
    report = tmp_path / "RESULTS.md"
    report.write_text("# Benchmark results\n\n## Memory\n\nkept\n", encoding="utf-8")
    first = bench_console(tmp_path, report)
    assert first.returncode == 0, first.stderr
    assert "(ost run)" in first.stderr
    result = json.loads((tmp_path / "results" / f"console-{SCALE:g}.json").read_text())
    operator, school = result["pages"]["operator"], result["pages"]["school"]
    assert {"history", "applicant search (OEN)", "review queue", "glossary"} <= set(operator)
    assert "review queue" not in school and set(school) <= set(operator)
    assert all(page["p95"] >= page["median"] > 0 for page in [*operator.values()])
    assert result["database"]["students"] > 0 and len(result["load_average_at_end"]) == 3
    text = report.read_text(encoding="utf-8")
    assert f"### SQLite, scale {SCALE:g}" in text and "| review queue | operator |" in text
    turns = result["page_turns"]  # as `ost serve` is started: with its default
    assert turns >= 2 and f"(`ost serve` making {turns} pages at a time)" in text
    assert text.index("## Memory") < text.index("## Web console") and "kept" in text
    again = bench_console(tmp_path, report)
    assert again.returncode == 0, again.stderr
    assert "(ost run)" not in again.stderr  # the database built the first time is reused
