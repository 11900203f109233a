"""Bulk writes keep every value as it was: nulls, empty strings, quotes, times, booleans."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl
from sqlalchemy import Engine, select

from pipeline.models import Applicant, MergeFinding
from pipeline.store import add_transmission, table
from pipeline.store.core import bulk_insert, bulk_update, bulk_upsert

NOW = datetime(2026, 11, 20, 14, 0, 0, 123456, tzinfo=UTC)
AWKWARD = [None, "", r"\N", 'a "quoted", text\nover two lines', "Éloïse Ng-O'Brien"]


def _transmission(engine: Engine) -> int:
    with engine.begin() as conn:
        values = {"file_name": "S1.C1", "sha256": "0" * 64, "size": 1, "received_at": NOW}
        return add_transmission(conn, {**values, "status": "received"})


def test_bulk_insert_keeps_nulls_apart_from_empty_and_odd_text(engine_migrated: Engine) -> None:
    transmission_id = _transmission(engine_migrated)
    rows = pl.DataFrame(
        {
            "transmission_id": [transmission_id] * len(AWKWARD),
            "code": ["G004"] * len(AWKWARD),
            "line": [1, None, 3, 4, 5],
            "value": AWKWARD,
            "created_at": [NOW] * len(AWKWARD),
        }
    )
    findings = table(MergeFinding)
    with engine_migrated.begin() as conn:
        bulk_insert(conn, findings, rows)
    with engine_migrated.connect() as conn:
        stored = conn.execute(
            select(findings.c.line, findings.c.value, findings.c.created_at).order_by(findings.c.id)
        ).all()
    assert [row.value for row in stored] == AWKWARD
    assert [row.line for row in stored] == [1, None, 3, 4, 5]
    assert {row.created_at for row in stored} == {NOW}


def _applicants(names: list[str], paid: list[bool]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "application_number": ["A1", "A2"],
            "first_name": names,
            "last_name": ["Tremblay", ""],
            "middle_name": [None, ""],
            "birth_date": [date(2008, 2, 29), date(2007, 12, 31)],
            "school_midents": ["", "123456"],
            "paid": paid,
            "international": [False, True],
            "updated_at": [NOW, NOW],
        }
    )


def _stored_applicants(engine: Engine) -> list[tuple[object, ...]]:
    applicants = table(Applicant)
    columns = ("application_number", "first_name", "middle_name", "birth_date", "paid")
    with engine.connect() as conn:
        statement = select(*(applicants.c[name] for name in columns)).order_by(
            applicants.c.application_number
        )
        return [tuple(row) for row in conn.execute(statement).all()]


def test_bulk_upsert_and_update_round_trip_dates_and_booleans(engine_migrated: Engine) -> None:
    applicants = table(Applicant)
    with engine_migrated.begin() as conn:
        bulk_upsert(
            conn, applicants, _applicants(["Zoë", "Li"], [True, False]), "application_number"
        )
        bulk_upsert(
            conn, applicants, _applicants(["Zoé", "Li"], [True, True]), "application_number"
        )
        bulk_update(
            conn,
            applicants,
            pl.DataFrame({"application_number": ["A2"], "first_name": ['"Lee"']}),
            key="application_number",
        )
    assert _stored_applicants(engine_migrated) == [
        ("A1", "Zoé", None, date(2008, 2, 29), True),
        ("A2", '"Lee"', "", date(2007, 12, 31), True),
    ]
