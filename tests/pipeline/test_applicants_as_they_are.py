"""Applicants CSV as the application system really exports it, and as a hostile one might."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, select

from matching import ApplicantPool, match_students
from pipeline.applicants import ApplicantFileError, read_applicants, upsert_applicants
from pipeline.models import Applicant
from pipeline.store import load_applicant_pool, table
from tests.pipeline.test_applicants import GOOD, HEADER

TODAY = date(2026, 11, 20)
NOW = datetime(2026, 11, 20, tzinfo=UTC)


def write_bytes(tmp_path: Path, data: bytes) -> Path:
    path = tmp_path / "applicants.csv"
    path.write_bytes(data)
    return path


def problems_of(path: Path) -> dict[int, str]:
    parsed = read_applicants(path, TODAY)
    return {row["line"]: row["reason"] for row in parsed.problems.iter_rows(named=True)}


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_a_windows_or_latin_1_file_is_read_like_a_transmission(
    tmp_path: Path, encoding: str
) -> None:
    path = write_bytes(tmp_path, (HEADER + GOOD).encode(encoding))
    parsed = read_applicants(path, TODAY)
    assert parsed.problems.is_empty()
    assert parsed.applicants["first_name"].to_list() == ["Émilie"]


def test_a_byte_that_is_not_text_is_refused_with_its_line(tmp_path: Path) -> None:
    data = (HEADER + GOOD + GOOD.replace("2026-1", "2026-2")).encode("utf-8")
    data = data.replace(b"Claire,Gagnon", b"Cl\x81ire,Gagnon", 2).replace(
        b"Cl\x81ire", b"Claire", 1
    )
    with pytest.raises(ApplicantFileError, match=r"applicants.csv:3: byte 0x81 is neither"):
        read_applicants(write_bytes(tmp_path, data), TODAY)


def test_nul_bytes_long_names_and_implausible_birth_dates_are_invalid_rows(
    tmp_path: Path,
) -> None:
    rows = [
        GOOD.replace("Émilie", "Émi\x00lie"),
        GOOD.replace("2026-1,", "2026-2,").replace("Émilie", "A" * 10 * 2**20),
        GOOD.replace("2026-1,", "2026-3,").replace("2008-05-21", "1900-01-01"),
        GOOD.replace("2026-1,", "2026-4,").replace("2008-05-21", "2999-01-01"),
        GOOD.replace("2026-1,", "2026-5,").replace(",F,", ",Female,"),
    ]
    path = write_bytes(tmp_path, (HEADER + "".join(rows)).encode("utf-8"))
    problems = problems_of(path)
    assert problems[2] == "first_name holds a control character"
    assert problems[3] == "first_name is longer than 60 characters (10485760)"
    assert "birth_date '1900-01-01' is not plausible" in problems[4]
    assert "birth_date '2999-01-01' is not plausible" in problems[5]
    assert problems[6] == "gender is longer than 1 characters (6)"


@pytest.mark.parametrize(
    ("header", "said"),
    [
        (HEADER.replace(",", ";"), "separated by ';' where ',' is expected"),
        (HEADER.title(), "must be written in lower case"),
    ],
)
def test_a_header_not_as_expected_says_what_was_found_and_expected(
    tmp_path: Path, header: str, said: str
) -> None:
    path = write_bytes(tmp_path, (header + GOOD).encode("utf-8"))
    with pytest.raises(ApplicantFileError) as caught:
        read_applicants(path, TODAY)
    message = str(caught.value)
    assert said in message
    assert f"found the header {header.strip()!r}" in message
    assert "expected 'application_number,account_number,first_name," in message


def test_one_name_and_an_application_number_are_enough(tmp_path: Path) -> None:
    rows = [
        "2026-1,,Madonna,,,,,,,,false,false\n",  # a first name only
        "2026-2,,,,Sukarno,,,,,,false,false\n",  # a last name only
        "2026-3,,,,,,2008-01-01,345678912,,,false,false\n",  # no name at all
    ]
    path = write_bytes(tmp_path, (HEADER + "".join(rows)).encode("utf-8"))
    parsed = read_applicants(path, TODAY)
    assert parsed.applicants["application_number"].to_list() == ["2026-1", "2026-2"]
    assert parsed.applicants["birth_date"].to_list() == [None, None]
    assert parsed.problems["reason"].to_list() == [
        "first_name and last_name are both blank: at least one name is needed"
    ]


def test_incomplete_applicants_are_stored_and_matched_without_failing(
    engine_migrated: Engine, tmp_path: Path
) -> None:
    rows = [
        "2026-1,,Madonna,,,,,,,,false,false\n",
        "2026-2,,,,Sukarno,,,,,,false,false\n",
        GOOD.replace("2026-1,", "2026-3,"),
    ]
    path = write_bytes(tmp_path, (HEADER + "".join(rows)).encode("utf-8"))
    with engine_migrated.begin() as conn:
        upsert_applicants(conn, read_applicants(path, TODAY).applicants, NOW)
    with engine_migrated.connect() as conn:
        stored = conn.execute(select(table(Applicant)).order_by("application_number")).all()
        pool = load_applicant_pool(conn)
    assert [(row.first_name, row.last_name, row.birth_date) for row in stored[:2]] == [
        ("Madonna", None, None),
        (None, "Sukarno", None),
    ]
    students = pl.DataFrame(
        {
            "student_key": [1, 2, 3],
            "mident": ["885827"] * 3,
            "student_number": ["1", "2", "3"],
            "oen": ["345678912", None, None],
            "surname": ["GAGNON", "SUKARNO", ""],
            "first_name": ["ÉMILIE", "", "MADONNA"],
            "middle_name": [None, None, None],
            "birth_date": [date(2008, 5, 21), None, None],
            "gender": ["F", None, None],
        }
    )
    decisions = match_students(students, pool)
    assert decisions.height == 3
    assert decisions.filter(pl.col("student_key") == 1)["application_number"].to_list() == [
        "2026-3"
    ]
    assert isinstance(pool, ApplicantPool)
