"""Files the product writes: formula-safe CSV, checked names, atomic writes that fail cleanly."""

from __future__ import annotations

import csv
import errno
import io
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from typer.testing import CliRunner

from pipeline.cli import app
from pipeline.outputs import SAFE_NAME, archive_original, safe_name, stage_files, write_atomic
from pipeline.reports import (
    FORMULA_PREFIXES,
    render_csv,
    render_html,
    render_rows_csv,
    validation_report,
)
from rules.validate import packaged_code_tables, validate_file
from tests.pipeline.builders import Student, grade, transmission
from tests.reliability.hostile import RELIABLE
from tests.reliability.samples import ROOT

FORMULA_STARTS = ("=", "+", "-", "@")
# Names a file may arrive under, or that a sender may try: none may become a path elsewhere.
HOSTILE_NAMES = [
    "../../etc/passwd",
    "/etc/passwd",
    "a/b/../../../c.C1",
    "..\\..\\windows\\system32\\S885827.C1",
    "S885827.C1\x00.sh",
    "\x00",
    ".",
    "..",
    "",
    ".bashrc",
    "...S885827.C1",
    "-rf",
    "S885827.C1\n",
    "Élève.C1",
    "x" * 5000,
    "S885827.C1 ; rm -rf ~",
]
APPLICANTS_HEADER = (
    "application_number,account_number,first_name,middle_name,last_name,previous_last_name,"
    "birth_date,oen,gender,school_midents,paid,international\n"
)


def parsed_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


# -- CSV -----------------------------------------------------------------------------------


@RELIABLE
@given(cells=st.lists(st.text(max_size=30), min_size=1, max_size=6))
def test_csv_cells_read_back_as_text_never_as_formulas(cells: list[str]) -> None:
    rows = parsed_csv(render_rows_csv([f"c{i}" for i in range(len(cells))], [cells]))
    assert len(rows) == 2
    for written, read in zip(cells, rows[1], strict=True):
        assert read == ("'" + written if written.startswith(FORMULA_PREFIXES) else written)
        assert not read.startswith(FORMULA_STARTS)


FORMULA_NUMBERS = ("=2+3", "+2+3", "-2+3", "@SUM(A1)")
FIRST_NAMES = ("ANA", "BEA", "CLEO", "DANA")


def students_like_formulas() -> list[Student]:
    """Student numbers a spreadsheet would run, and an unknown course code like a formula."""
    courses = [grade("ENG4U", "202606", "F", "085"), grade("=1+2", "202606", "F", "085")]
    return [
        Student(number, "FORMULA", first, "20080315", oen=f"55550000{n}", grades=courses)
        for n, (number, first) in enumerate(zip(FORMULA_NUMBERS, FIRST_NAMES, strict=True))
    ]


def test_report_csv_neutralises_formula_like_values() -> None:
    name, raw = transmission(students_like_formulas())
    result = validate_file(name, raw, tables=packaged_code_tables(), today=date(2026, 11, 20))
    report = validation_report(result)
    rows = parsed_csv(render_csv([report]))
    cells = [cell for row in rows[1:] for cell in row]
    assert "'=1+2" in cells  # the unknown course code (G001) shows as text
    assert not any(cell.startswith(FORMULA_STARTS) for cell in cells)


def test_export_courses_neutralises_formula_like_values(tmp_path: Path) -> None:
    """`ost applicants import`, `ost ingest`, then `ost export courses` as an operator would."""
    env = {"OST_HOME": str(tmp_path / "home"), "OST_DATABASE_URL": f"sqlite:///{tmp_path / 'o.db'}"}
    applicants = tmp_path / "applicants.csv"
    applicants.write_text(
        APPLICANTS_HEADER
        + "".join(
            f"2026-90000{n},,{first.title()},,Formula,,2008-03-15,55550000{n},F,885827,true,false\n"
            for n, first in enumerate(FIRST_NAMES)
        ),
        encoding="utf-8",
    )
    name, raw = transmission(students_like_formulas())
    (tmp_path / name).write_bytes(raw)
    runner = CliRunner()
    imported = runner.invoke(app, ["applicants", "import", str(applicants)], env=env)
    assert imported.exit_code == 0, imported.stderr
    ingested = runner.invoke(app, ["ingest", "--json", str(tmp_path / name)], env=env)
    assert ingested.exit_code == 1, ingested.stderr  # the unknown course codes are errors
    exported = runner.invoke(app, ["export", "courses"], env=env)
    assert exported.exit_code == 0, exported.stderr
    rows = list(csv.DictReader(io.StringIO(exported.stdout, newline="")))
    assert sorted(row["student_number"] for row in rows) == sorted(
        "'" + number for number in FORMULA_NUMBERS
    )
    assert not any(cell.startswith(FORMULA_STARTS) for row in rows for cell in row.values())


def test_html_report_shows_markup_as_text() -> None:
    student = Student("552700100", "<script>alert(1)</script>", "<b>BOLD", "20081331")
    name, raw = transmission([student])
    result = validate_file(name, raw, tables=packaged_code_tables(), today=date(2026, 11, 20))
    html = render_html([validation_report(result)])
    assert "<script>alert" not in html and "<b>BOLD" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


# -- names and the archive -----------------------------------------------------------------


def assert_safe(name: str, cleaned: str, folder: Path) -> None:
    assert SAFE_NAME.match(cleaned), (name, cleaned)
    assert "/" not in cleaned and "\\" not in cleaned and "\x00" not in cleaned
    assert not cleaned.startswith(".") and len(cleaned) <= 128
    assert (folder / cleaned).resolve().parent == folder.resolve()


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_safe_name_of_hostile_names(tmp_path: Path, name: str) -> None:
    assert_safe(name, safe_name(name), tmp_path)


def test_safe_name_keeps_ordinary_names_and_drops_folders() -> None:
    assert safe_name("S885827.C1") == "S885827.C1"
    assert safe_name("s885827.c2") == "s885827.c2"
    assert safe_name("../../etc/passwd") == "passwd"
    assert safe_name("inbox/S885827.C1") == "S885827.C1"


@RELIABLE
@given(name=st.text(max_size=300))
def test_safe_name_of_any_text(tmp_path_factory: pytest.TempPathFactory, name: str) -> None:
    assert_safe(name, safe_name(name), tmp_path_factory.getbasetemp())


@pytest.mark.parametrize("name", HOSTILE_NAMES, ids=repr)
def test_archive_stays_in_its_folder_and_never_overwrites(tmp_path: Path, name: str) -> None:
    archive = tmp_path / "archive"
    first = archive_original(archive, 7, name, b"first bytes")
    assert first.parent.resolve() == archive.resolve()
    again = archive_original(archive, 7, name, b"other bytes")
    assert again == first and first.read_bytes() == b"first bytes"
    other = archive_original(archive, 8, name, b"other bytes")
    assert other != first and other.read_bytes() == b"other bytes"
    assert sorted(path.name for path in tmp_path.rglob("*")) == sorted(
        ["archive", first.name, other.name]
    )


def test_archive_does_not_follow_a_planted_link(tmp_path: Path) -> None:
    archive, outside = tmp_path / "archive", tmp_path / "outside"
    archive.mkdir()
    outside.mkdir()
    (archive / f"{9:08d}-S885827.C1").symlink_to(outside / "dangling")
    (archive / f"{10:08d}-S885827.C1").symlink_to(outside / "kept")
    (outside / "kept").write_bytes(b"kept")
    archive_original(archive, 9, "S885827.C1", b"archived")
    archive_original(archive, 10, "S885827.C1", b"archived")
    assert sorted(path.name for path in outside.iterdir()) == ["kept"]
    assert (outside / "kept").read_bytes() == b"kept"
    assert (archive / f"{9:08d}-S885827.C1").read_bytes() == b"archived"


# -- atomic writes -------------------------------------------------------------------------


def test_failed_write_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    report.write_bytes(b"previous")
    unreadable = memoryview(b"new content")
    unreadable.release()  # writing it raises half-way through write_atomic
    with pytest.raises(ValueError):
        write_atomic(report, unreadable)
    assert report.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["report.json"]


FILE_SIZE_LIMIT_PROGRAM = """
import resource, signal, sys
from pathlib import Path
from pipeline.outputs import write_atomic

signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG
resource.setrlimit(resource.RLIMIT_FSIZE, (4096, resource.RLIM_INFINITY))
try:
    write_atomic(Path(sys.argv[1]), b"n" * 100_000)
except OSError as error:
    print(error.errno)
"""


def test_write_failing_mid_file_leaves_the_previous_file_and_no_temporary(tmp_path: Path) -> None:
    """A real I/O error after 4 KiB of 100 KB (the process may not write larger files)."""
    report = tmp_path / "report.html"
    report.write_bytes(b"previous")
    run = subprocess.run(
        [sys.executable, "-c", FILE_SIZE_LIMIT_PROGRAM, str(report)],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert run.stdout.strip() == str(errno.EFBIG)
    assert report.read_bytes() == b"previous"
    assert [path.name for path in tmp_path.iterdir()] == ["report.html"]


def test_staged_files_that_cannot_all_be_put_in_place_leave_no_temporary(tmp_path: Path) -> None:
    first, blocked, last = (tmp_path / name for name in ("a.json", "b.json", "c.json"))
    staged = stage_files({first: b"1", blocked: b"2", last: b"3"})
    assert len(list(tmp_path.glob(".*.tmp"))) == 3
    (blocked / "in-the-way").mkdir(parents=True)  # a folder cannot be replaced by a file
    with pytest.raises(OSError):
        staged.publish()
    assert first.read_bytes() == b"1" and blocked.is_dir() and not last.exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_staged_files_discarded_leave_nothing(tmp_path: Path) -> None:
    stage_files({tmp_path / "report.html": b"<p>", tmp_path / "report.csv": b"a,b"}).discard()
    assert list(tmp_path.iterdir()) == []
