"""docs/matching.md, rule by rule, on hand-built students and applicants."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from tests.matching.builders import (
    OEN,
    OTHER_SCHOOL,
    applicant,
    decision,
    student,
)


@pytest.fixture
def student_robert() -> dict[str, Any]:
    return student()


@pytest.fixture
def student_without_oen() -> dict[str, Any]:
    return student(oen=None)


def test_exact_match_is_clean(student_robert: dict[str, Any]) -> None:
    result = decision(student_robert, applicant())
    assert result["status"] == "matched"
    assert result["application_number"] == "A1"
    assert result["codes"] == []
    assert result["agreed"] == [
        "oen", "birth_date", "surname", "first_name", "middle_name", "school",
    ]  # fmt: skip
    assert result["reason"].startswith("OEN and birth date agree")
    assert result["candidates"] == []
    assert result["score"] == pytest.approx(1.0)


def test_case_and_spacing_are_not_variants(student_robert: dict[str, Any]) -> None:
    result = decision(student_robert, applicant(first_name="  robert ", last_name="SMITH"))
    assert (result["status"], result["codes"]) == ("matched", [])


def test_oen_and_birth_date_match_whatever_the_name(student_robert: dict[str, Any]) -> None:
    result = decision(student_robert, applicant(first_name="Zhihao", last_name="Wong"))
    assert result["status"] == "matched"
    assert result["agreed"] == ["oen", "birth_date", "middle_name", "school"]
    assert "first name ROBERT differs from Zhihao" in result["reason"]


@pytest.mark.parametrize(
    ("typed", "slip"),
    [
        (date(2007, 5, 3), "day and month swapped"),
        (date(2007, 3, 8), "one digit differs"),
        (date(2007, 3, 15), "one digit differs"),
        (date(2070, 3, 5), "two digits transposed"),
    ],
)
def test_oen_and_name_tolerate_a_birth_date_slip(
    student_robert: dict[str, Any], typed: date, slip: str
) -> None:
    result = decision(student_robert, applicant(birth_date=typed))
    assert result["status"] == "matched"
    assert "birth_date" in result["agreed"]
    assert slip in result["reason"]


def test_birth_date_slip_without_oen_is_not_a_match(student_without_oen: dict[str, Any]) -> None:
    """Without the OEN, a slipped birth date weighs against: unconfirmed, it is held."""
    typed = applicant(oen=None, birth_date=date(2007, 5, 3), middle_name=None, school_midents=[])
    result = decision(student_without_oen, typed)
    assert result["status"] == "review"
    assert result["codes"] == ["A009"]
    assert result["application_number"] == "A1"
    assert "below the automatic threshold" in result["reason"]


@pytest.mark.parametrize(
    ("first_name", "middle_name", "kind"),
    [
        ("Bob", None, "nickname"),
        ("Rob", None, "nickname"),
        ("James", None, "middle name"),
        ("James", "Robert", "middle name"),
        ("Robret", None, "typo"),
        ("Robert James", None, "middle name"),
    ],
)
def test_first_name_variants_match_with_a006(
    student_without_oen: dict[str, Any], first_name: str, middle_name: str | None, kind: str
) -> None:
    typed = applicant(oen=None, first_name=first_name, middle_name=middle_name)
    result = decision(student_without_oen, typed)
    assert result["status"] == "matched"
    assert result["codes"] == ["A006"]
    assert f"first name ROBERT ~ {first_name} ({kind})" in result["reason"]


@pytest.mark.parametrize(
    ("legal", "typed", "kind"),
    [
        ("JEAN-FRANÇOIS", "JF", "nickname"),
        ("JEAN-FRANÇOIS", "François", "nickname"),
        ("JEAN-FRANÇOIS", "Francois", "nickname"),
        ("JEAN-PHILIPPE", "Jean-Phil", "nickname"),
        ("JEAN-PHILIPPE", "Philippe", "part of a compound first name"),
        ("MARIE-ÈVE", "Eve", "nickname"),
        ("JOHN PAUL", "JP", "initials of a compound first name"),
        ("KATHERINE", "Kate", "nickname"),
        ("MICHAEL", "Mike", "nickname"),
        ("MOHAMMED", "Muhammad", "nickname"),
        ("ALEXANDRE", "Alex", "nickname"),
        ("DANIEL", "Dan", "nickname"),
        ("MAXIMILIAN", "Max", "nickname"),
        ("GABRIELLA", "Gabri", "short form"),
    ],
)
def test_preferred_first_names(legal: str, typed: str, kind: str) -> None:
    result = decision(student(oen=None, first_name=legal), applicant(oen=None, first_name=typed))
    assert result["status"] == "matched"
    assert f"first name {legal} ~ {typed} ({kind})" in result["reason"]


@pytest.mark.parametrize(
    ("legal", "typed", "previous", "kind"),
    [
        ("GARCIA-LOPEZ", "Lopez", None, "part of a double surname"),
        ("GARCÍA LÓPEZ", "Garcia", None, "part of a double surname"),
        ("DE LA CRUZ", "Cruz", None, "part of a double surname"),
        ("SMITH", "Jones", "Smith", "previous surname"),
        ("SMITH-JONES", "Brown", "Smith", "previous surname"),
        ("THOMPSON", "Thomspon", None, "typo"),
        ("NGUYEN", "Nugyen", None, "spelling variant"),
    ],
)
def test_surname_variants_match_with_a006(
    legal: str, typed: str, previous: str | None, kind: str
) -> None:
    typed_row = applicant(oen=None, last_name=typed, previous_last_name=previous)
    result = decision(student(oen=None, surname=legal), typed_row)
    assert result["status"] == "matched"
    assert result["codes"] == ["A006"]
    assert f"({kind})" in result["reason"]


def test_dropped_accents_match_with_a006() -> None:
    school_sends = student(oen=None, surname="CÔTÉ", first_name="ÉMILIE", middle_name=None)
    typed = applicant(oen=None, last_name="Cote", first_name="Emilie", middle_name=None)
    result = decision(school_sends, typed)
    assert result["status"] == "matched"
    assert result["codes"] == ["A006"]
    assert "first name ÉMILIE ~ Emilie (accents)" in result["reason"]
    assert "surname CÔTÉ ~ Cote (accents)" in result["reason"]


def test_apostrophes_and_hyphens_are_ignored() -> None:
    school_sends = student(oen=None, surname="O'NEIL", first_name="MARIE-CLAIRE")
    typed = applicant(oen=None, last_name="Oneil", first_name="Marie Claire")
    assert decision(school_sends, typed)["codes"] == []


@pytest.mark.parametrize("declared", ["123456783", "987654321"])
def test_differing_oens_merge_with_a004(student_robert: dict[str, Any], declared: str) -> None:
    result = decision(student_robert, applicant(oen=declared))
    assert result["status"] == "matched"
    assert result["codes"] == ["A004"]
    assert "oen" not in result["agreed"]
    assert f"applicant declared OEN {declared}, the school reported {OEN}" in result["reason"]


def test_name_and_birth_date_need_a_confirmation(student_without_oen: dict[str, Any]) -> None:
    """A namesake born the same day at another school is held, not merged."""
    namesake = applicant(oen=None, middle_name=None, school_midents=[OTHER_SCHOOL])
    result = decision(student_without_oen, namesake)
    assert result["status"] == "review"
    assert result["codes"] == ["A009"]
    assert result["agreed"] == ["birth_date", "surname", "first_name"]
    assert "school differs -" in result["reason"]


def test_same_middle_name_confirms(student_without_oen: dict[str, Any]) -> None:
    typed = applicant(oen=None, school_midents=[])
    result = decision(student_without_oen, typed)
    assert result["status"] == "matched"
    assert "middle name confirms" in result["reason"]


def test_oen_of_someone_else_is_not_merged(student_robert: dict[str, Any]) -> None:
    sibling = applicant(
        first_name="Priya", middle_name=None, last_name="Sharma", birth_date=date(2005, 1, 9)
    )
    result = decision(student_robert, sibling)
    assert result["status"] == "not_merged"
    assert result["codes"] == ["A003"]
    assert result["application_number"] == "A1"
    assert result["agreed"] == ["oen", "school"]


def test_sibling_who_typed_the_students_oen_is_not_merged(student_robert: dict[str, Any]) -> None:
    """Same surname, another first name, a birthday two years and one digit away."""
    sibling = applicant(first_name="Emily", middle_name=None, birth_date=date(2009, 3, 5))
    assert decision(student_robert, sibling)["status"] == "not_merged"


def test_own_application_wins_over_a_sibling_holding_the_oen(
    student_robert: dict[str, Any],
) -> None:
    sibling = applicant("SIB", first_name="Emily", middle_name=None, birth_date=date(2009, 1, 2))
    own = applicant("OWN", oen=None)
    result = decision(student_robert, sibling, own)
    assert (result["status"], result["application_number"]) == ("matched", "OWN")


def test_equal_candidates_are_ambiguous(student_without_oen: dict[str, Any]) -> None:
    result = decision(student_without_oen, applicant("A1", oen=None), applicant("A2", oen=None))
    assert result["status"] == "ambiguous"
    assert result["codes"] == ["A002"]
    assert result["application_number"] is None
    assert sorted(result["candidates"]) == ["A1", "A2"]
    assert "2 applicants match equally" in result["reason"]


def test_oen_beats_a_namesake(student_robert: dict[str, Any]) -> None:
    namesake = applicant("NAMESAKE", oen=None, school_midents=[OTHER_SCHOOL])
    result = decision(student_robert, namesake, applicant("OWN", first_name="Bob"))
    assert (result["status"], result["application_number"]) == ("matched", "OWN")


def test_international_applicant_is_not_merged(student_robert: dict[str, Any]) -> None:
    result = decision(student_robert, applicant(international=True))
    assert result["status"] == "international"
    assert result["codes"] == ["A005"]
    assert result["application_number"] == "A1"
    assert "international applicant" in result["reason"]


def test_no_applicant_is_pending(student_robert: dict[str, Any]) -> None:
    stranger = applicant(
        oen="555555555", first_name="Ava", last_name="Li", birth_date=date(2008, 1, 1)
    )
    result = decision(student_robert, stranger)
    assert result["status"] == "pending"
    assert result["codes"] == ["A001"]
    assert result["agreed"] == []
    assert result["score"] == 0.0


@pytest.mark.parametrize("oen", ["000000000", "", None])
def test_unreported_oen_matches_no_one(oen: str | None) -> None:
    """No OEN is no agreeing OEN: another first name is held at most, never an A003."""
    result = decision(student(oen=oen, first_name="ZOE"), applicant(oen=oen))
    assert result["status"] == "review"
    assert "A003" not in result["codes"]
    assert "oen missing" in result["reason"]


def test_reason_names_both_sides_of_a_variant() -> None:
    result = decision(student(first_name="ROBERT"), applicant(first_name="Bob"))
    assert result["reason"].startswith(
        "OEN and birth date agree; first name ROBERT ~ Bob (nickname); evidence weight "
    )
    assert "first name variant +" in result["reason"]
