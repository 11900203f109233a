"""Writes the golden cases of tests/rules/test_golden.py: one folder per case in tests/data/.

Each folder holds a transmission (named `S<MIDENT>.C<n>` unless the name is the point) and
`expected.json`: the file name, the `today` passed to the rules, the transmission status and the
findings `{code, line, field, value}` that docs/format.md and docs/rules.md call for, sorted by line
then code.
The expectations are written here by hand from docs/format.md and docs/rules.md, never taken from
the rules' output.

    python tests/data/make_golden.py        # regenerate every case; review with `git diff`

The shared example `example_s885827_c2/` is kept as received and is not written here.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from parsers.writer import format_record

HERE = Path(__file__).parent
TODAY = "2026-11-20"
MIDENT = "885827"
FILE_NAME = f"S{MIDENT}.C1"
# docs/rules.md: the codes whose records are still accepted.
WARNINGS = frozenset({"F011", "S007", "S008", "S009", "G017", "G018", "G019", "G021", "G022"})

Record = tuple[str, dict[str, str]]
Expected = tuple[str, int | None, str | None, str | None]

# --- the clean transmission every case starts from ---------------------------------------------
# Line 1 T1; lines 2-6 Émilie Gagnon-Bélanger and four courses; lines 7-10 Robert O'Neil and
# three courses; line 11 the B1 trailer. Created 2026-11-15 09:30, so the creation month is 202611.

HEADER = {
    "mident": MIDENT,
    "centre": "C",
    "transmission_number": "1",
    "creation_date": "20261115",
    "creation_time": "093000",
    "contact_name": "Guidance Office",
    "contact_phone": "4165550100",
    "contact_email": "guidance@stjoseph.example.ca",
    "layout_version": "2026",
}

STUDENT_DEFAULTS = {
    "mident": MIDENT,
    "home_school": "Y",
    "citizenship": "CAN",
    "community_involvement": "1",
    "literacy_requirement": "1",
    "grad_status": "N",
}

GRADE_DEFAULTS = {
    "mident": MIDENT,
    "credit_value": "0100",
    "delivery_type": "D",
    "course_type": "R",
    "course_mident": "000000",
    "language": "E",
}

EMILIE = {
    "student_number": "4471002",
    "oen": "345678912",
    "surname": "GAGNON-BÉLANGER",
    "first_name": "ÉMILIE",
    "middle_name": "CLAIRE",
    "birth_date": "20080521",
    "gender": "F",
    "postal_code": "M5V2T6",
    "phone": "4165550199",
    "first_language": "F",
}
ROBERT = {
    "student_number": "4471003",
    "oen": "000000000",
    "surname": "O'NEIL",
    "first_name": "ROBERT",
    "middle_name": "JAMES",
    "birth_date": "20071130",
    "gender": "M",
    "postal_code": "K1A0B1",
    "first_language": "E",
}

# (course_code, completion_date, grade_type, mark, other fields)
EMILIE_COURSES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("FEF4U", "202606", "F", "091", {"language": "F", "course_title": "Français"}),
    ("MHF4U", "202701", "C", "", {"course_title": "Advanced Functions"}),
    ("SBI4U", "202701", "M", "078", {"delivery_type": "N", "course_title": "Biology"}),
    ("CHV2O", "202406", "F", "076", {"credit_value": "0050", "course_title": "Civics"}),
]
ROBERT_COURSES: list[tuple[str, str, str, str, dict[str, str]]] = [
    ("ENG4U", "202701", "P", "", {}),
    ("TEJ4M", "202606", "F", "084", {"course_type": "E", "course_mident": "885738", "notes": "C"}),
    ("MCV4U", "202606", "F", "088", {"delivery_type": "O", "supplier_mident": "880999"}),
]


def student(values: dict[str, str]) -> Record:
    return "S1", {**STUDENT_DEFAULTS, **values}


def grade(student_number: str, course: tuple[str, str, str, str, dict[str, str]]) -> Record:
    code, completion, grade_type, mark, other = course
    values = {
        "student_number": student_number,
        "course_code": code,
        "completion_date": completion,
        "grade_type": grade_type,
        "mark": mark,
    }
    return "G1", {**GRADE_DEFAULTS, **values, **other}


def school_records() -> list[Record]:
    """The clean transmission's records without its trailer."""
    records: list[Record] = [("T1", dict(HEADER))]
    for person, courses in ((EMILIE, EMILIE_COURSES), (ROBERT, ROBERT_COURSES)):
        records.append(student(person))
        records += [grade(person["student_number"], course) for course in courses]
    return records


def with_trailer(records: Sequence[Record], **changes: str) -> list[Record]:
    """The records and a B1 whose counts agree with them (docs/format.md), unless `changes` say
    so."""
    kinds = [kind for kind, _ in records]
    counts = {
        "mident": MIDENT,
        "student_count": str(kinds.count("S1")),
        "grade_count": str(kinds.count("G1")),
        "record_count": str(len(records) + 1),
    }
    return [*records, ("B1", {**counts, **changes})]


def changed(records: Sequence[Record], line: int, **changes: str) -> list[Record]:
    """A copy of `records` with fields of the record on `line` (1-based) replaced."""
    copy = [(kind, dict(values)) for kind, values in records]
    copy[line - 1][1].update(changes)
    return copy


def inserted(records: Sequence[Record], line: int, record: Record) -> list[Record]:
    """A copy of `records` with `record` placed on `line` (1-based)."""
    copy = list(records)
    copy.insert(line - 1, record)
    return copy


def school(**changes_by_line: dict[str, str]) -> list[Record]:
    """The clean transmission with trailer, fields changed per line (`line_3={...}`)."""
    records = school_records()
    for key, changes in changes_by_line.items():
        records = changed(records, int(key.removeprefix("line_")), **changes)
    return with_trailer(records)


def lines_of(records: Iterable[Record]) -> list[str]:
    return [format_record(kind, values) for kind, values in records]


def text_of(lines: Iterable[str], newline: str = "\n", final_newline: bool = True) -> str:
    body = newline.join(lines)
    return body + newline if final_newline else body


def utf8(records: Iterable[Record]) -> bytes:
    return text_of(lines_of(records)).encode("utf-8")


# --- cases -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    name: str
    about: str
    content: bytes
    findings: list[Expected] = field(default_factory=list)
    file_name: str = FILE_NAME
    max_bytes: int | None = None

    @property
    def status(self) -> str:
        """docs/rules.md: a file-level error rejects the file, any other error rejects records."""
        errors = [code for code, *_ in self.findings if code not in WARNINGS]
        if any(code.startswith("F") for code in errors):
            return "rejected"
        return "partially processed" if errors else "processed"

    def expected(self) -> dict[str, object]:
        document: dict[str, object] = {"about": self.about, "file": self.file_name, "today": TODAY}
        if self.max_bytes is not None:
            document["max_bytes"] = self.max_bytes
        document["status"] = self.status
        document["findings"] = [
            {"code": code, "line": line, "field": name, "value": value}
            for code, line, name, value in self.findings
        ]
        return document


def clean_cases() -> list[Case]:
    base = school()
    lines = lines_of(base)
    return [
        Case("clean_utf8_accented_names", "UTF-8, LF, names with accents", utf8(base)),
        Case(
            "clean_cp1252_accented_names",
            "the same names in Windows-1252",
            text_of(lines).encode("cp1252"),
        ),
        Case(
            "clean_utf8_bom",
            "a UTF-8 byte-order mark before the header",
            b"\xef\xbb\xbf" + utf8(base),
        ),
        Case("clean_crlf", "CRLF line endings", text_of(lines, "\r\n").encode("utf-8")),
        Case(
            "clean_trimmed_trailing_blanks",
            "every line's trailing blanks trimmed, CRLF",
            text_of((line.rstrip(" ") for line in lines), "\r\n").encode("utf-8"),
        ),
        Case(
            "clean_blank_lines",
            "blank lines (empty, blanks only, CRLF) between records",
            "\n".join(["", lines[0], "", *lines[1:6], "   ", "\r", *lines[6:], ""]).encode("utf-8"),
        ),
        Case(
            "clean_no_final_newline",
            "the trailer line lacks its terminator",
            text_of(lines, "\r\n", final_newline=False).encode("utf-8"),
        ),
        Case(
            "clean_sixth_character",
            "course codes with a sixth, local character",
            utf8(school(line_4={"course_code": "MHF4UA"}, line_8={"course_code": "ENG4U1"})),
        ),
        Case(
            "clean_lowercase_file_name",
            "the file name in lower case (docs/format.md: case-insensitive)",
            utf8(base),
            file_name=FILE_NAME.lower(),
        ),
        Case(
            "clean_many_course_codes",
            "three students, real course codes of every discipline",
            utf8(many_courses()),
        ),
        Case(
            "clean_grades_of_every_kind",
            "OSSD issued, EQV, I and N/A marks, notes, status D and X, summer school",
            utf8(grades_of_every_kind()),
        ),
    ]


MANY_COURSES: dict[str, list[tuple[str, str, str, str, dict[str, str]]]] = {
    "4471010": [
        ("ADA3M", "202506", "F", "088", {}),
        ("BAF3M", "202506", "F", "079", {}),
        ("CHA3U", "202506", "F", "083", {}),
        ("ICS3U", "202506", "F", "095", {}),
        ("ENG3U", "202506", "F", "081", {}),
        ("FSF3U", "202506", "F", "077", {}),
        ("MCR3U", "202506", "F", "090", {}),
        ("SCH3U", "202506", "F", "086", {}),
        ("ENG4U", "202701", "C", "", {}),
        ("MHF4U", "202701", "C", "", {}),
        ("SCH4U", "202706", "P", "", {}),
        ("ICS4U", "202706", "P", "", {}),
    ],
    "4471011": [
        ("AMU4M", "202606", "F", "092", {}),
        ("CHY4U", "202606", "F", "080", {}),
        ("CGW4U", "202606", "F", "074", {}),
        ("EWC4U", "202606", "F", "085", {}),
        ("GLS4O", "202606", "F", "097", {}),
        ("HHS4U", "202606", "F", "089", {}),
        ("HSB4U", "202701", "M", "082", {}),
        ("HZT4U", "202701", "M", "076", {}),
        ("LWSCU", "202701", "C", "", {}),
        ("NBE3U", "202506", "F", "084", {}),
        ("PSK4U", "202701", "C", "", {}),
        ("PPL4O", "202606", "F", "093", {}),
    ],
    "4471012": [
        ("CGC1D", "202306", "F", "078", {}),
        ("ENG2D", "202406", "F", "075", {}),
        ("SNC2D", "202406", "F", "071", {}),
        ("CHC2D", "202406", "F", "080", {}),
        ("MAP4C", "202606", "F", "068", {}),
        ("SCH4C", "202606", "F", "072", {}),
        ("TEJ4M", "202606", "F", "091", {}),
        ("TGJ4M", "202606", "F", "087", {}),
        ("TDJ4M", "202701", "C", "", {}),
        ("IDC4U", "202701", "C", "", {}),
        ("HRE4M", "202701", "C", "", {}),
        ("OLC4O", "202506", "F", "077", {}),
    ],
}


def many_courses() -> list[Record]:
    people = [
        {**EMILIE, "student_number": "4471010", "oen": "345678920"},
        {**ROBERT, "student_number": "4471011", "oen": "345678938"},
        {
            **ROBERT,
            "student_number": "4471012",
            "surname": "NGUYEN TRAN",
            "first_name": "MINH",
            "middle_name": "",
            "gender": "X",
        },
    ]
    records: list[Record] = [("T1", dict(HEADER))]
    for person in people:
        records.append(student(person))
        number = person["student_number"]
        records += [grade(number, course) for course in MANY_COURSES[number]]
    return with_trailer(records)


def grades_of_every_kind() -> list[Record]:
    graduate = {
        **ROBERT,
        "student_number": "4471020",
        "surname": "TREMBLAY ROY",
        "first_name": "FRANÇOIS",
        "grad_status": "G",
        "ossd_issue_date": "20260626",
        "shsm_sector": "ICT",
        "citizenship": "FRA",
        "first_language": "O",
        "community_involvement": "1",
        "literacy_requirement": "1",
    }
    courses = [
        ("FSF4U", "202606", "F", "EQV", {"notes": "R", "credit_value": "0100"}),
        ("ICS4U", "202606", "F", "I", {"notes": "S"}),
        ("MDM4U", "202608", "F", "082", {"delivery_type": "S"}),
        ("ENG4C", "202606", "F", "N/A", {"notes": "K"}),
        ("CHW3M", "202506", "F", "071", {"course_status": "R", "credit_value": "0000"}),
        (
            "ENG3E",
            "202506",
            "F",
            "068",
            {"course_status": "X", "credit_value": "0000", "notes": "M"},
        ),
        ("SPH4U", "202701", "C", "", {"course_status": "D"}),
        ("BOH4M", "202701", "P", "ALT", {"delivery_type": "C"}),
        ("MCV4U", "202612", "C", "", {"language": "F", "notes": "FT"}),
        (
            "TCJ4C",
            "202606",
            "F",
            "088",
            {"course_type": "I", "notes": "CSE", "credit_value": "0200"},
        ),
    ]
    records = [("T1", dict(HEADER)), student(graduate)]
    records += [grade(graduate["student_number"], course) for course in courses]
    return with_trailer(records)


def file_cases() -> list[Case]:
    base = school()
    text = text_of(lines_of(base))
    no_header = school_records()[1:]
    header_twice = [*school_records()[:1], *school_records()]
    return [
        Case(
            "f001_nul_bytes",
            "a NUL byte in the header",
            text.replace("Guidance", "Guid\x00nce").encode("utf-8"),
            [("F001", None, None, None)],
        ),
        Case(
            "f001_undecodable_bytes",
            "a byte that is neither UTF-8 nor Windows-1252 (0x81)",
            text.encode("cp1252").replace(b"Office", b"Off\x81ce"),
            [("F001", None, None, None)],
        ),
        Case("f002_empty", "zero bytes", b"", [("F002", None, None, None)]),
        Case(
            "f003_header_missing",
            "the T1 header was not written",
            utf8(with_trailer(no_header)),
            [("F003", 1, "record_type", "S1")],
        ),
        Case(
            "f004_trailer_missing",
            "the file stops after the last grade",
            text_of(lines_of(base)[:-1]).encode("utf-8"),
            [("F004", 10, "record_type", "G1")],
        ),
        Case(
            "f005_trailer_counts",
            "the trailer counts eight grades, the file has seven",
            utf8(with_trailer(school_records(), grade_count="8")),
            [("F005", 11, "grade_count", "0000008")],
        ),
        Case(
            "f005_trailer_count_cut_off",
            "record_count written as 11 and the line ends there: not eight digits",
            text_of([*lines_of(base)[:-1], lines_of(base)[-1][:21] + "11"]).encode("utf-8"),
            [("F005", 11, "record_count", "11")],
        ),
        Case(
            "f006_second_header",
            "the header written twice",
            utf8(with_trailer(header_twice)),
            [("F006", 2, "record_type", "T1")],
        ),
        Case(
            "f007_name_disagrees",
            "named transmission 2, the header says 1",
            utf8(base),
            [("F007", None, "file_name", "S885827.C2")],
            file_name="S885827.C2",
        ),
        Case(
            "f007_name_malformed",
            "an extension added to the name",
            utf8(base),
            [("F007", None, "file_name", "S885827.C1.txt")],
            file_name="S885827.C1.txt",
        ),
        Case(
            "f007_name_disagrees_with_valid_mident",
            "the transmission number is invalid, the name's MIDENT disagrees with the valid one",
            utf8(school(line_1={"transmission_number": "0"})),
            [("F007", None, "file_name", "S999999.C1"), ("F008", 1, "transmission_number", "0")],
            file_name="S999999.C1",
        ),
        Case(
            "f011_contact_email_not_an_address",
            "the contact e-mail is not an address: a warning, the file is processed",
            utf8(school(line_1={"contact_email": "guidance office"})),
            [("F011", 1, "contact_email", "guidance office")],
        ),
        Case(
            "f011_contact_email_list",
            "the contact e-mail is a list of two addresses",
            utf8(school(line_1={"contact_email": "postmaster,guidance@school.example.ca"})),
            [("F011", 1, "contact_email", "postmaster,guidance@school.example.ca")],
        ),
        Case(
            "f011_contact_email_escape",
            "the contact e-mail holds a terminal escape sequence",
            utf8(school(line_1={"contact_email": "guid\x1b[31mance@school.example.ca"})),
            [("F011", 1, "contact_email", "guid\x1b[31mance@school.example.ca")],
        ),
        Case(
            "f011_contact_email_missing",
            "the contact e-mail is blank",
            utf8(school(line_1={"contact_email": ""})),
            [("F011", 1, "contact_email", "")],
        ),
        Case(
            "f008_creation_date",
            "the creation date is 31 November",
            utf8(school(line_1={"creation_date": "20261131"})),
            [("F008", 1, "creation_date", "20261131")],
        ),
        Case(
            "f010_too_large",
            "a 2 KB file against a 1000-byte limit",
            utf8(base),
            [("F010", None, "size", "0.00211")],
            max_bytes=1000,
        ),
    ]


def record_cases() -> list[Case]:
    records = school_records()
    lines = lines_of(with_trailer(records))
    unknown = lines_of([grade("4471002", ("ENG4U", "202606", "F", "085", {}))])[0]
    counted = lines_of(with_trailer(records, record_count="12"))
    orphan = grade("4471009", ("ENG4U", "202606", "F", "085", {}))
    again = student({**EMILIE, "surname": "GAGNON"})
    return [
        Case(
            "r001_unknown_record_type",
            "a G2 line among the grades, counted by the trailer",
            text_of([*counted[:3], "G2" + unknown[2:], *counted[3:]]).encode("utf-8"),
            [("R001", 4, "record_type", "G2")],
        ),
        Case(
            "r002_content_past_column_200",
            "a grade line with text after column 200",
            text_of([*lines[:4], lines[4] + "   MATH 12", *lines[5:]]).encode("utf-8"),
            [("R002", 5, None, "MATH 12")],
        ),
        Case(
            "r003_mident_differs",
            "Robert's S1 carries another school's MIDENT",
            utf8(school(line_7={"mident": "885828"})),
            [("R003", 7, "mident", "885828")],
        ),
        Case(
            "r004_grade_without_student",
            "a grade for a student number with no S1",
            utf8(with_trailer([*records, orphan])),
            [("R004", 11, "student_number", "4471009")],
        ),
        Case(
            "r005_student_twice",
            "Émilie's S1 again at the end with one grade",
            utf8(with_trailer([*records, again, grade("4471002", EMILIE_COURSES[0])])),
            [("R005", 11, "student_number", "4471002")],
        ),
    ]


def student_cases() -> list[Case]:
    no_number = changed(school_records(), 7, student_number="")
    for line in (8, 9, 10):
        no_number = changed(no_number, line, student_number="")
    return [
        Case(
            "s001_student_number_missing",
            "Robert's student number is blank on his S1 and G1 records",
            utf8(with_trailer(no_number)),
            [("S001", 7, "student_number", "")],
        ),
        Case(
            "s002_surname_missing",
            "Robert has no surname",
            utf8(school(line_7={"surname": ""})),
            [("S002", 7, "surname", "")],
        ),
        Case(
            "s003_first_name_missing",
            "Émilie has no first name",
            utf8(school(line_2={"first_name": ""})),
            [("S003", 2, "first_name", "")],
        ),
        Case(
            "s004_birth_date_invalid",
            "31 February, then a birth date that makes Robert six years old",
            utf8(school(line_2={"birth_date": "20080231"}, line_7={"birth_date": "20200101"})),
            [("S004", 2, "birth_date", "20080231"), ("S004", 7, "birth_date", "20200101")],
        ),
        Case(
            "s005_oen_not_nine_digits",
            "an eight-digit OEN written left-justified",
            utf8(school(line_2={"oen": "34567891 "})),
            [("S005", 2, "oen", "34567891 ")],
        ),
        Case(
            "s005_oen_zeros_and_blanks",
            "an OEN of eight zeros and a blank: neither 000000000 nor blank",
            utf8(school(line_2={"oen": "00000000 "})),
            [("S005", 2, "oen", "00000000 ")],
        ),
        Case(
            "s006_gender_invalid",
            "gender Q",
            utf8(school(line_7={"gender": "Q"})),
            [("S006", 7, "gender", "Q")],
        ),
        Case(
            "s007_citizenship_invalid",
            "a two-letter country code and an unknown SHSM sector",
            utf8(school(line_2={"citizenship": "CA"}, line_7={"shsm_sector": "XYZ"})),
            [("S007", 2, "citizenship", "CA"), ("S007", 7, "shsm_sector", "XYZ")],
        ),
        Case(
            "s007_codes_without_a_blank_value",
            "home school, citizenship and first language blank: docs/format.md has no blank there",
            utf8(school(line_2={"home_school": "", "citizenship": "", "first_language": ""})),
            [
                ("S007", 2, "home_school", ""),
                ("S007", 2, "citizenship", ""),
                ("S007", 2, "first_language", ""),
            ],
        ),
        Case(
            "s008_ossd_issue_date_invalid",
            "graduated with a 13th-month OSSD date",
            utf8(school(line_7={"grad_status": "G", "ossd_issue_date": "20261301"})),
            [("S008", 7, "ossd_issue_date", "20261301")],
        ),
        Case(
            "s009_postal_code_and_phone",
            "a postal code typed with its blank, a phone typed with dashes",
            utf8(school(line_2={"postal_code": "M5V 2T6"}, line_7={"phone": "416-555-0188"})),
            [("S009", 2, "postal_code", "M5V 2T"), ("S009", 7, "phone", "416-555-01")],
        ),
    ]


def grade_cases() -> list[Case]:
    records = school_records()
    return [
        Case(
            "g001_course_code_unknown",
            "MFH4U, a transposed MHF4U",
            utf8(school(line_4={"course_code": "MFH4U"})),
            [("G001", 4, "course_code", "MFH4U")],
        ),
        Case(
            "g002_completion_date_invalid",
            "month 13",
            utf8(school(line_5={"completion_date": "202613"})),
            [("G002", 5, "completion_date", "202613")],
        ),
        Case(
            "g003_grade_type_invalid",
            "grade type X",
            utf8(school(line_5={"grade_type": "X"})),
            [("G003", 5, "grade_type", "X")],
        ),
        Case(
            "g004_mark_invalid",
            "the letter O typed for a zero",
            utf8(school(line_3={"mark": "1O5"})),
            [("G004", 3, "mark", "1O5")],
        ),
        Case(
            "g005_final_mark_missing",
            "a final grade without a mark",
            utf8(school(line_3={"mark": ""})),
            [("G005", 3, "mark", "")],
        ),
        Case(
            "g006_eqv_midterm",
            "EQV on a midterm grade",
            utf8(school(line_5={"mark": "EQV"})),
            [("G006", 5, "mark", "EQV")],
        ),
        Case(
            "g007_credit_value_invalid",
            "five credits",
            utf8(school(line_4={"credit_value": "0500"})),
            [("G007", 4, "credit_value", "0500")],
        ),
        Case(
            "g008_credit_without_credit",
            "a withdrawn course still carrying its credit",
            utf8(school(line_6={"course_status": "W"})),
            [("G008", 6, "credit_value", "0050")],
        ),
        Case(
            "g009_course_status_invalid",
            "course status Q",
            utf8(school(line_4={"course_status": "Q"})),
            [("G009", 4, "course_status", "Q")],
        ),
        Case(
            "g010_delete_final_grade",
            "status D on a final grade",
            utf8(school(line_3={"course_status": "D"})),
            [("G010", 3, "grade_type", "F")],
        ),
        Case(
            "g011_delivery_type_invalid",
            "delivery type E",
            utf8(school(line_8={"delivery_type": "E"})),
            [("G011", 8, "delivery_type", "E")],
        ),
        Case(
            "g012_course_type_invalid",
            "course type C",
            utf8(school(line_8={"course_type": "C"})),
            [("G012", 8, "course_type", "C")],
        ),
        Case(
            "g013_supplier_mident_invalid",
            "a letter O in the supplier MIDENT",
            utf8(school(line_10={"supplier_mident": "88O999"})),
            [("G013", 10, "supplier_mident", "88O999")],
        ),
        Case(
            "g014_notes_invalid",
            "note C twice",
            utf8(school(line_9={"notes": "CC"})),
            [("G014", 9, "notes", "CC")],
        ),
        Case(
            "g015_duplicate_course",
            "MHF4U 202701 day school twice for Émilie",
            utf8(with_trailer(inserted(records, 5, records[3]))),
            [("G015", 4, "course_code", "MHF4U"), ("G015", 5, "course_code", "MHF4U")],
        ),
        Case(
            "g016_final_after_creation",
            "a final grade completed in January 2027",
            utf8(school(line_3={"completion_date": "202701"})),
            [("G016", 3, "completion_date", "202701")],
        ),
        Case(
            "g017_stale_projected",
            "a projected grade for a course that ended in June 2026",
            utf8(school(line_8={"completion_date": "202606"})),
            [("G017", 8, "completion_date", "202606")],
        ),
        Case(
            "g018_withdrawn_without_final",
            "a current course withdrawn, credit 0000",
            utf8(school(line_4={"course_status": "W", "credit_value": "0000"})),
            [("G018", 4, "course_status", "W")],
        ),
        Case(
            "g019_language_invalid",
            "language of instruction A",
            utf8(school(line_5={"language": "A"})),
            [("G019", 5, "language", "A")],
        ),
        Case(
            "g019_language_blank",
            "language of instruction blank: docs/format.md allows only E or F",
            utf8(school(line_5={"language": ""})),
            [("G019", 5, "language", "")],
        ),
        Case(
            "g020_modified_expectations_not_x",
            "note M without status X, credit 0000",
            utf8(school(line_6={"notes": "M", "credit_value": "0000"})),
            [("G020", 6, "notes", "M")],
        ),
    ]


# Another attempt at Émilie's courses, placed after the course it repeats or doubles.
FEF4U_FIRST_ATTEMPT = ("FEF4U", "202506", "F", "055", {"language": "F"})
MHF4U_AT_NIGHT = ("MHF4U", "202701", "C", "", {"delivery_type": "N"})


def attempt_cases() -> list[Case]:
    """Courses sent twice for one student (G021) and repeated attempts (G022)."""
    records = school_records()
    first_attempt = grade("4471002", FEF4U_FIRST_ATTEMPT)
    repeated = grade("4471002", (*FEF4U_FIRST_ATTEMPT[:4], {"course_status": "R"}))
    repeated[1].update(credit_value="0000", language="F")
    at_night = grade("4471002", MHF4U_AT_NIGHT)
    night_deleted = grade("4471002", (*MHF4U_AT_NIGHT[:4], {"delivery_type": "N"}))
    night_deleted[1]["course_status"] = "D"
    higher_repeated = changed(records, 3, course_status="R", credit_value="0000")
    return [
        Case(
            "clean_delete_midterm",
            "status D on a midterm grade: P, C and M grades can be deleted",
            utf8(school(line_5={"course_status": "D"})),
        ),
        Case(
            "g021_two_delivery_types",
            "MHF4U 202701 for Émilie in day school and again at night",
            utf8(with_trailer(inserted(records, 5, at_night))),
            [("G021", 4, "delivery_type", "D"), ("G021", 5, "delivery_type", "N")],
        ),
        Case(
            "clean_two_delivery_types_one_deleted",
            "MHF4U 202701 in day school, and the night record sent again as deleted",
            utf8(with_trailer(inserted(records, 5, night_deleted))),
        ),
        Case(
            "g022_repeated_on_higher_mark",
            "FEF4U passed with 91 marked repeated, the first attempt (55) counted",
            utf8(with_trailer(inserted(higher_repeated, 4, first_attempt))),
            [("G022", 3, "mark", "091")],
        ),
        Case(
            "clean_repeated_on_lower_mark",
            "FEF4U: the first attempt (55) marked repeated, the second (91) counted",
            utf8(with_trailer(inserted(records, 4, repeated))),
        ),
    ]


CASE_GROUPS: list[Callable[[], list[Case]]] = [
    clean_cases,
    file_cases,
    record_cases,
    student_cases,
    grade_cases,
    attempt_cases,
]


def write_case(case: Case) -> None:
    folder = HERE / case.name
    folder.mkdir(exist_ok=True)
    for old in folder.iterdir():
        old.unlink()
    (folder / case.file_name).write_bytes(case.content)
    (folder / "expected.json").write_text(render_expected(case.expected()), encoding="utf-8")


def render_expected(document: dict[str, object]) -> str:
    """JSON with one finding per line, so that a diff shows each finding that changed."""
    dump = functools.partial(json.dumps, ensure_ascii=False)
    findings = document.pop("findings")
    assert isinstance(findings, list)
    head = [f"  {dump(key)}: {dump(value)}," for key, value in document.items()]
    rows = ",\n".join(f"    {dump(finding)}" for finding in findings)
    body = f'  "findings": [\n{rows}\n  ]' if findings else '  "findings": []'
    return "{\n" + "\n".join(head) + "\n" + body + "\n}\n"


def main() -> None:
    cases = [case for group in CASE_GROUPS for case in group()]
    names = [case.name for case in cases]
    assert len(names) == len(set(names)), "case names must be unique"
    for case in cases:
        write_case(case)
    print(f"wrote {len(cases)} golden cases under {HERE}")


if __name__ == "__main__":
    main()
