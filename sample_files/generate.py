"""Writes the sample transmissions and applicants of sample_files/ (see README.md there).

    python -m sample_files.generate

Deterministic: a seeded random generator and fixed dates, so running it again rewrites the same
bytes. Students and courses are small tables at the top; functions below turn them into records
and `parsers.writer.format_file` writes them in the OST layout.
"""

from __future__ import annotations

import copy
import csv
import io
import random
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

from parsers.writer import format_file

HERE = Path(__file__).parent
COURSE_TABLE = HERE.parent / "rules" / "data" / "course_codes.csv"
SEED = 20261115
UTF8_BOM = b"\xef\xbb\xbf"

Record = tuple[str, dict[str, str]]

# --- schools -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class School:
    mident: str
    transmission_number: str
    creation_date: str
    creation_time: str
    contact_name: str
    contact_phone: str
    contact_email: str
    postal_prefixes: tuple[str, ...]
    area_code: str
    student_prefix: str


TORONTO = School(
    "885827", "1", "20261115", "093000", "Guidance Office", "4165550100",
    "guidance@eastend-ss.example.ca", ("M4C", "M4E", "M4J", "M4L"), "416", "3008",
)  # fmt: skip
OTTAWA = School(
    "871234", "1", "20261116", "140500", "Student Services - R. Leblanc", "6135550142",
    "records@rideau-ci.example.ca", ("K1S", "K2P", "K1N"), "613", "5527",
)  # fmt: skip
SUDBURY = School(
    "880012", "2", "20261114", "161500", "Bureau d'orientation", "7055550177",
    "orientation@esc-sudbury.example.ca", ("P3A", "P3B", "P3E"), "705", "9120",
)  # fmt: skip

# Other schools that appear on grade records.
VIRTUAL_SCHOOL = "880999"  # the board's virtual secondary school: online courses
CONTINUING_EDUCATION = "884455"  # night and summer school of the board

# --- students: surname, first name, middle name, gender ----------------------------------------

TORONTO_STUDENTS = [
    ("GAGNON-BÉLANGER", "ÉMILIE", "CLAIRE", "F"),
    ("O'NEIL", "ROBERT", "JAMES", "M"),
    ("TREMBLAY ROY", "FRANÇOIS", "", "M"),
    ("LAFLEUR", "HÉLÈNE", "MARIE", "F"),
    ("NGUYEN", "MINH ANH", "", "F"),
    ("PATEL", "ARJUN", "", "M"),
    ("SINGH", "HARPREET", "KAUR", "F"),
    ("MACDONALD", "KATHERINE", "ANNE", "F"),
    ("DA SILVA", "MATEUS", "", "M"),
    ("CHEN", "WEI", "", "M"),
    ("ABDI", "HODAN", "", "F"),
    ("ROSSI", "GIULIA", "", "F"),
    ("KOWALSKI", "NATALIA", "EWA", "F"),
    ("SMITH-JONES", "WILLIAM", "HENRY", "M"),
    ("DUBOIS", "CAMILLE", "", "F"),
    ("OKAFOR", "CHIDERA", "GRACE", "F"),
    ("HASSAN", "OMAR", "", "M"),
    ("FERREIRA", "BEATRIZ", "", "F"),
    ("WILLIAMS", "JAYDEN", "", "M"),
    ("BOUCHARD", "ZOÉ", "", "F"),
    ("KIM", "JI-HOON", "", "M"),
    ("D'AMICO", "LUCA", "", "M"),
    ("THOMPSON", "ALEXANDER", "", "M"),
    ("CÔTÉ", "SIMON", "", "M"),
    ("AHMED", "FATIMA", "", "F"),
    ("MARTIN", "CHLOÉ", "", "F"),
    ("GARCIA LOPEZ", "DIEGO", "", "M"),
    ("BROWN", "OLIVIA", "", "F"),
    ("LEE", "SARAH", "", "F"),
    ("ST-PIERRE", "MATHIS", "", "M"),
    ("MOHAMMED", "YUSUF", "", "M"),
    ("O'BRIEN", "SIOBHAN", "", "F"),
    ("WONG", "ETHAN", "", "M"),
    ("ANDERSON", "EMMA", "", "F"),
    ("PELLETIER", "NOÉMIE", "", "F"),
    ("SANTOS", "GABRIEL", "", "M"),
    ("MCKENZIE", "LIAM", "", "M"),
    ("BEAUDOIN-LÉVESQUE", "ÉLODIE", "", "F"),
    ("JOSEPH", "SAMUEL", "", "M"),
    ("RIVERA", "RIVER", "", "X"),
]

OTTAWA_STUDENTS = [
    ("LEBLANC", "MARIE-ÈVE", "", "F"),
    ("FRASER", "JENNIFER", "LYNN", "F"),
    ("DESJARDINS", "ANTOINE", "", "M"),
    ("MCGUIRE", "ELIZABETH", "", "F"),
    ("HAMEL-GIROUX", "JÉRÉMIE", "", "M"),
    ("ALI", "ZARA", "", "F"),
    ("BERGERON", "MICHAEL", "", "M"),
    ("PAQUETTE", "ANAÏS", "", "F"),
    ("CAMPBELL", "NOAH", "", "M"),
    ("TRAN", "BAO", "", "M"),
    ("ROY", "GENEVIÈVE", "", "F"),
    ("O'CONNOR", "PATRICK", "", "M"),
    ("YOUSSEF", "LAYLA", "", "F"),
    ("LAROCHE", "THÉO", "", "M"),
]

SUDBURY_STUDENTS = [
    ("LACROIX", "JULIEN", "", "M"),
    ("BÉLANGER", "SOPHIE", "", "F"),
    ("CHARTRAND", "ÉTIENNE", "", "M"),
    ("GAUTHIER", "ROSALIE", "", "F"),
    ("MCLEOD", "DYLAN", "", "M"),
    ("NOLIN", "ANNABELLE", "", "F"),
    ("SIMARD", "OLIVIER", "", "M"),
]

FRENCH_FIRST_NAMES = {
    "ÉMILIE", "FRANÇOIS", "HÉLÈNE", "CAMILLE", "ZOÉ", "SIMON", "CHLOÉ", "MATHIS", "NOÉMIE",
    "ÉLODIE", "MARIE-ÈVE", "ANTOINE", "JÉRÉMIE", "ANAÏS", "GENEVIÈVE", "THÉO", "JULIEN",
    "SOPHIE", "ÉTIENNE", "ROSALIE", "ANNABELLE", "OLIVIER",
}  # fmt: skip
OTHER_LANGUAGE_FIRST_NAMES = {"MINH ANH", "WEI", "JI-HOON", "BEATRIZ", "DIEGO", "BAO", "ZARA"}

# --- courses -----------------------------------------------------------------------------------
# Grade 11 and 12 courses by pathway; grades 9 and 10 are a short common history.

GRADE_11 = {
    "university": ["ENG3U", "MCR3U", "SBI3U", "SCH3U", "SPH3U", "CHA3U", "FSF3U", "ICS3U", "NBE3U"],
    "college": ["ENG3C", "MBF3C", "SBI3C", "MCF3M", "TCJ3C", "HSP3C", "BMI3C", "CHW3M"],
}
GRADE_12 = {
    "university": [
        "ENG4U", "MHF4U", "MCV4U", "MDM4U", "SBI4U", "SCH4U", "SPH4U", "CHY4U", "CGW4U",
        "HSB4U", "HZT4U", "ICS4U", "BOH4M", "AMU4M", "AVI4M", "FSF4U", "CIA4U", "EWC4U", "LWSCU",
    ],
    "college": [
        "ENG4C", "MAP4C", "MCT4C", "SCH4C", "HHS4C", "BDV4C", "TCJ4C", "HPD4C", "HFA4C",
        "TTJ4C", "TMJ4C", "PPL4O", "HRE4M", "TGJ4M",
    ],
}  # fmt: skip
GRADE_10_HISTORY = {"university": "CHC2D", "college": "CHC2P"}
CO_OP_COURSES = {"university": "TEJ4M", "college": "HPD4C"}
FRENCH_COURSES = ("FSF", "FEF", "FIF", "FRA")
# docs/format.md: the completion month of each term, relative to the creation month 202611.
TERMS = {
    "grade 9": "202306",
    "grade 10": "202406",
    "grade 11": "202506",
    "winter 2026": "202601",
    "spring 2026": "202606",
    "summer 2026": "202607",
    "fall 2026": "202701",
    "spring 2027": "202706",
}


@dataclass
class Course:
    code: str
    completion_date: str
    grade_type: str
    mark: str = ""
    credit_value: str = "0100"
    delivery_type: str = "D"
    course_type: str = "R"
    course_mident: str = "000000"
    language: str = "E"
    notes: str = ""
    supplier_mident: str = ""
    course_status: str = ""


@dataclass
class Student:
    school: School
    student_number: str
    surname: str
    first_name: str
    middle_name: str
    gender: str
    birth_date: str
    oen: str
    postal_code: str
    phone: str
    citizenship: str = "CAN"
    first_language: str = "E"
    community_involvement: str = "1"
    literacy_requirement: str = "1"
    grad_status: str = "N"
    ossd_issue_date: str = ""
    shsm_sector: str = ""
    pathway: str = "university"
    courses: list[Course] = field(default_factory=list)


def load_course_titles() -> dict[str, str]:
    """Titles of the packaged course-code table: every code used here must be in it."""
    with COURSE_TABLE.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["title"] for row in csv.DictReader(handle)}


# --- building students -------------------------------------------------------------------------


def postal_code(rng: random.Random, school: School) -> str:
    """A Canada Post code in one of the school's areas (no D, F, I, O, Q or U)."""
    local = f"{rng.randint(1, 9)}{rng.choice('ABCEGHJKLMNPRSTVWXYZ')}{rng.randint(0, 9)}"
    return rng.choice(school.postal_prefixes) + local


def new_student(
    rng: random.Random, school: School, index: int, name: tuple[str, str, str, str]
) -> Student:
    surname, first_name, middle_name, gender = name
    graduate = index % 8 == 2  # back for a fifth year after the OSSD
    year = "2007" if graduate else "2008"
    language = "F" if first_name in FRENCH_FIRST_NAMES else "E"
    return Student(
        school=school,
        student_number=f"{school.student_prefix}{100 + index * 7:05d}",
        surname=surname,
        first_name=first_name,
        middle_name=middle_name,
        gender=gender,
        birth_date=f"{year}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}",
        # docs/format.md: 000000000 = OEN not reported (some students' records lack it).
        oen="000000000" if index % 11 == 7 else f"{rng.randint(100_000_000, 999_999_999)}",
        postal_code=postal_code(rng, school),
        phone="" if index % 6 == 5 else f"{school.area_code}555{rng.randint(1000, 9999)}",
        first_language="O" if first_name in OTHER_LANGUAGE_FIRST_NAMES else language,
        community_involvement="1" if graduate or index % 3 else "2",
        literacy_requirement="1" if graduate or index % 5 else "2",
        grad_status="G" if graduate else "N",
        ossd_issue_date="20260626" if graduate else "",
        pathway="college" if index % 3 == 1 else "university",
    )


def final(rng: random.Random, code: str, term: str, **extra: str) -> Course:
    """A completed course: grade type F with a mark."""
    return Course(code, TERMS[term], "F", f"{rng.randint(58, 97):03d}", **extra)


def in_progress(rng: random.Random, code: str, term: str, midterm: bool) -> Course:
    """A course not finished: midterm (M) with a mark, current (C) or projected (P) without."""
    if term == "spring 2027":
        return Course(code, TERMS[term], "P")
    if midterm:
        return Course(code, TERMS[term], "M", f"{rng.randint(62, 95):03d}")
    return Course(code, TERMS[term], "C")


def early_history(rng: random.Random, student: Student) -> list[Course]:
    """Grades 9 and 10: a few of the compulsory courses."""
    history = [
        final(rng, GRADE_10_HISTORY[student.pathway], "grade 10"),
        final(rng, "CHV2O", "grade 10", credit_value="0050"),
    ]
    if rng.random() < 0.5:
        history.append(final(rng, "GLC2O", "grade 10", credit_value="0050"))
    if rng.random() < 0.3:
        history.append(final(rng, "CGC1D", "grade 9"))
    return history


def senior_courses(rng: random.Random, student: Student) -> list[Course]:
    """About eight grade 11 and 12 courses, finished, under way and planned."""
    # English is compulsory every year: always the first course of each grade.
    english_11, *other_11 = GRADE_11[student.pathway]
    english_12, *other_12 = GRADE_12[student.pathway]
    grade_11 = [english_11, *rng.sample(other_11, 2)]
    grade_12 = [english_12, *rng.sample(other_12, 4)]
    courses = [final(rng, code, "grade 11") for code in grade_11]
    midterm = rng.random() < 0.5
    if student.grad_status == "G":
        courses += [final(rng, code, "spring 2026") for code in grade_12[:4]]
        courses += [in_progress(rng, code, "fall 2026", midterm) for code in grade_12[4:]]
    else:
        courses.append(final(rng, grade_12[0], "winter 2026"))
        courses += [in_progress(rng, code, "fall 2026", midterm) for code in grade_12[1:4]]
        courses += [in_progress(rng, code, "spring 2027", midterm) for code in grade_12[4:]]
    return courses


def courses_in_french(courses: Iterable[Course]) -> None:
    """French-language courses (FSF, FEF, FIF, FRA) are taught in French."""
    for course in courses:
        if course.code.startswith(FRENCH_COURSES):
            course.language = "F"


def build_students(
    rng: random.Random, school: School, names: list[tuple[str, str, str, str]]
) -> list[Student]:
    students = []
    for index, name in enumerate(names):
        student = new_student(rng, school, index, name)
        student.courses = early_history(rng, student) + senior_courses(rng, student)
        courses_in_french(student.courses)
        students.append(student)
    return students


# --- what makes the Toronto file varied (every one of them still valid) -------------------------


def co_op(rng: random.Random, student: Student) -> None:
    """A two-credit external co-op placement: course type E, note C."""
    code = CO_OP_COURSES[student.pathway]
    if any(course.code == code for course in student.courses):
        return
    student.courses.append(
        Course(code, TERMS["spring 2027"], "P", credit_value="0200", course_type="E", notes="C")
    )


def online(rng: random.Random, student: Student) -> None:
    """One grade 12 course taken online from the virtual school."""
    course = student.courses[-1]
    course.delivery_type, course.supplier_mident = "O", VIRTUAL_SCHOOL


def night_school(rng: random.Random, student: Student) -> None:
    """One finished course taken at night at the continuing-education centre."""
    course = next(c for c in student.courses if c.completion_date == TERMS["winter 2026"])
    course.delivery_type, course.course_mident = "N", CONTINUING_EDUCATION


def summer_school(rng: random.Random, student: Student) -> None:
    code = "MHF4U" if student.pathway == "university" else "MAP4C"
    if any(course.code == code for course in student.courses):
        code = "OLC4O"
    student.courses.append(
        final(rng, code, "summer 2026", delivery_type="S", course_mident=CONTINUING_EDUCATION)
    )


def newcomer(rng: random.Random, student: Student) -> None:
    """Arrived from France in grade 11: grade 10 credits granted by equivalency (EQV)."""
    student.citizenship, student.first_language = "FRA", "F"
    for course in student.courses:
        if course.completion_date == TERMS["grade 10"]:
            course.mark = "EQV"


def immersion(rng: random.Random, student: Student) -> None:
    """Grade 10 history taken in French immersion: note F, language F."""
    for course in student.courses:
        if course.code.startswith("CHC2"):
            course.notes, course.language = "F", "F"


def specialist_major(rng: random.Random, student: Student) -> None:
    """Specialist High Skills Major in ICT: the sector on the S1, note S on a course."""
    student.shsm_sector = "ICT"
    student.courses.append(final(rng, "TEJ3M", "grade 11", notes="S"))


def compulsory_substitution(rng: random.Random, student: Student) -> None:
    student.courses[2].notes = "K"


def local_sixth_character(rng: random.Random, student: Student) -> None:
    """The school's own section letter after the Ministry code, e.g. ENG4UA."""
    course = next(c for c in student.courses if c.code.startswith("ENG4"))
    course.code += "A"


def studies_abroad(rng: random.Random, student: Student) -> None:
    """An international student on a study permit."""
    student.citizenship, student.first_language = "CHN", "O"


def credit_recognition(rng: random.Random, student: Student) -> None:
    """A grade 11 credit granted through prior-learning assessment (note R)."""
    student.courses[-7].notes = "R"


TORONTO_VARIETY: dict[int, Callable[[random.Random, Student], None]] = {
    0: local_sixth_character,
    1: co_op,
    3: immersion,
    5: online,
    6: specialist_major,
    8: night_school,
    9: studies_abroad,
    11: summer_school,
    12: credit_recognition,
    13: co_op,
    14: newcomer,
    17: online,
    19: immersion,
    20: specialist_major,
    21: compulsory_substitution,
    22: night_school,
    24: co_op,
    27: summer_school,
    30: online,
    33: local_sixth_character,
    37: immersion,
}


def toronto_students(rng: random.Random) -> list[Student]:
    students = build_students(rng, TORONTO, TORONTO_STUDENTS)
    for index, vary in TORONTO_VARIETY.items():
        vary(rng, students[index])
    return students


# --- records -----------------------------------------------------------------------------------


def header_record(school: School) -> Record:
    return "T1", {
        "mident": school.mident,
        "centre": "C",
        "transmission_number": school.transmission_number,
        "creation_date": school.creation_date,
        "creation_time": school.creation_time,
        "contact_name": school.contact_name,
        "contact_phone": school.contact_phone,
        "contact_email": school.contact_email,
        "layout_version": "2026",
    }


def student_record(student: Student) -> Record:
    names = (
        "student_number", "oen", "surname", "first_name", "middle_name", "birth_date", "gender",
        "postal_code", "phone", "citizenship", "first_language", "community_involvement",
        "literacy_requirement", "grad_status", "ossd_issue_date", "shsm_sector",
    )  # fmt: skip
    values = {name: getattr(student, name) for name in names}
    return "S1", {"mident": student.school.mident, "home_school": "Y", **values}


def grade_record(student: Student, course: Course, titles: dict[str, str]) -> Record:
    values = {name: getattr(course, name) for name in Course.__dataclass_fields__}
    values.pop("code")
    return "G1", {
        "mident": student.school.mident,
        "student_number": student.student_number,
        "course_code": course.code,
        "course_title": titles[course.code[:5]],
        **values,
    }


def trailer_record(school: School, records: list[Record]) -> Record:
    kinds = [kind for kind, _ in records]
    return "B1", {
        "mident": school.mident,
        "student_count": str(kinds.count("S1")),
        "grade_count": str(kinds.count("G1")),
        "record_count": str(len(records) + 1),
    }


def transmission(school: School, students: list[Student], titles: dict[str, str]) -> list[Record]:
    """Header, each student followed by their courses, and a trailer that agrees."""
    records = [header_record(school)]
    for student in students:
        records.append(student_record(student))
        records += [grade_record(student, course, titles) for course in student.courses]
    return [*records, trailer_record(school, records)]


def trimmed(text: str, newline: str) -> str:
    """Trailing blanks removed from every line, as many schools' tools write them."""
    return "".join(line.rstrip(" ") + newline for line in text.splitlines())


# --- the Ottawa file: a dozen problems, so it is partially processed ---------------------------


def grade_11(student: Student, nth: int) -> Course:
    """The student's `nth` grade 11 course (0 is English)."""
    return [c for c in student.courses if c.completion_date == TERMS["grade 11"]][nth]


def planned(student: Student) -> Course:
    return next(c for c in student.courses if c.completion_date == TERMS["spring 2027"])


def current(student: Student) -> Course:
    return next(c for c in student.courses if c.completion_date == TERMS["fall 2026"])


def ottawa_problems(students: list[Student]) -> None:
    """One or two slips per student, each one a glossary code (listed in README.md)."""
    # G001: a course code typed with a wrong last letter.
    mistyped = grade_11(students[0], 1)
    mistyped.code = mistyped.code[:4] + "X"
    # G004: the letter O typed for a zero.
    grade_11(students[1], 2).mark = "8O"
    # G005: a final grade whose mark was never entered.
    grade_11(students[2], 0).mark = ""
    # G015: the same course sent twice.
    students[3].courses.insert(4, replace(grade_11(students[3], 1)))
    # G017 (warning): a course that ended in June still projected.
    stale = planned(students[4])
    stale.completion_date = TERMS["spring 2026"]
    # G018 (warning): a current course withdrawn without a final grade, credit 0000.
    withdrawn = current(students[5])
    withdrawn.course_status, withdrawn.credit_value = "W", "0000"
    # S004: 31 June; the student and all their courses are rejected.
    students[6].birth_date = students[6].birth_date[:4] + "0631"
    # S009 (warning): the postal code typed with its blank.
    students[7].postal_code = students[7].postal_code[:3] + " " + students[7].postal_code[3:]
    # S007 (warning): a two-letter country code.
    students[8].citizenship = "CA"
    # G014: note C twice.
    grade_11(students[9], 2).notes = "CC"
    # G019 (warning): B for bilingual, not a language of instruction.
    current(students[10]).language = "B"
    # S005: an eight-digit OEN.
    students[11].oen = students[11].oen[:8] + " "


def ottawa_records(
    rng: random.Random, titles: dict[str, str]
) -> tuple[list[Record], list[Student]]:
    students = build_students(rng, OTTAWA, OTTAWA_STUDENTS)
    # Applicants type their own details: they apply with the values before the slips.
    as_applied = copy.deepcopy(students)
    ottawa_problems(students)
    records = transmission(OTTAWA, students, titles)
    # R004: a course for a student number with one digit wrong, after the last student.
    stray = dict(records[-2][1], student_number=students[-1].student_number[:-1] + "9")
    # R005: the second student sent again, with one of their courses.
    again = student_record(students[1])
    again_course = grade_record(students[1], students[1].courses[-1], titles)
    body = [*records[:-1], ("G1", stray), again, again_course]
    return [*body, trailer_record(OTTAWA, body)], as_applied


def ottawa_titles(titles: dict[str, str]) -> dict[str, str]:
    """Titles for the mistyped course codes too (the school's system printed one)."""
    return {**titles, **{code[:4] + "X": titles[code] for code in titles}}


# --- the Sudbury file: rejected ----------------------------------------------------------------


def sudbury_records(
    rng: random.Random, titles: dict[str, str]
) -> tuple[list[Record], list[Student]]:
    """A plausible file whose trailer still counts a course deleted by hand (F005).

    It is saved as S880012.C3 while its header says transmission 2 (F007).
    """
    students = build_students(rng, SUDBURY, SUDBURY_STUDENTS)
    records = transmission(SUDBURY, students, titles)
    deleted = next(i for i, (kind, _) in enumerate(records) if kind == "G1")
    return [*records[:deleted], *records[deleted + 1 :]], students


# --- applicants (docs/matching.md)
# -----------------------------------------------------------------------

APPLICANT_COLUMNS = [
    "application_number", "account_number", "first_name", "middle_name", "last_name",
    "previous_last_name", "birth_date", "oen", "gender", "school_midents", "paid",
    "international",
]  # fmt: skip
# Names applicants go by instead of the legal first name their school reports.
NICKNAMES = {"ROBERT": "Bob", "KATHERINE": "Kate", "MICHAEL": "Mike", "ELIZABETH": "Liz"}
UNACCENTED = str.maketrans("ÀÂÇÈÉÊËÎÏÔÙÛàâçèéêëîïôùû", "AACEEEEIIOUUaaceeeeiiouu")
# Students who have not applied (yet): their courses are held (A001) until they do.
NOT_APPLIED = {"NGUYEN", "OKAFOR", "BROWN", "JOSEPH", "LAROCHE", "NOLIN"}
BIRTH_DAY_TYPO_CANDIDATES = ("GARCIA LOPEZ", "SANTOS", "WONG", "HASSAN", "ROSSI", "LEE")
PEOPLE_NOT_IN_ANY_FILE = [
    # first name, middle name, last name, birth date, OEN, gender, schools, international
    ("Nathan", "", "Goldberg", "2008-03-14", "", "M", "885827", "false"),
    ("Aisha", "Noor", "Rahman", "2007-10-02", "527814396", "F", "871234", "false"),
    ("Jacob", "", "Tremblay", "2008-07-22", "", "M", "880012", "false"),
    ("Mei", "", "Lin", "2008-01-30", "", "F", "", "true"),
    ("Sebastián", "", "Moreno", "2006-12-05", "", "M", "", "false"),
]


def title_case(name: str) -> str:
    """GAGNON-BÉLANGER -> Gagnon-Bélanger, O'NEIL -> O'Neil."""
    return re.sub(r"[^\W\d_]+", lambda word: word[0].capitalize(), name.lower())


def typed_name(rng: random.Random, name: str) -> str:
    """A name as applicants type it: mostly title case, some lower case or without accents."""
    style = rng.random()
    if style < 0.08:
        return name.lower()
    if style < 0.18:
        return title_case(name).translate(UNACCENTED)
    return title_case(name)


def applicant_row(rng: random.Random, number: int, student: Student) -> dict[str, str]:
    birth = student.birth_date
    reported_oen = student.oen.strip("0 ") != ""
    return {
        "application_number": f"2026-{104000 + number * 37}",
        "account_number": f"{rng.randint(10_000_000, 99_999_999)}",
        "first_name": NICKNAMES.get(student.first_name) or typed_name(rng, student.first_name),
        "middle_name": typed_name(rng, student.middle_name) if rng.random() < 0.7 else "",
        "last_name": typed_name(rng, student.surname),
        "previous_last_name": "",
        "birth_date": f"{birth[:4]}-{birth[4:6]}-{birth[6:]}",
        # A few applicants leave their OEN out.
        "oen": student.oen.strip() if reported_oen and rng.random() > 0.12 else "",
        "gender": student.gender,
        "school_midents": student.school.mident,
        "paid": "true" if rng.random() < 0.9 else "false",
        "international": "false",
    }


def day_swapped(birth_date: str) -> str | None:
    """2008-05-13 -> 2008-05-31, when that is another real date."""
    swapped = birth_date[:8] + birth_date[9] + birth_date[8]
    try:
        date.fromisoformat(swapped)
    except ValueError:
        return None
    return swapped if swapped != birth_date else None


def applicant_variants(rows: dict[str, dict[str, str]]) -> None:
    """Cases a matcher must handle, on chosen applicants (listed in README.md)."""
    married = rows["KOWALSKI"]
    married["last_name"], married["previous_last_name"] = "Reid", "Kowalski"
    rows["CHEN"]["international"] = "true"  # on a study permit
    rows["PATEL"]["school_midents"] = "871234;885827"  # moved from the Ottawa school
    # One applicant typed the two digits of the birth day the other way round.
    typo = next(
        row
        for surname, row in rows.items()
        if surname in BIRTH_DAY_TYPO_CANDIDATES and day_swapped(row["birth_date"]) and row["oen"]
    )
    typo["birth_date"] = day_swapped(typo["birth_date"]) or ""
    rows["SMITH-JONES"]["last_name"] = "Jones"  # one name of a hyphenated surname
    rows["GAGNON-BÉLANGER"]["last_name"] = "Gagnon Belanger"


def applicants(rng: random.Random, students: list[Student]) -> list[dict[str, str]]:
    """One application per student who applied, then people with no grades in these files."""
    rows: dict[str, dict[str, str]] = {}
    for number, student in enumerate(students, start=1):
        if student.surname not in NOT_APPLIED:
            rows[student.surname] = applicant_row(rng, number, student)
    applicant_variants(rows)
    first_stranger = len(students) + 1
    strangers = [
        stranger_row(rng, number, person)
        for number, person in enumerate(PEOPLE_NOT_IN_ANY_FILE, start=first_stranger)
    ]
    return [*rows.values(), *strangers]


def stranger_row(rng: random.Random, number: int, person: tuple[str, ...]) -> dict[str, str]:
    first, middle, last, birth, oen, gender, midents, international = person
    return {
        "application_number": f"2026-{104000 + number * 37}",
        "account_number": f"{rng.randint(10_000_000, 99_999_999)}",
        "first_name": first,
        "middle_name": middle,
        "last_name": last,
        "previous_last_name": "",
        "birth_date": birth,
        "oen": oen,
        "gender": gender,
        "school_midents": midents,
        "paid": "true",
        "international": international,
    }


def applicants_csv(rows: list[dict[str, str]]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=APPLICANT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


# --- writing -----------------------------------------------------------------------------------


def main(directory: Path = HERE) -> None:
    rng = random.Random(SEED)
    titles = load_course_titles()
    toronto = toronto_students(rng)
    clean = trimmed(format_file(transmission(TORONTO, toronto, titles)), "\r\n")
    (directory / "S885827.C1").write_bytes(clean.encode("utf-8"))

    ottawa, ottawa_people = ottawa_records(rng, ottawa_titles(titles))
    (directory / "S871234.C1").write_bytes(format_file(ottawa).encode("cp1252"))

    sudbury, sudbury_people = sudbury_records(rng, titles)
    # Saved by an editor that adds a byte-order mark.
    (directory / "S880012.C3").write_bytes(UTF8_BOM + format_file(sudbury).encode("utf-8"))

    rows = applicants(rng, [*toronto, *ottawa_people, *sudbury_people])
    (directory / "applicants.csv").write_text(applicants_csv(rows), encoding="utf-8")


if __name__ == "__main__":
    main()
