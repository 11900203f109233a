"""Golden transmissions: each folder of tests/data/ holds a file and the findings docs/format.md and
docs/rules.md call for.

A new case is one new folder with the transmission and its `expected.json`
(`tests/data/make_golden.py` writes most of them).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from parsers.layout import default_layout
from rules.validate import CodeTables, ValidationResult, packaged_code_tables, validate_file

DATA = Path(__file__).parents[1] / "data"
GOLDEN = sorted(path.parent for path in DATA.glob("*/expected.json"))
FINDING_KEYS = ("code", "line", "field", "value")
# Every code `validate_file` can raise (F009 and the A and M codes need the database).
VALIDATION_CODES = frozenset(
    [f"F00{n}" for n in range(1, 9)]
    + ["F010"]
    + [f"R00{n}" for n in range(1, 6)]
    + [f"S00{n}" for n in range(1, 10)]
    + [f"G{n:03d}" for n in range(1, 23)]
)


def load_expected(folder: Path) -> dict[str, Any]:
    with (folder / "expected.json").open(encoding="utf-8") as handle:
        expected: dict[str, Any] = json.load(handle)
    return expected


def field_position(finding: dict[str, Any]) -> int:
    """The field's column, to order several findings of one code on one line."""
    positions = {spec.name: spec.start for spec in default_layout().fields}
    return positions.get(finding["field"] or "", 0)


def in_spec_order(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """By line (file-level findings first), code, then field position."""
    return sorted(
        findings,
        key=lambda f: (f["line"] or 0, f["line"] is not None, f["code"], field_position(f)),
    )


@pytest.fixture(scope="module")
def code_tables_packaged() -> CodeTables:
    return packaged_code_tables()


def validate_case(folder: Path, tables: CodeTables) -> tuple[dict[str, Any], ValidationResult]:
    expected = load_expected(folder)
    raw = (folder / expected["file"]).read_bytes()
    options: dict[str, Any] = {"tables": tables, "today": date.fromisoformat(expected["today"])}
    if "max_bytes" in expected:
        options["max_bytes"] = expected["max_bytes"]
    return expected, validate_file(expected["file"], raw, **options)


def test_golden_cases_were_found() -> None:
    assert len(GOLDEN) > 40


@pytest.mark.parametrize("folder", GOLDEN, ids=[folder.name for folder in GOLDEN])
def test_golden_case(folder: Path, code_tables_packaged: CodeTables) -> None:
    expected, result = validate_case(folder, code_tables_packaged)
    actual = result.findings.select(FINDING_KEYS).to_dicts()
    assert in_spec_order(actual) == in_spec_order(expected["findings"])
    assert result.status == expected["status"]


@pytest.mark.parametrize("folder", GOLDEN, ids=[folder.name for folder in GOLDEN])
def test_golden_findings_are_sorted_by_line_then_code(
    folder: Path, code_tables_packaged: CodeTables
) -> None:
    _, result = validate_case(folder, code_tables_packaged)
    order = result.findings.select(pl.col("line").fill_null(0), "code")
    assert order.rows() == sorted(order.rows())


@pytest.mark.parametrize("folder", GOLDEN, ids=[folder.name for folder in GOLDEN])
def test_golden_folder_holds_one_transmission(folder: Path) -> None:
    expected = load_expected(folder)
    others = sorted(path.name for path in folder.iterdir() if path.name != "expected.json")
    assert others == [expected["file"]]
    assert set(expected) <= {"about", "file", "today", "max_bytes", "status", "findings"}
    for finding in expected["findings"]:
        assert tuple(finding) == FINDING_KEYS


def test_golden_cases_cover_every_validation_code() -> None:
    covered = {
        finding["code"] for folder in GOLDEN for finding in load_expected(folder)["findings"]
    }
    assert VALIDATION_CODES - covered == set()


def test_golden_case_names_start_with_their_code() -> None:
    """A case named after a code raises that code, so the name is a promise to the reader."""
    for folder in GOLDEN:
        prefix = folder.name.split("_")[0].upper()
        if prefix in VALIDATION_CODES:
            codes = {finding["code"] for finding in load_expected(folder)["findings"]}
            assert prefix in codes, folder.name


def test_clean_golden_cases_have_no_finding(code_tables_packaged: CodeTables) -> None:
    clean = [folder for folder in GOLDEN if folder.name.startswith(("clean_", "example_"))]
    assert len(clean) >= 10
    for folder in clean:
        assert load_expected(folder)["findings"] == [], folder.name
