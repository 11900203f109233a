"""Weighted evidence: zones, accounts, incomplete applicants, swapped names, evidence kept."""

from __future__ import annotations

import json
from datetime import date

import polars as pl
import pytest

from matching import APPLICANTS_SCHEMA, STUDENTS_SCHEMA, Zones, match_students
from matching.schema import ACCOUNT_SCHEMA
from matching.weights import default_weights
from tests.matching.builders import applicant, decision, student


def with_accounts(*rows: dict[str, object]) -> pl.DataFrame:
    schema = {**APPLICANTS_SCHEMA, **ACCOUNT_SCHEMA}
    return pl.DataFrame(list(rows), schema=schema, orient="row")


def test_the_weights_are_data_with_every_field_level() -> None:
    weights = default_weights()
    assert set(weights["field"]) == {
        "oen", "birth_date", "surname", "first_name", "middle_name", "school"
    }  # fmt: skip
    levels = dict(zip(weights["field"] + ":" + weights["level"], weights["weight"], strict=True))
    assert levels["oen:equal"] > levels["oen:missing"] > levels["oen:different"]
    assert levels["birth_date:equal"] > 0 > levels["birth_date:different"]
    assert levels["surname:exact"] > levels["surname:typo"] > 0 > levels["surname:different"]


def test_a_decision_keeps_its_evidence_field_by_field_and_the_candidates_beaten() -> None:
    sibling = applicant("SIB", first_name="Emily", middle_name=None, oen=None)  # a twin
    result = decision(student(), applicant(), sibling)
    assert result["status"] == "matched"
    evidence = json.loads(result["evidence"])
    fields = {f["field"]: f for f in evidence["fields"]}
    assert fields["oen"]["level"] == "equal" and fields["oen"]["weight"] > 10
    assert sum(f["weight"] for f in evidence["fields"]) == pytest.approx(result["weight"], abs=0.05)
    assert [b["application_number"] for b in evidence["beaten"]] == ["SIB"]
    assert evidence["beaten"][0]["weight"] < result["weight"]


def test_the_zones_decide() -> None:
    one = [student()]
    frame = pl.DataFrame(one, schema=STUDENTS_SCHEMA, orient="row")
    applicants = pl.DataFrame([applicant()], schema=APPLICANTS_SCHEMA, orient="row")
    merged = match_students(frame, applicants)["status"].to_list()
    held = match_students(frame, applicants, zones=Zones(merge=500.0))["status"].to_list()
    dropped = match_students(frame, applicants, zones=Zones(merge=600, review=500))
    assert (merged, held, dropped["status"].to_list()) == (["matched"], ["review"], ["pending"])
    assert dropped["codes"].to_list() == [["A001"]]


def test_names_swapped_between_the_fields_still_match() -> None:
    swapped = applicant(first_name="Smith", last_name="Robert", oen=None)
    result = decision(student(), swapped)
    assert result["status"] == "matched"
    assert {"field": "surname", "level": "swapped"} in [
        {k: f[k] for k in ("field", "level")} for f in json.loads(result["evidence"])["fields"]
    ]


def test_an_applicant_with_one_name_and_no_birth_date_is_matched_on_what_it_has() -> None:
    one_name = applicant(first_name=None, middle_name=None, birth_date=None)
    result = decision(student(), one_name)
    assert (result["status"], result["application_number"]) == ("matched", "A1")
    levels = {f["field"]: f["level"] for f in json.loads(result["evidence"])["fields"]}
    assert (levels["first_name"], levels["birth_date"]) == ("missing", "missing")


def test_an_oen_one_digit_off_is_found_without_the_birth_date() -> None:
    typed = applicant(oen="123456728", birth_date=date(2007, 5, 3))  # 82 -> 28, 03-05 -> 05-03
    result = decision(student(), typed)
    assert result["status"] == "matched"
    assert "A004" in result["codes"]


def test_applications_of_one_account_are_one_person_and_the_paid_one_gets_the_grades() -> None:
    rows = [
        applicant("2026-1", account_number="ACC", paid=False),
        applicant("2026-2", account_number="ACC", paid=True),
        applicant("2026-3", account_number="ACC", paid=False),
    ]
    students = pl.DataFrame([student()], schema=STUDENTS_SCHEMA, orient="row")
    [result] = match_students(students, with_accounts(*rows)).to_dicts()
    assert (result["status"], result["application_number"]) == ("matched", "2026-2")
    none_paid = [{**row, "paid": False} for row in rows]
    [latest] = match_students(students, with_accounts(*none_paid)).to_dicts()
    assert (latest["status"], latest["application_number"]) == ("matched", "2026-3")
    separate = [{**row, "account_number": None} for row in rows]
    [tied] = match_students(students, with_accounts(*separate)).to_dicts()
    assert tied["status"] == "ambiguous" and tied["codes"] == ["A002"]


def test_rejected_pairs_are_never_proposed() -> None:
    students = pl.DataFrame([student()], schema=STUDENTS_SCHEMA, orient="row")
    applicants = pl.DataFrame([applicant()], schema=APPLICANTS_SCHEMA, orient="row")
    excluded = pl.DataFrame({"student_key": [1], "application_number": ["A1"]})
    [result] = match_students(students, applicants, excluded=excluded).to_dicts()
    assert (result["status"], result["application_number"]) == ("pending", None)
