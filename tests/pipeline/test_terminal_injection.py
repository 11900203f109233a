"""Names and file names from schools never drive the operator's terminal or forge a log line."""

from __future__ import annotations

import io
import logging
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from parsers.layout import default_layout
from pipeline.cli import app
from pipeline.logs import configure_logging, reset_logging
from pipeline.printable import printable
from tests.pipeline.test_ingest_end_to_end import SAMPLES

TITLE = "\x1b]0;pwned\x07"  # sets the terminal's title
CLEAR = "\x1b[2J"  # clears the screen
CONCEAL = "S885827.C1[conceal]"
LINK = "S885827.C1[link=evil.example]x[bold]"


def with_surname(folder: Path, surname: str, name: str = "S885827.C1") -> Path:
    """S885827.C1 with its first student's surname replaced and its gender made invalid (S006),
    so that the student is named in the findings."""
    lines = (SAMPLES / "S885827.C1").read_text("utf-8").split("\n")
    index = next(i for i, line in enumerate(lines) if line.startswith("S1"))
    field = default_layout().field("S1", "surname")
    gender = default_layout().field("S1", "gender")
    line = lines[index]
    line = line[: field.start - 1] + surname.ljust(field.length)[: field.length] + line[field.end :]
    lines[index] = line[: gender.start - 1] + "Q" + line[gender.end :]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text("\n".join(lines), "utf-8")
    return path


def ost(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def ost_env(tmp_path: Path) -> dict[str, str]:
    return {"OST_HOME": str(tmp_path / "home"), "OST_DATABASE_URL": f"sqlite:///{tmp_path}/o.db"}


def no_control(text: str) -> bool:
    return "\x1b" not in text and "\x07" not in text


@pytest.mark.parametrize("surname", [TITLE + "ROY", CLEAR + "ROY"])
def test_validate_shows_a_hostile_surname_escaped(tmp_path: Path, surname: str) -> None:
    code, out, err = ost({}, "validate", str(with_surname(tmp_path, surname)))
    assert code == 1
    assert no_control(out + err)
    assert printable(surname) in out  # shown, escaped, not hidden


def test_ingest_and_history_show_a_hostile_file_name_escaped(
    tmp_path: Path, ost_env: dict[str, str]
) -> None:
    path = with_surname(tmp_path / "in", TITLE + "ROY", name=f"S885827.C1{CLEAR}")
    code, out, err = ost(ost_env, "ingest", str(path))
    assert code == 1 and no_control(out + err)
    code, out, err = ost(ost_env, "history")
    assert code == 0 and no_control(out + err)
    assert "\\x1b[2J" in out.replace("\n", "").replace(" ", "").replace("│", "")


def test_run_shows_a_hostile_file_name_escaped(tmp_path: Path, ost_env: dict[str, str]) -> None:
    inbox = Path(ost_env["OST_HOME"]) / "inbox"
    with_surname(inbox, CLEAR + "ROY", name=f"S885827.C1{TITLE}")
    code, out, err = ost({**ost_env, "OST_SETTLE_SECONDS": "0"}, "run")
    assert code == 1 and no_control(out + err)
    assert "\\x1b]0;pwned\\x07" in out


@pytest.mark.parametrize("name", [CONCEAL, LINK])
def test_a_failure_line_is_never_read_as_markup(
    tmp_path: Path, ost_env: dict[str, str], name: str
) -> None:
    reports = Path(ost_env["OST_HOME"]) / "reports"
    reports.mkdir(parents=True)
    (reports / "1").write_text("not a folder")  # transmission 1 cannot have its reports: failed
    path = tmp_path / "in" / name
    path.parent.mkdir()
    path.write_bytes((SAMPLES / "S885827.C1").read_bytes())
    code, out, _ = ost(ost_env, "ingest", str(path))
    assert code == 4, out
    assert name in out  # every character shown: nothing concealed, no link made


def test_a_file_name_with_a_newline_cannot_forge_a_log_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    forged = "S885827.C1\n00:00:00 info run 9 finished: 0 file(s)"
    configure_logging(tmp_path / "logs", echo=True)
    try:
        logging.getLogger("ost.batch").warning("%s: failed", forged, extra={"file": forged})
    finally:
        reset_logging()
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert sys.stderr is not None
    [logged] = (tmp_path / "logs" / "ost.log").read_text("utf-8").splitlines()
    assert "run 9 finished" in logged  # one JSON line: the newline is escaped inside it


def test_a_seven_digit_line_number_keeps_its_column(tmp_path: Path) -> None:
    from rich.console import Console

    from pipeline.console import print_findings

    row = dict.fromkeys(("student_number", "surname", "first_name", "course", "value"), "")
    rows = [
        row | {"code": "G004", "severity": "error", "line": line, "message": "bad mark"}
        for line in (7, 1_234_567)
    ]
    console = Console(width=100, record=True, file=io.StringIO())
    print_findings(console, {"findings": rows}, "en")
    heads = [line for line in console.export_text().splitlines() if "G004" in line]
    assert [head.index("G004") for head in heads] == [15, 15]
    assert "Line 1234567 G004" in heads[1]
