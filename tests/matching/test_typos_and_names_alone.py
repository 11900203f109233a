"""A name mistyped past its first letters is still found when nothing else agrees on the person's
OEN or birth date; and a pair resting on the names alone is not held for an operator."""

from __future__ import annotations

import json
from datetime import date

from matching import ApplicantPool, Zones
from matching.explain import compare_pairs
from matching.prepare import prepare_students
from tests.matching.builders import (
    OTHER_SCHOOL,
    applicant,
    applicants_frame,
    decision,
    student,
    students_frame,
)

# The OEN and birth date both typed wrong, the surname mistyped in its last letters.
SHARMA = student(surname="SHARMA", first_name="ISHAAN", middle_name=None, oen="987654321")
SHARM = applicant(
    first_name="Ishaan", last_name="Sharm", middle_name=None, oen="123456782",
    birth_date=date(2006, 7, 11),
)  # fmt: skip


def test_a_surname_mistyped_past_its_first_letters_is_still_a_candidate() -> None:
    pool = ApplicantPool.of(applicants_frame(SHARM))
    pairs, found = pool.candidates(prepare_students(students_frame(SHARMA)))
    assert pairs.height == 1 and found["application_number"].to_list() == ["A1"]
    # Neither the OEN, the birth date nor the names in full meet: only the typo key does.
    assert (
        pool.restricted_to(pool.prepared["a_idx"].head(0))
        .candidates(prepare_students(students_frame(SHARMA)))[0]
        .is_empty()
    )


def test_the_mistyped_student_is_held_for_review_on_its_school() -> None:
    result = decision(SHARMA, SHARM)
    assert (result["status"], result["application_number"]) == ("review", "A1")
    levels = {f["field"]: f["level"] for f in json.loads(result["evidence"])["fields"]}
    assert (levels["surname"], levels["school"]) == ("typo", "agrees")


def test_a_pair_resting_on_the_names_alone_is_pending_not_held_and_says_so() -> None:
    # No OEN, birth date or school on the applicant: only the names agree, with the weight of
    # the review zone.
    names_alone = applicant(oen=None, birth_date=None, school_midents=[], middle_name=None)
    lone = student(oen=None, birth_date=None, middle_name=None)
    [total] = compare_pairs(students_frame(lone), applicants_frame(names_alone))["total"].unique()
    assert Zones().review <= total < Zones().merge
    result = decision(lone, names_alone)
    assert (result["status"], result["codes"]) == ("pending", ["A001"])
    # Its reason names the near miss, which the decision itself does not.
    assert result["application_number"] is None
    assert result["reason"] == (
        f"applicant A1 (evidence weight {total:.1f}): only the names agree, and no OEN, birth "
        "date, school or middle name confirms: not held for review"
    )
    # With the school agreeing (a typo in the first name, another birth date): held.
    typed = applicant(oen=None, middle_name=None, first_name="Robret", birth_date=date(2006, 1, 1))
    assert decision(student(oen=None, middle_name=None), typed)["status"] == "review"
    # The same with another school listed (a namesake there): pending.
    elsewhere = typed | {"school_midents": [OTHER_SCHOOL]}
    assert decision(student(oen=None, middle_name=None), elsewhere)["status"] == "pending"
    # A candidate below the review zone (another birth date, another middle name) is no near
    # miss: none is named.
    other = applicant(
        oen=None, birth_date=date(1990, 11, 20), school_midents=[], middle_name="Paul"
    )
    compared = compare_pairs(students_frame(student(oen=None)), applicants_frame(other))
    [weaker] = compared["total"].unique()
    assert weaker < Zones().review
    far = decision(student(oen=None), other)
    assert (far["status"], far["reason"]) == (
        "pending",
        "no applicant with this OEN, or with this birth date and a compatible name",
    )
