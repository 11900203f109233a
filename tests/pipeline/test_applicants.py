"""`ost applicants import`: validation of rows, all-or-nothing, insert or update."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from pipeline.applicants import ApplicantFileError, read_applicants, upsert_applicants
from pipeline.models import Applicant
from pipeline.store import table

HEADER = (
    "application_number,account_number,first_name,middle_name,last_name,previous_last_name,"
    "birth_date,oen,gender,school_midents,paid,international\n"
)
GOOD = "2026-1,A1,Émilie,Claire,Gagnon,,2008-05-21,345678912,F,885827;871234,true,false\n"


def write(tmp_path: Path, *rows: str) -> Path:
    path = tmp_path / "applicants.csv"
    path.write_text(HEADER + "".join(rows), encoding="utf-8")
    return path


def test_valid_rows_parse(tmp_path: Path) -> None:
    parsed = read_applicants(write(tmp_path, GOOD))
    assert parsed.problems.is_empty()
    row = parsed.applicants.row(0, named=True)
    assert row["first_name"] == "Émilie"
    assert row["previous_last_name"] is None
    assert row["paid"] is True and row["international"] is False
    assert str(row["birth_date"]) == "2008-05-21"


def test_bad_rows_are_reported_with_line_and_reason(tmp_path: Path) -> None:
    rows = [
        GOOD,
        "2026-2,,Bob,,,,2008-13-01,12345,M,885827,maybe,false\n",
        "2026-1,,Dup,,Licate,,2008-01-01,,,,false,false\n",
    ]
    parsed = read_applicants(write(tmp_path, *rows))
    problems = {row["line"]: row["reason"] for row in parsed.problems.iter_rows(named=True)}
    assert set(problems) == {2, 3, 4}
    # Each reason names the value at fault (a blank last name is allowed: one name is enough).
    assert "birth_date '2008-13-01' is not a YYYY-MM-DD date" in problems[3]
    assert "oen '12345' is not nine digits" in problems[3]
    assert "paid 'maybe' is not true/false" in problems[3]
    assert "more than once" in problems[4]


def test_missing_columns_are_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "applicants.csv"
    path.write_text("application_number,first_name\n1,A\n", encoding="utf-8")
    with pytest.raises(ApplicantFileError, match="missing column.*found the header"):
        read_applicants(path)


def test_upsert_inserts_then_updates(engine_migrated: Engine, tmp_path: Path) -> None:
    now = datetime(2026, 11, 20, tzinfo=UTC)
    with engine_migrated.begin() as conn:
        upsert_applicants(conn, read_applicants(write(tmp_path, GOOD)).applicants, now)
    changed = GOOD.replace("Gagnon,,", "Tremblay,Gagnon,")
    with engine_migrated.begin() as conn:
        upsert_applicants(conn, read_applicants(write(tmp_path, changed)).applicants, now)
    with engine_migrated.connect() as conn:
        rows = conn.execute(select(table(Applicant))).all()
    assert len(rows) == 1
    assert (rows[0].last_name, rows[0].previous_last_name) == ("Tremblay", "Gagnon")
    assert rows[0].school_midents == "885827;871234"
