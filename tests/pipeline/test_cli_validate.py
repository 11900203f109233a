"""`ost validate` and `ost glossary` through the CLI: exit codes, docs/commands.md JSON, terminal
output."""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from error_glossary import glossary
from pipeline.cli import app, import_in_background
from tests.pipeline.builders import Student, grade, transmission

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "sample_files"
CLEAN = SAMPLES / "S885827.C1"
WITH_FINDINGS = SAMPLES / "S871234.C1"
REJECTED = SAMPLES / "S880012.C3"
SHARED_EXAMPLE = ROOT / "tests" / "data" / "example_s885827_c2" / "S885827.C2"
ONLY_WARNINGS = ROOT / "tests" / "data" / "g017_stale_projected" / "S885827.C1"

# docs/commands.md: the keys of the `ost validate --json` object, in this order.
REPORT_KEYS = ["file", "mident", "status", "counts", "findings"]
COUNT_KEYS = ["students", "grades", "errors", "warnings"]
FINDING_KEYS = [
    "code",
    "severity",
    "line",
    "record_type",
    "student_number",
    "surname",
    "first_name",
    "course",
    "field",
    "value",
    "message",
]
# sample_files/README.md: the findings of S871234.C1, in file order.
S871234_FINDINGS = [
    (7, "G001"),
    (20, "G004"),
    (29, "G005"),
    (42, "G015"),
    (43, "G015"),
    (61, "G017"),
    (69, "G018"),
    (73, "S004"),
    (85, "S009"),
    (96, "S007"),
    (114, "G014"),
    (131, "G019"),
    (132, "S005"),
    (169, "R004"),
    (170, "R005"),
]


def ost(*args: str | Path, env: Mapping[str, str | None] | None = None) -> tuple[int, str, str]:
    """Run `ost` with the file-size limit at its default unless `env` says otherwise."""
    environment: dict[str, str | None] = {"OST_MAX_FILE_MB": None, **(env or {})}
    result = CliRunner().invoke(app, [str(arg) for arg in args], env=environment)
    return result.exit_code, result.stdout, result.stderr


def validate_json(*args: str | Path, env: Mapping[str, str | None] | None = None) -> Any:
    code, out, err = ost("validate", "--json", *args, env=env)
    assert code in (0, 1), err
    return json.loads(out)


def assert_one_line_failure(code: int, out: str, err: str) -> str:
    """Exit 2 with a single `ost: ...` line on stderr and nothing else."""
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ost: "), err
    return lines[0]


def squeezed(text: str) -> str:
    """Whitespace collapsed, so that a message wrapped on the terminal compares whole."""
    return " ".join(text.split())


def invalid_marks_file(folder: Path, students: int, grades_each: int) -> Path:
    """A transmission whose every course has the invalid mark `ZZZ` (one G004 per course)."""
    dates = [f"{2000 + month // 12}{month % 12 + 1:02d}" for month in range(grades_each)]
    name, raw = transmission(
        [
            Student(
                f"{number:09d}",
                "TREMBLAY",
                "LÉA",
                "20080315",
                grades=[grade("ENG4U", completed, "F", "ZZZ") for completed in dates],
            )
            for number in range(1, students + 1)
        ]
    )
    path = folder / name
    path.write_bytes(raw)
    return path


@pytest.mark.parametrize("path", [CLEAN, SHARED_EXAMPLE], ids=["clean_sample", "shared_example"])
def test_clean_file_exits_0(path: Path) -> None:
    code, out, err = ost("validate", path)
    assert (code, err) == (0, "")
    assert out.splitlines()[0] == "No errors detected in the data"
    assert out.splitlines()[-1].startswith(f"{path.name}: would be processed (Students: ")
    assert out.splitlines()[-1].endswith(", Errors: 0, Warnings: 0)")


def test_a_file_with_only_warnings_passes_and_says_so() -> None:
    # docs/rules.md: a warning accepts the record; the file has no error, so it is clean.
    code, out, _ = ost("validate", ONLY_WARNINGS)
    lines = out.splitlines()
    assert code == 0 and any(" G017 warning " in line for line in lines)
    assert lines[-2:] == [
        "No errors detected in the data",
        "S885827.C1: would be processed (Students: 2, Grades: 7, Errors: 0, Warnings: 1)",
    ]


@pytest.mark.parametrize(
    ("case", "code", "lines"),
    [("g021_two_delivery_types", "G021", [4, 5]), ("g022_repeated_on_higher_mark", "G022", [3])],
)
def test_attempt_warnings_pass_the_pre_upload_check(case: str, code: str, lines: list[int]) -> None:
    """G021 and G022 are warnings: the file passes, each finding on its own line."""
    exit_code, out, _ = ost("validate", ROOT / "tests" / "data" / case / "S885827.C1", "--json")
    report = json.loads(out)
    assert exit_code == 0 and report["status"] == "processed"
    assert [(f["code"], f["severity"], f["line"]) for f in report["findings"]] == [
        (code, "warning", line) for line in lines
    ]


def test_clean_sample_summary() -> None:
    _, out, _ = ost("validate", CLEAN)
    assert out.splitlines() == [
        "No errors detected in the data",
        "S885827.C1: would be processed (Students: 40, Grades: 437, Errors: 0, Warnings: 0)",
    ]


@pytest.mark.parametrize("path", [WITH_FINDINGS, REJECTED], ids=["partial", "rejected"])
def test_file_with_errors_exits_1(path: Path) -> None:
    code, _, err = ost("validate", path)
    assert (code, err) == (1, "")


def test_any_error_among_several_files_exits_1() -> None:
    code, _, _ = ost("validate", CLEAN, WITH_FINDINGS, SHARED_EXAMPLE)
    assert code == 1


def test_missing_file_is_one_line_exit_2(tmp_path: Path) -> None:
    missing = tmp_path / "S885827.C9"
    line = assert_one_line_failure(*ost("validate", missing))
    assert str(missing) in line and "No such file" in line


def test_directory_is_one_line_exit_2(tmp_path: Path) -> None:
    line = assert_one_line_failure(*ost("validate", tmp_path))
    assert str(tmp_path) in line and "not a regular file" in line


def test_html_into_a_missing_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "report.html"
    line = assert_one_line_failure(*ost("validate", "--html", target, CLEAN))
    assert line == f"ost: {target}: No such file or directory"


def test_html_onto_a_folder_is_one_line_exit_2(tmp_path: Path) -> None:
    line = assert_one_line_failure(*ost("validate", "--html", tmp_path, CLEAN))
    assert line == f"ost: {tmp_path}: Is a directory"


def test_no_file_is_a_usage_error() -> None:
    code, _, err = ost("validate")
    assert code == 2 and "Traceback" not in err


def test_json_is_the_spec_shape() -> None:
    report = validate_json(WITH_FINDINGS)
    assert list(report) == REPORT_KEYS
    assert list(report["counts"]) == COUNT_KEYS
    assert report["file"] == "S871234.C1"
    assert report["mident"] == "871234"
    assert report["status"] == "partially processed"
    assert report["counts"] == {"students": 15, "grades": 155, "errors": 10, "warnings": 5}
    assert all(list(finding) == FINDING_KEYS for finding in report["findings"])
    assert [(f["line"], f["code"]) for f in report["findings"]] == S871234_FINDINGS
    severities = [f["severity"] for f in report["findings"]]
    assert (severities.count("error"), severities.count("warning")) == (10, 5)


def test_json_finding_values() -> None:
    findings = validate_json(WITH_FINDINGS)["findings"]
    assert findings[1] == {
        "code": "G004",
        "severity": "error",
        "line": 20,
        "record_type": "G1",
        "student_number": "552700107",
        "surname": "FRASER",
        "first_name": "JENNIFER",
        "course": "SBI3C",
        "field": "mark",
        "value": "8O",
        "message": "Mark '8O' of student 552700107 is not valid for course SBI3C: "
        "use 000 to 100, EQV, ALT, I, N/A or leave it blank.",
    }


def test_json_of_a_clean_file_has_no_findings() -> None:
    report = validate_json(CLEAN)
    assert report == {
        "file": "S885827.C1",
        "mident": "885827",
        "status": "processed",
        "counts": {"students": 40, "grades": 437, "errors": 0, "warnings": 0},
        "findings": [],
    }


def test_json_of_several_files_is_an_array_in_argument_order() -> None:
    reports = validate_json(REJECTED, CLEAN, SHARED_EXAMPLE)
    assert isinstance(reports, list)
    assert [(r["file"], r["status"]) for r in reports] == [
        ("S880012.C3", "rejected"),
        ("S885827.C1", "processed"),
        ("S885827.C2", "processed"),
    ]
    assert all(list(report) == REPORT_KEYS for report in reports)


def test_json_with_html_still_prints_only_json(tmp_path: Path) -> None:
    html = tmp_path / "report.html"
    code, out, _ = ost("validate", "--json", "--html", html, WITH_FINDINGS)
    assert code == 1
    assert json.loads(out)["file"] == "S871234.C1"
    assert html.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_french_json_messages() -> None:
    findings = validate_json("--lang", "fr", WITH_FINDINGS)["findings"]
    by_line = {finding["line"]: finding for finding in findings}
    assert by_line[20]["message"].startswith("La note « 8O » de l'élève 552700107")
    assert by_line[7]["message"] != validate_json(WITH_FINDINGS)["findings"][0]["message"]
    # Codes, fields and values stay the same in both languages.
    english = validate_json(WITH_FINDINGS)["findings"]
    assert [{**f, "message": ""} for f in findings] == [{**f, "message": ""} for f in english]


def test_terminal_lists_every_finding_and_the_summary() -> None:
    code, out, _ = ost("validate", WITH_FINDINGS)
    report = validate_json(WITH_FINDINGS)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == "S871234.C1"
    assert lines[-1] == (
        "S871234.C1: would be partially processed "
        "(Students: 15, Grades: 155, Errors: 10, Warnings: 5)"
    )
    assert "  Line 7     G001 error  552700100  LEBLANC, MARIE-ÈVE  SCH3X" in lines
    assert "  Line 96    S007 warning  552700156  CAMPBELL, NOAH" in lines
    heads = [line for line in lines if re.match(r"  Line \d+ +[A-Z]\d{3} ", line)]
    assert len(heads) == len(report["findings"])
    assert "No errors detected" not in out
    _, unmasked, _ = ost("validate", "--show-personal", WITH_FINDINGS)
    for finding in report["findings"]:
        assert squeezed(finding["message"]) in squeezed(unmasked)


def test_terminal_masks_birth_dates_and_oens_by_default() -> None:
    _, out, _ = ost("validate", WITH_FINDINGS)
    assert "'20080631'" in out  # no date at all: shown, it is what the clerk must correct
    assert "75846729" not in out
    _, unmasked, _ = ost("validate", "--show-personal", WITH_FINDINGS)
    assert "'20080631'" in unmasked and "75846729" in unmasked


def test_terminal_of_a_rejected_file() -> None:
    _, out, _ = ost("validate", REJECTED)
    lines = out.splitlines()
    assert lines[1].split() == ["F007", "error"]
    assert "'S880012.C2'" in out
    assert (
        lines[-1]
        == "S880012.C3: would be rejected (Students: 7, Grades: 78, Errors: 3, Warnings: 0)"
    )


def test_terminal_output_has_no_trailing_blanks() -> None:
    # Output is saved and mailed; padded lines are noise in a file or a diff.
    _, out, _ = ost("validate", WITH_FINDINGS, REJECTED)
    assert [line for line in out.splitlines() if line != line.rstrip()] == []


def test_terminal_in_french() -> None:
    _, out, _ = ost("validate", "--lang", "fr", WITH_FINDINGS, CLEAN)
    lines = out.splitlines()
    assert "  Ligne 20   G004 erreur  552700107  FRASER, JENNIFER  SBI3C" in lines
    assert "La note « 8O » de l'élève 552700107" in out
    assert (
        "S871234.C1: serait traité partiellement "
        "(Élèves: 15, Notes: 155, Erreurs: 10, Avertissements: 5)"
    ) in lines
    assert "Aucune erreur détectée dans les données" in lines
    assert (
        "S885827.C1: serait traité (Élèves: 40, Notes: 437, Erreurs: 0, Avertissements: 0)" in lines
    )


@pytest.mark.parametrize(
    ("lang", "more"),
    [
        ("en", "... 50 more; use --json for the full list."),
        ("fr", "... 50 de plus; utilisez --json pour la liste complète."),
    ],
)
def test_terminal_lists_the_first_200_findings(tmp_path: Path, lang: str, more: str) -> None:
    path = invalid_marks_file(tmp_path, students=5, grades_each=50)
    code, out, _ = ost("validate", "--lang", lang, path)
    assert code == 1
    assert len(re.findall(r"^  \S+ \d+ +G004 ", out, flags=re.MULTILINE)) == 200
    assert more in out.splitlines()
    assert out.splitlines()[-1].startswith("S885827.C1: ")
    assert validate_json(path)["counts"]["errors"] == 250


def test_file_over_the_size_limit_is_f010() -> None:
    tiny = {"OST_MAX_FILE_MB": "0.01"}
    report = validate_json(CLEAN, env=tiny)
    assert report["status"] == "rejected"
    assert [(f["code"], f["severity"], f["field"]) for f in report["findings"]] == [
        ("F010", "error", "size")
    ]
    code, out, _ = ost("validate", CLEAN, env=tiny)
    assert code == 1
    assert "F010 error" in out
    assert out.splitlines()[-1].startswith("S885827.C1: would be rejected (")


def test_file_under_the_size_limit_is_read() -> None:
    code, _, _ = ost("validate", CLEAN, env={"OST_MAX_FILE_MB": "1"})
    assert code == 0


@pytest.mark.parametrize("value", ["abc", "12MB", "0", "-1"])
def test_malformed_size_limit_is_one_line_exit_2(value: str) -> None:
    line = assert_one_line_failure(*ost("validate", CLEAN, env={"OST_MAX_FILE_MB": value}))
    assert "OST_MAX_FILE_MB" in line and value in line


def test_glossary_lists_every_code() -> None:
    code, out, err = ost("glossary")
    assert (code, err) == (0, "")
    listed = re.findall(r"^([A-Z]\d{3})  ", out, flags=re.MULTILINE)
    assert listed == list(glossary())
    assert {"F001", "F010", "G004", "G020", "A006", "M004"} <= set(listed)
    assert "G004  error  " in out and "What to do: " in out


def test_glossary_one_code_in_french() -> None:
    code, out, _ = ost("glossary", "G004", "--lang", "fr")
    lines = out.splitlines()
    assert code == 0 and len(lines) == 3
    assert lines[0].startswith("G004  erreur  ")
    assert lines[1].strip().startswith("La note « ")
    assert lines[2].strip().startswith("Que faire: ")


def test_glossary_code_is_case_insensitive() -> None:
    assert ost("glossary", "g004") == ost("glossary", "G004")


def test_unknown_glossary_code_is_one_line_exit_2() -> None:
    line = assert_one_line_failure(*ost("glossary", "X999"))
    assert "X999" in line


def test_background_import_loads_the_module_or_says_nothing(
    capfd: pytest.CaptureFixture[str],
) -> None:
    import_in_background("colorsys").join()
    assert "colorsys" in sys.modules
    import_in_background("ost_no_such_module").join()
    assert capfd.readouterr().err == ""


def test_an_unreadable_path_among_several_is_named_and_the_others_checked(tmp_path: Path) -> None:
    missing = tmp_path / "S885827.C7"
    code, out, err = ost("validate", CLEAN, missing, WITH_FINDINGS)
    assert code == 2  # as grep: one path could not be read
    assert err == f"ost: {missing}: No such file or directory\n"
    assert f"{CLEAN.name}: would be processed" in out and f"{WITH_FINDINGS.name}: " in out
    code, out, err = ost("validate", "--json", missing, CLEAN)
    assert code == 2
    assert [report["file"] for report in json.loads(out)] == [CLEAN.name]
