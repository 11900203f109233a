"""Harder labelled sets: the errors real applications carry, beyond those of `linkage_data`.

On top of `bench.linkage_data`, each true applicant may carry, at rates aimed at what an
application service sees: a birth date typed wrong entirely (its OEN kept), an OEN and a birth
date both wrong, the surname and first name swapped between the two fields, two typing errors
in a name, and a blank first name, last name, birth date or OEN. Every applicant, linked or
not, may miss the same fields (people with one name, incomplete records), and a few students
miss their OEN or birth date. Two kinds of error that the matcher has no rule for are added too,
so that the evaluation can catch rules fitted to the generator: letters confused as an OCR
scan confuses them (O/Q, I/L, M/N, U/V, C/G, E/F) and names cut short (a field too narrow).
"""

from __future__ import annotations

import datetime as dt
import random

import polars as pl

from bench.linkage_data import LinkageSet, generate_linkage_set, typo
from matching.schema import APPLICANTS_SCHEMA, STUDENTS_SCHEMA

# Per true applicant.
BIRTH_DATE_WRONG = 0.015
OEN_AND_BIRTH_DATE_WRONG = 0.004
NAMES_SWAPPED = 0.005
TWO_TYPOS = 0.01
# Per applicant, linked or not.
FIRST_NAME_BLANK = 0.02
LAST_NAME_BLANK = 0.01
BIRTH_DATE_BLANK = 0.02
# Per student.
STUDENT_BIRTH_DATE_BLANK = 0.003
# Kinds no rule is designed around, per true applicant.
OCR_CONFUSION = 0.007
TRUNCATED = 0.007
TRUNCATED_LENGTH = (5, 8)

_OCR = {"O": "Q", "Q": "O", "I": "L", "L": "I", "M": "N", "N": "M", "U": "V", "V": "U"}
_OCR |= {"C": "G", "G": "C", "E": "F", "F": "E"}


def _ocr(rng: random.Random, text: str) -> str:
    spots = [i for i, c in enumerate(text) if c.upper() in _OCR]
    if not spots:
        return text
    i = rng.choice(spots)
    swapped = _OCR[text[i].upper()]
    return text[:i] + (swapped if text[i].isupper() else swapped.lower()) + text[i + 1 :]


def _other_date(rng: random.Random, born: dt.date) -> dt.date:
    """Another date near the cohort's (another person's birthday typed by mistake)."""
    return born + dt.timedelta(days=rng.choice([-1, 1]) * rng.randrange(30, 900))


def _other_oen(rng: random.Random, oen: str | None) -> str | None:
    return None if oen is None else f"{rng.randrange(10**8, 10**9)}"


def _name_field(rng: random.Random, row: dict[str, object]) -> str:
    return rng.choice(["first_name", "last_name"])


def _true_errors(rng: random.Random, row: dict[str, object]) -> None:
    """The errors of a true applicant, in place."""
    born = row["birth_date"]
    if isinstance(born, dt.date):
        draw = rng.random()
        if draw < BIRTH_DATE_WRONG:
            row["birth_date"] = _other_date(rng, born)
        elif draw < BIRTH_DATE_WRONG + OEN_AND_BIRTH_DATE_WRONG:
            row["birth_date"] = _other_date(rng, born)
            row["oen"] = _other_oen(rng, row["oen"])  # type: ignore[arg-type]
    if rng.random() < NAMES_SWAPPED:
        row["first_name"], row["last_name"] = row["last_name"], row["first_name"]
    for chance, change in ((TWO_TYPOS, "typos"), (OCR_CONFUSION, "ocr"), (TRUNCATED, "cut")):
        if rng.random() >= chance:
            continue
        field = _name_field(rng, row)
        value = row[field]
        if not isinstance(value, str) or not value:
            continue
        if change == "typos":
            row[field] = typo(rng, typo(rng, value))
        elif change == "ocr":
            row[field] = _ocr(rng, value)
        else:
            row[field] = value[: rng.randint(*TRUNCATED_LENGTH)]


def _blanks(rng: random.Random, row: dict[str, object]) -> None:
    """Fields missing from an applicant, in place (never both names)."""
    draw = rng.random()
    if draw < FIRST_NAME_BLANK:
        row["first_name"] = None
    elif draw < FIRST_NAME_BLANK + LAST_NAME_BLANK:
        row["last_name"] = None
    if rng.random() < BIRTH_DATE_BLANK:
        row["birth_date"] = None


def harden(linkage: LinkageSet, seed: int) -> LinkageSet:
    """The set with the errors above added (seeded, independently of the base set's seed)."""
    rng = random.Random(seed * 7919 + 17)
    true = set(linkage.truth["true_application_number"].drop_nulls().to_list())
    applicants = linkage.applicants.to_dicts()
    for row in applicants:
        if row["application_number"] in true:
            _true_errors(rng, row)
        _blanks(rng, row)
    students = linkage.students.to_dicts()
    for student in students:
        if rng.random() < STUDENT_BIRTH_DATE_BLANK:
            student["birth_date"] = None
    return LinkageSet(
        students=pl.DataFrame(students, schema=STUDENTS_SCHEMA, orient="row"),
        applicants=pl.DataFrame(applicants, schema=APPLICANTS_SCHEMA, orient="row"),
        truth=linkage.truth,
    )


def hard_linkage_set(n_students: int, seed: int) -> LinkageSet:
    """`generate_linkage_set`, then `harden`, with the same seed."""
    return harden(generate_linkage_set(n_students, seed), seed)
