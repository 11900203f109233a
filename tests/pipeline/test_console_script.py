"""The installed `ost` command as a process: a mistyped command line is one line, exit 2."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

OST = Path(sys.executable).parent / "ost"
SAMPLE = Path(__file__).parents[2] / "sample_files" / "S871234.C1"


def ost(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "OST_HOME": str(tmp_path / "home")}
    return subprocess.run([OST, *args], capture_output=True, text=True, env=env, check=False)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["frob"], "ost: No such command 'frob'. (see 'ost --help')"),
        (["validate"], "ost: Missing argument 'files'. (see 'ost validate --help')"),
        (["validate", "--bogus", "x"], "ost: No such option: --bogus (see 'ost validate --help')"),
        (
            ["replay", "abc"],
            "ost: Invalid value for 'ids': Input should be a valid integer, unable to parse "
            "string as an integer (see 'ost replay --help')",
        ),
    ],
)
def test_a_mistyped_command_line_is_refused_in_one_line(
    tmp_path: Path, args: list[str], line: str
) -> None:
    run = ost(tmp_path, *args)
    assert (run.returncode, run.stdout, run.stderr) == (2, "", line + "\n")


def test_exit_codes_come_through_the_console_script(tmp_path: Path) -> None:
    assert ost(tmp_path, "validate", str(SAMPLE)).returncode == 1  # the file has errors
    assert ost(tmp_path, "glossary", "G004").returncode == 0
    missing = ost(tmp_path, "validate", str(tmp_path / "S885827.C1"))
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1


@pytest.mark.parametrize("command", ["validate", "ingest"])
def test_a_file_name_that_is_not_text_is_f007_with_the_byte_escaped(
    tmp_path: Path, command: str
) -> None:
    path = tmp_path / os.fsdecode(b"S871234\xff.C1")
    path.write_bytes(SAMPLE.read_bytes())
    run = ost(tmp_path, command, "--json", str(path))
    assert run.returncode == 1 and run.stderr == ""
    report = json.loads(run.stdout)
    assert (report["file"], report["status"]) == ("S871234\\xff.C1", "rejected")
    assert [f["code"] for f in report["findings"] if f["code"].startswith("F")] == ["F007"]
