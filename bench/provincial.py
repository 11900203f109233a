"""A provincial batch of OST transmissions, generated deterministically, with its ground truth.

    python -m bench.provincial [--scale 1] [--out bench/work/provincial-1] [--big-grades 1000000]

At scale 1: about 900 school files, 150,000 students, 4,000,000 grades and 250,000 applicants
(docs/matching.md CSV). Students and applicants come from `bench.linkage_data` (name variants, OEN
and
birth-date slips, students who never apply, international applicants, applicants in no file);
the courses are drawn from the packaged course-code table by pathway and grade, with grade
types by term relative to each file's creation date; about 1% of the S1 and G1 records carry
one defect each, spread over the validation codes. Every column is built with polars and numpy,
and the records are formatted by the layout table, as `parsers.writer` does one at a time.

Written under the output folder:
    inbox/S<MIDENT>.C<n>     the transmissions
    applicants.csv           the applicants (docs/matching.md)
    truth/students.parquet   each S1: file, line, student key, true application, rejected or not
    truth/defects.parquet    each injected defect: file, line, glossary code
    manifest.json            sizes, seed and generation time
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import os
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from bench.linkage_data import generate_linkage_set
from parsers.layout import RECORD_LENGTH, FieldSpec, Layout, default_layout
from rules.code_tables import DATA_DIR, load_course_codes

WORK = Path(__file__).parent / "work"
SEED = 20261123
STUDENTS = 150_000
GRADES = 4_000_000
DEFECT_RATE = 0.01
FILE_DEFECT_RATE = 0.005
# Header creation dates of this batch: the fall term, up to the day before this cycle's run.
FIRST_CREATION = dt.date(2026, 9, 28)
LAST_CREATION = dt.date(2026, 11, 20)
CURRENT_SCHOOL_YEAR = 2026  # September 2026 to June 2027
BIG_FILE_MIDENT = "999001"

# --- the course mix ----------------------------------------------------------------------------

PATHWAYS = ("university", "college", "workplace")
PATHWAY_SHARES = (0.55, 0.35, 0.10)
# Compulsory courses by grade and pathway (English every year, mathematics, science, ...).
COMPULSORY: dict[int, dict[str, tuple[str, ...]]] = {
    9: {
        "university": ("ENG1D", "MTH1W", "SNC1W", "CGC1W", "FSF1D"),
        "college": ("ENG1D", "MTH1W", "SNC1W", "CGC1W", "FSF1D"),
        "workplace": ("ENG1P", "MTH1W", "SNC1W", "CGC1P", "FSF1P"),
    },
    10: {
        "university": ("ENG2D", "MPM2D", "SNC2D", "CHC2D", "CHV2O", "GLC2O"),
        "college": ("ENG2P", "MFM2P", "SNC2P", "CHC2P", "CHV2O", "GLC2O"),
        "workplace": ("ENG2P", "MFM2P", "SNC2P", "CHC2P", "CHV2O", "GLC2O"),
    },
    11: {
        "university": ("ENG3U", "MCR3U"),
        "college": ("ENG3C", "MBF3C"),
        "workplace": ("ENG3E", "MEL3E"),
    },
    12: {"university": ("ENG4U",), "college": ("ENG4C",), "workplace": ("ENG4E",)},
}
HALF_CREDIT = {"CHV2O", "GLC2O"}
ELECTIVES_PER_YEAR = {9: 3, 10: 2, 11: 6, 12: 6}
# Course types a pathway takes, with their weight.
COURSE_TYPE_WEIGHTS = {
    "university": {"D": 1.0, "W": 1.0, "O": 1.0, "U": 1.0, "M": 0.8, "C": 0.05},
    "college": {"P": 1.0, "D": 0.3, "W": 1.0, "O": 1.0, "C": 1.0, "M": 0.8, "U": 0.1, "E": 0.1},
    "workplace": {"P": 1.0, "L": 0.6, "W": 1.0, "O": 1.0, "E": 1.0, "C": 0.4, "M": 0.2},
}
# Electives most students pick (the rest of the table has a long tail).
POPULAR = {
    "PPL1O", "PPL2O", "AVI1O", "AMU1O", "ADA1O", "BTT1O", "TIJ1O", "ICS2O", "AVI2O", "TGJ2O",
    "BBI2O", "HFN2O", "PPL3O", "SBI3U", "SCH3U", "SPH3U", "ICS3U", "HSP3U", "CHW3M", "CLU3M",
    "BAF3M", "AVI3M", "SBI3C", "HSP3C", "BMI3C", "TCJ3C", "TGJ3M", "PPL4O", "MHF4U", "MCV4U",
    "MDM4U", "SBI4U", "SCH4U", "SPH4U", "HSB4U", "HZT4U", "BOH4M", "CHY4U", "CGW4U", "CIA4U",
    "EWC4U", "HHS4U", "MAP4C", "MCT4C", "SCH4C", "HHS4C", "BDV4C", "HFA4C", "TCJ4C", "TGJ4M",
    "HPD4C", "OLC4O", "MEL4E", "CHI4U", "HRE4M", "AMU4M", "ICS4U", "BAT4M", "CGU4U", "SES4U",
}  # fmt: skip
COMPULSORY_SUBJECTS = ("ENG", "MTH", "MPM", "MFM", "MCR", "MBF", "MEL", "SNC", "CGC", "CHC")
CITIZENSHIPS_ABROAD = ("IND", "CHN", "NGA", "PHL", "VNM", "KOR", "BRA", "MEX", "IRN", "PAK")
OTHER_CITIZENSHIPS = ("USA", "GBR", "FRA", "IND", "CHN", "PHL", "JAM", "PAK", "SYR", "UKR")
VIRTUAL_SCHOOLS = ("880999", "881888", "882777", "883666", "884555", "885444", "886333")
POSTAL_FIRST = "KLMNP"  # Ontario's forward sortation areas
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
SECTION_LETTERS = "ABCD"

# --- defects: one glossary code per defective record ---------------------------------------------

STUDENT_DEFECTS = ("S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009")
GRADE_DEFECTS = (
    "G001", "G002", "G003", "G004", "G005", "G006", "G007", "G008", "G009", "G010", "G011",
    "G012", "G013", "G014", "G015", "G016", "G017", "G018", "G019", "G020",
    "R001", "R002", "R003", "R004",
)  # fmt: skip
REJECTING_STUDENT_DEFECTS = ("S002", "S003", "S004", "S005", "S006")


@dataclass(frozen=True)
class BatchSize:
    """How much to generate."""

    students: int
    grades: int

    @classmethod
    def at_scale(cls, scale: float) -> BatchSize:
        return cls(max(1, round(STUDENTS * scale)), max(1, round(GRADES * scale)))


# --- students ----------------------------------------------------------------------------------


def _choice(rng: np.random.Generator, values: Sequence[str], size: int, p=None) -> np.ndarray:
    return np.asarray(list(values), dtype=object)[rng.choice(len(values), size=size, p=p)]


def _digits(rng: np.random.Generator, size: int, count: int) -> pl.Series:
    """Random strings of `count` digits."""
    numbers = rng.integers(0, 10**count, size=size, dtype=np.int64)
    return pl.Series(numbers).cast(pl.String).str.zfill(count)


def _postal_codes(rng: np.random.Generator, size: int) -> pl.Series:
    """Canada Post codes (A9A9A9) in Ontario."""
    parts = [
        _choice(rng, POSTAL_FIRST, size),
        rng.integers(0, 10, size).astype(str),
        _choice(rng, POSTAL_LETTERS, size),
        rng.integers(0, 10, size).astype(str),
        _choice(rng, POSTAL_LETTERS, size),
        rng.integers(0, 10, size).astype(str),
    ]
    return pl.Series(["".join(chars) for chars in zip(*parts, strict=True)])


def schools_frame(rng: np.random.Generator, midents: Sequence[str]) -> pl.DataFrame:
    """One row per school: header values and how its information system writes the file."""
    n = len(midents)
    days = (LAST_CREATION - FIRST_CREATION).days + 1
    created = [FIRST_CREATION + dt.timedelta(days=int(d)) for d in rng.integers(0, days, n)]
    seconds = rng.integers(7 * 3600, 18 * 3600, n)
    area = _choice(rng, ("416", "613", "705", "519", "905"), n)
    return pl.DataFrame(
        {
            "mident": list(midents),
            "school_index": np.arange(n),
            "centre": "C",
            "transmission_number": rng.integers(1, 4, n).astype(str),
            "creation_date": [d.strftime("%Y%m%d") for d in created],
            "creation_time": [f"{s // 3600:02d}{s % 3600 // 60:02d}{s % 60:02d}" for s in seconds],
            "contact_name": "Student Services",
            "contact_phone": [f"{a}555{d}" for a, d in zip(area, _digits(rng, n, 4), strict=True)],
            "layout_version": "2026",
            "continuing_mident": _digits(rng, n, 6),
            "french": rng.random(n) < 0.08,
            "reports_midterms": rng.random(n) < 0.7,
            "sends_titles": rng.random(n) < 0.6,
            "section_letters": rng.random(n) < 0.05,
            "encoding": _choice(rng, ("utf-8", "utf-8-sig", "cp1252"), n, p=(0.8, 0.05, 0.15)),
            "newline": _choice(rng, ("\n", "\r\n"), n, p=(0.8, 0.2)),
            "trims_blanks": rng.random(n) < 0.3,
        }
    ).with_columns(
        creation_month=pl.col("creation_date").str.slice(0, 6),
        contact_email=pl.format("guidance{}@school.example.ca", pl.col("mident")),
    )


def students_frame(
    rng: np.random.Generator,
    linkage_students: pl.DataFrame,
    truth: pl.DataFrame,
    schools: pl.DataFrame,
) -> pl.DataFrame:
    """Every S1 field, plus the pathway and the year each student started grade 9."""
    people = (
        linkage_students.join(truth, on="student_key", how="left")
        .join(schools.select("mident", "school_index", "french"), on="mident")
        .sort("school_index", "student_key")
    )
    n = people.height
    birth_year = people["birth_date"].dt.year().to_numpy()
    # The current grade 12 cohort, fifth-year students back for a few courses, adult returners.
    grade9 = np.where(birth_year >= 2007, 2023, np.where(birth_year == 2006, 2022, 2020))
    graduated = (grade9 <= 2022) & (rng.random(n) < 0.85)
    abroad = people["true_international"].fill_null(False).to_numpy()
    citizenship = np.where(
        abroad,
        _choice(rng, CITIZENSHIPS_ABROAD, n),
        np.where(rng.random(n) < 0.93, "CAN", _choice(rng, OTHER_CITIZENSHIPS, n)),
    )
    french = people["french"].to_numpy() & (rng.random(n) < 0.8)
    other_language = rng.random(n) < 0.2
    phone_area = _choice(rng, ("416", "647", "613", "905", "519"), n)
    phones = [f"{a}{d}" for a, d in zip(phone_area, _digits(rng, n, 7), strict=True)]
    columns = {
        "pathway": _choice(rng, PATHWAYS, n, p=PATHWAY_SHARES),
        "grade9_year": grade9,
        "home_school": np.where(rng.random(n) < 0.97, "Y", "N"),
        "postal_code": np.where(rng.random(n) < 0.97, _postal_codes(rng, n).to_numpy(), ""),
        "phone": np.where(rng.random(n) < 0.8, np.asarray(phones, dtype=object), ""),
        "citizenship": citizenship,
        "first_language": np.where(french, "F", np.where(other_language, "O", "E")),
        "community_involvement": np.where(graduated | (rng.random(n) < 0.7), "1", "2"),
        "literacy_requirement": np.where(graduated | (rng.random(n) < 0.9), "1", "2"),
        "grad_status": np.where(graduated, "G", "N"),
        "ossd_issue_date": np.where(
            graduated, (grade9 + 4).astype(str).astype(object) + "0626", ""
        ),
        "shsm_sector": np.where(rng.random(n) < 0.04, _choice(rng, _shsm_codes(), n), ""),
    }
    people = people.with_columns(
        *(pl.Series(name, values) for name, values in columns.items()),
        student_order=pl.int_range(pl.len()).over("school_index"),
    )
    coded = sorted(columns.keys() - {"pathway", "grade9_year"})
    return people.select(
        "student_key",
        "school_index",
        "pathway",
        "grade9_year",
        "true_application_number",
        "true_international",
        *coded,
        record_type=pl.lit("S1"),
        mident=pl.col("mident"),
        # docs/format.md S1: the school's own student number, unique in the school.
        student_number=pl.format(
            "{}{}",
            pl.col("mident").str.slice(0, 3),
            pl.col("student_order").cast(pl.String).str.zfill(6),
        ),
        oen=pl.col("oen").fill_null("000000000"),
        surname="surname",
        first_name="first_name",
        middle_name=pl.col("middle_name").fill_null(""),
        birth_date=pl.col("birth_date").dt.strftime("%Y%m%d"),
        gender=pl.col("gender").fill_null("U"),
    )


def _shsm_codes() -> list[str]:
    return pl.read_csv(DATA_DIR / "shsm_sectors.csv", infer_schema=False)["code"].to_list()


# --- courses -----------------------------------------------------------------------------------


def elective_pools(courses: pl.DataFrame) -> dict[tuple[int, str], tuple[list[str], np.ndarray]]:
    """Per grade and pathway: the elective codes and their drawing probabilities."""
    pools = {}
    for grade in (9, 10, 11, 12):
        table = courses.filter(
            (pl.col("grade") == str(grade))
            & ~pl.col("code").str.slice(0, 3).is_in(COMPULSORY_SUBJECTS)
        )
        codes, types = table["code"].to_list(), table["course_type"].to_list()
        for pathway in PATHWAYS:
            weights = np.array(
                [
                    COURSE_TYPE_WEIGHTS[pathway].get(kind, 0.0) * (25.0 if code in POPULAR else 1.0)
                    for code, kind in zip(codes, types, strict=True)
                ]
            )
            pools[(grade, pathway)] = (codes, weights / weights.sum())
    return pools


def course_plan(
    rng: np.random.Generator, students: pl.DataFrame, courses: pl.DataFrame
) -> pl.DataFrame:
    """(student_key, grade, course_code): compulsory courses and drawn electives, no repeats."""
    compulsory = pl.DataFrame(
        [
            {"pathway": pathway, "grade": grade, "course_code": code, "compulsory": True}
            for grade, by_pathway in COMPULSORY.items()
            for pathway, codes in by_pathway.items()
            for code in codes
        ]
    )
    parts = [students.select("student_key", "pathway").join(compulsory, on="pathway")]
    pools = elective_pools(courses)
    for (grade, pathway), (codes, weights) in pools.items():
        keys = students.filter(pl.col("pathway") == pathway)["student_key"]
        picks = rng.choice(len(codes), size=(keys.len(), ELECTIVES_PER_YEAR[grade]), p=weights)
        parts.append(
            pl.DataFrame(
                {
                    "student_key": np.repeat(keys.to_numpy(), ELECTIVES_PER_YEAR[grade]),
                    "pathway": pathway,
                    "grade": grade,
                    "course_code": np.asarray(codes, dtype=object)[picks.ravel()],
                    "compulsory": False,
                },
                schema_overrides={"grade": pl.Int64},
            )
        )
    plan = pl.concat(parts, how="vertical_relaxed").unique(
        ["student_key", "course_code"], maintain_order=True
    )
    return plan.sort(
        "student_key", "grade", "compulsory", "course_code", descending=[False, False, True, False]
    )


def thin_to(
    rng: np.random.Generator, plan: pl.DataFrame, students: pl.DataFrame, target: int
) -> pl.DataFrame:
    """Electives dropped at random (compulsory courses kept) to reach about `target` rows."""
    with_year = plan.join(students.select("student_key", "grade9_year"), on="student_key")
    fixed = with_year.filter(pl.col("compulsory")).height
    electives = with_year.height - fixed
    keep = min(1.0, max(0.0, (target - fixed) / electives)) if electives else 1.0
    draw = pl.Series(rng.random(with_year.height))
    return with_year.filter(pl.col("compulsory") | (draw < keep))


def grades_frame(
    rng: np.random.Generator, students: pl.DataFrame, schools: pl.DataFrame, target: int
) -> pl.DataFrame:
    """Every G1 field, from the course plan, terms and the creation date of each file."""
    courses = load_course_codes()
    plan = thin_to(rng, course_plan(rng, students, courses), students, target)
    n = plan.height
    titles = courses.select(pl.col("code").alias("course_code"), pl.col("title").str.slice(0, 40))
    school = schools.select(
        "school_index", "creation_month", "continuing_mident", "french", "reports_midterms",
        "sends_titles", "section_letters", "creation_date",
    )  # fmt: skip
    people = students.select("student_key", "school_index", "mident", "student_number")
    semester = pl.Series(np.where(rng.random(n) < 0.5, "01", "06"))
    delivery = pl.Series(_choice(rng, "DSNOC", n, p=(0.905, 0.03, 0.01, 0.05, 0.005)))
    mark = pl.Series(np.clip(np.rint(rng.normal(77, 11, n)), 38, 100).astype(np.int64))
    frame = (
        plan.join(people, on="student_key")
        .join(school, on="school_index")
        .join(titles, on="course_code", how="left")
        .with_columns(
            school_year=pl.col("grade9_year") + pl.col("grade") - 9,
            delivery_type=delivery,
            semester=semester,
            raw_mark=mark,
            draw=pl.Series(rng.random(n)),
            note_draw=pl.Series(rng.random(n)),
            supplier=pl.Series(_choice(rng, VIRTUAL_SCHOOLS, n)),
            section=pl.Series(_choice(rng, SECTION_LETTERS, n)),
        )
        # Students already in grade 12 do not take grade 12 courses again: a fifth year
        # of grade 12 electives for some of them, in the current year.
        .with_columns(
            school_year=pl.when(pl.col("school_year") > CURRENT_SCHOOL_YEAR)
            .then(CURRENT_SCHOOL_YEAR)
            .when(
                (pl.col("grade9_year") == 2022)
                & (pl.col("grade") == 12)
                & ~pl.col("compulsory")
                & (pl.col("draw") < 0.4)
            )
            .then(CURRENT_SCHOOL_YEAR)
            .otherwise(pl.col("school_year"))
        )
    )
    return _grade_values(frame.with_columns(_completion_date())).select(_G1_OUTPUT)


def _completion_date() -> pl.Expr:
    """G1 completion month: January or June after the school year began, July for summer."""
    month = pl.when(pl.col("delivery_type") == "S").then(pl.lit("07")).otherwise(pl.col("semester"))
    return pl.format("{}{}", (pl.col("school_year") + 1).cast(pl.String), month).alias(
        "completion_date"
    )


def _grade_type() -> pl.Expr:
    """F before the creation month; this semester M (midterm marks out) or C; later P or C."""
    finished = pl.col("completion_date") < pl.col("creation_month")
    this_semester = pl.col("completion_date") <= f"{CURRENT_SCHOOL_YEAR + 1}01"
    midterms_out = pl.col("reports_midterms") & (pl.col("creation_date") >= "20261105")
    return (
        pl.when(finished)
        .then(pl.lit("F"))
        .when(this_semester & midterms_out & (pl.col("draw") < 0.8))
        .then(pl.lit("M"))
        .when(this_semester | (pl.col("draw") < 0.15))
        .then(pl.lit("C"))
        .otherwise(pl.lit("P"))
        .alias("grade_type")
    )


def _between(low: float, high: float) -> pl.Expr:
    return (pl.col("note_draw") >= low) & (pl.col("note_draw") < high)


def _course_flags() -> dict[str, pl.Expr]:
    """What is special about a course (exclusive, drawn once per course)."""
    finished, early = pl.col("grade_type") == "F", pl.col("grade") <= 10
    subject = pl.col("course_code").str.slice(0, 3)
    return {
        "co_op": (pl.col("grade") >= 11) & _between(0.0, 0.015),
        "non_credit": _between(0.015, 0.018),
        "withdrawn": finished & _between(0.018, 0.023),
        "deleted": pl.col("grade_type").is_in(["P", "C"]) & _between(0.023, 0.025),
        "immersion": early & subject.is_in(["CGC", "CHC"]) & _between(0.025, 0.1),
        "other_note": _between(0.1, 0.112),
        "equivalency": early & finished & (pl.col("draw") > 0.99),
        "failed": finished & (pl.col("raw_mark") < 50),
        "in_french": pl.col("french") | subject.is_in(["FSF", "FEF", "FIF", "FRA"]),
    }


def _marks_and_credits() -> list[pl.Expr]:
    flag = {name: pl.col(name) for name in _course_flags()}
    half = pl.col("course_code").is_in(list(HALF_CREDIT))
    no_credit = flag["non_credit"] | flag["withdrawn"] | (flag["failed"] & ~flag["equivalency"])
    return [
        pl.when(flag["non_credit"] & (pl.col("grade_type") == "F"))
        .then(pl.lit("ALT"))
        .when(flag["equivalency"])
        .then(pl.lit("EQV"))
        .when(pl.col("grade_type").is_in(["F", "M"]))
        .then(pl.col("raw_mark").cast(pl.String).str.zfill(3))
        .otherwise(pl.lit(""))
        .alias("mark"),
        pl.when(flag["co_op"])
        .then(pl.lit("0200"))
        .when(no_credit)
        .then(pl.lit("0000"))
        .otherwise(pl.when(half).then(pl.lit("0050")).otherwise(pl.lit("0100")))
        .alias("credit_value"),
    ]


def _status_and_notes() -> list[pl.Expr]:
    flag = {name: pl.col(name) for name in _course_flags()}
    return [
        pl.when(flag["non_credit"])
        .then(pl.lit("X"))
        .when(flag["withdrawn"])
        .then(pl.lit("W"))
        .when(flag["deleted"])
        .then(pl.lit("D"))
        .otherwise(pl.lit(""))
        .alias("course_status"),
        pl.when(flag["co_op"])
        .then(pl.lit("C"))
        .when(flag["non_credit"])
        .then(pl.lit("A"))
        .when(flag["immersion"])
        .then(pl.lit("F"))
        .when(flag["other_note"])
        .then(pl.col("section").replace({"A": "E", "B": "J", "C": "K", "D": "R"}))
        .otherwise(pl.lit(""))
        .alias("notes"),
    ]


def _where_and_how() -> list[pl.Expr]:
    """Course type, the schools involved, language, the school's section letter and title."""
    delivery = pl.col("delivery_type")
    return [
        pl.when(pl.col("co_op")).then(pl.lit("E")).otherwise(pl.lit("R")).alias("course_type"),
        pl.when(delivery.is_in(["S", "N"]))
        .then(pl.col("continuing_mident"))
        .otherwise(pl.lit("000000"))
        .alias("course_mident"),
        pl.when(pl.col("in_french") | pl.col("immersion"))
        .then(pl.lit("F"))
        .otherwise(pl.lit("E"))
        .alias("language"),
        pl.when(delivery.is_in(["O", "C"]))
        .then(pl.col("supplier"))
        .otherwise(pl.lit(""))
        .alias("supplier_mident"),
        pl.when(pl.col("section_letters") & (pl.col("draw") < 0.3))
        .then(pl.col("course_code") + pl.col("section"))
        .otherwise(pl.col("course_code"))
        .alias("course_code"),
        pl.when(pl.col("sends_titles"))
        .then(pl.col("title").fill_null(""))
        .otherwise(pl.lit(""))
        .alias("course_title"),
    ]


def _grade_values(frame: pl.DataFrame) -> pl.DataFrame:
    """Grade type, mark, credit, status, notes and the other coded fields of each course."""
    with_flags = frame.with_columns(_grade_type()).with_columns(**_course_flags())
    return with_flags.with_columns(*_marks_and_credits(), *_status_and_notes(), *_where_and_how())


_G1_OUTPUT = [
    "student_key", "school_index", "creation_month", pl.lit("G1").alias("record_type"), "mident",
    "student_number", "course_code", "completion_date", "grade_type", "mark", "credit_value",
    "course_status", "delivery_type", "course_type", "course_mident", "language", "notes",
    "supplier_mident", "course_title",
]  # fmt: skip


# --- defects -----------------------------------------------------------------------------------


def _pick(
    rng: np.random.Generator, eligible: np.ndarray, taken: np.ndarray, count: int
) -> np.ndarray:
    """`count` random rows that are eligible and not taken yet (fewer if there are not enough)."""
    free = np.flatnonzero(eligible & ~taken)
    chosen = rng.choice(free, size=min(count, free.size), replace=False) if free.size else free
    taken[chosen] = True
    return chosen


def assign_defects(
    rng: np.random.Generator,
    frame: pl.DataFrame,
    codes: Sequence[str],
    rate: float,
    eligibility: dict[str, pl.Expr],
) -> pl.Series:
    """A `defect` column: one code for about `rate` of the rows, spread evenly over `codes`."""
    each = max(0, round(frame.height * rate / len(codes)))
    taken = np.zeros(frame.height, dtype=bool)
    defect = np.full(frame.height, None, dtype=object)
    flags = frame.select(**{code: eligibility.get(code, eligibility["default"]) for code in codes})
    for code in codes:
        defect[_pick(rng, flags[code].to_numpy(), taken, each)] = code
    return pl.Series("defect", defect.tolist(), dtype=pl.String)


def apply_defects(
    frame: pl.DataFrame, mutations: dict[str, list[tuple[str, pl.Expr | str]]]
) -> pl.DataFrame:
    """Each field rewritten on the rows whose `defect` calls for it."""
    columns = []
    for column, changes in mutations.items():
        value = pl.col(column)
        expr = None
        for code, changed in changes:
            changed = changed if isinstance(changed, pl.Expr) else pl.lit(changed)
            expr = (expr.when if expr is not None else pl.when)(pl.col("defect") == code).then(
                changed
            )
        columns.append(expr.otherwise(value).alias(column) if expr is not None else value)
    return frame.with_columns(columns)


STUDENT_MUTATIONS: dict[str, list[tuple[str, pl.Expr | str]]] = {
    "surname": [("S002", "")],
    "first_name": [("S003", "")],
    "birth_date": [("S004", pl.col("birth_date").str.slice(0, 4) + "0231")],
    "oen": [("S005", pl.col("oen").str.slice(1).str.pad_start(9, " "))],
    "gender": [("S006", "Q")],
    "citizenship": [("S007", "CA")],
    "grad_status": [("S008", "G")],
    "ossd_issue_date": [("S008", "")],
    "postal_code": [
        (
            "S009",
            pl.col("postal_code").str.slice(0, 3) + " " + pl.col("postal_code").str.slice(3, 2),
        )
    ],
}
GRADE_MUTATIONS: dict[str, list[tuple[str, pl.Expr | str]]] = {
    "record_type": [("R001", "G2")],
    "mident": [
        (
            "R003",
            pl.col("mident").str.slice(0, 5)
            + pl.when(pl.col("mident").str.ends_with("8")).then(pl.lit("7")).otherwise(pl.lit("8")),
        )
    ],
    "student_number": [("R004", "ZZ" + pl.col("student_number").str.slice(2))],
    "course_code": [("G001", pl.col("course_code").str.slice(0, 4) + pl.lit("X"))],
    "completion_date": [
        ("G002", pl.col("completion_date").str.slice(0, 4) + pl.lit("13")),
        ("G016", pl.lit(f"{CURRENT_SCHOOL_YEAR + 1}06")),
    ],
    "grade_type": [("G003", "Z"), ("G010", pl.col("grade_type")), ("G016", "F"), ("G017", "P")],
    "mark": [
        ("G004", pl.col("mark").str.slice(0, 1) + pl.lit("O")),
        ("G005", ""),
        ("G006", "EQV"),
        ("G016", "082"),
        ("G017", ""),
    ],
    "credit_value": [("G007", "0500"), ("G018", "0000"), ("G020", "0000")],
    "course_status": [("G008", "X"), ("G009", "Q"), ("G010", "D"), ("G018", "W"), ("G020", "")],
    "delivery_type": [("G011", "Z")],
    "course_type": [("G012", "Z")],
    "course_mident": [("G013", "12A456")],
    "notes": [("G014", "CC"), ("G020", "A")],
    "language": [("G019", "B")],
}


def student_eligibility() -> dict[str, pl.Expr]:
    return {
        "default": pl.repeat(True, pl.len()),
        "S005": pl.col("oen") != "000000000",
        "S008": pl.col("grad_status") == "N",
        "S009": pl.col("postal_code") != "",
    }


def grade_eligibility() -> dict[str, pl.Expr]:
    """Rows on which a defect gives its own code and no other one."""
    grade_type, mark, status, notes = (
        pl.col(c) for c in ("grade_type", "mark", "course_status", "notes")
    )
    plain = (status == "") & (notes == "") & mark.str.contains("^[0-9]*$")
    numeric_final = plain & grade_type.is_in(["F", "M"]) & (mark != "")
    return {
        "G004": numeric_final,
        "G005": numeric_final & (grade_type == "F"),
        "G006": numeric_final & (grade_type == "M"),
        "G008": plain & (grade_type == "F") & (pl.col("credit_value") != "0000"),
        "G010": plain & (grade_type == "F"),
        "G014": notes == "",
        "G015": plain,
        "G016": plain & grade_type.is_in(["P", "C"]) & (pl.col("course_type") == "R"),
        "G017": plain
        & (grade_type == "F")
        & (pl.col("completion_date") < pl.col("creation_month")),
        "G018": plain & grade_type.is_in(["P", "C"]),
        "G020": plain & (grade_type.is_in(["P", "C"])),
        "default": plain,
    }


def with_duplicates(grades: pl.DataFrame) -> pl.DataFrame:
    """G015: each row marked for it is sent twice (both occurrences are rejected)."""
    copies = grades.filter(pl.col("defect") == "G015").with_columns(copy=pl.lit(1))
    return pl.concat([grades.with_columns(copy=pl.lit(0)), copies]).sort(
        "student_key", "row", "copy"
    )


# --- formatting ----------------------------------------------------------------------------------


def _formatted(spec: FieldSpec) -> pl.Expr:
    """One field as written: A left-justified, N right-justified zero-padded, blank stays blank."""
    value = pl.col(spec.name).fill_null("")
    if spec.type == "N":
        filled = value.str.pad_start(spec.length, "0").str.slice(0, spec.length)
        return (
            pl.when(value.str.strip_chars() == "").then(pl.lit(" " * spec.length)).otherwise(filled)
        )
    return value.str.pad_end(spec.length).str.slice(0, spec.length)


def record_text(record_type: str, layout: Layout) -> pl.Expr:
    """The 200-character record of `record_type`, field by field as the layout table places them."""
    parts: list[pl.Expr] = []
    position = 1
    for spec in sorted(layout.fields_of(record_type), key=lambda spec: spec.start):
        if spec.start > position:
            parts.append(pl.lit(" " * (spec.start - position)))
        parts.append(_formatted(spec))
        position = spec.end + 1
    if position <= RECORD_LENGTH:
        parts.append(pl.lit(" " * (RECORD_LENGTH - position + 1)))
    return pl.concat_str(parts).alias("text")


# --- files -------------------------------------------------------------------------------------


def headers_and_trailers(
    schools: pl.DataFrame, body: pl.DataFrame, layout: Layout
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """T1 and B1 of each file; the trailer counts what the file holds (F005: one grade more)."""
    counts = body.group_by("school_index").agg(
        student_count=(pl.col("record_type") == "S1").sum().cast(pl.Int64),
        grade_count=(pl.col("record_type") == "G1").sum().cast(pl.Int64),
        record_count=pl.len().cast(pl.Int64) + 2,
    )
    short_count = (pl.col("file_defect") == "F005").fill_null(False)
    with_counts = (
        schools.join(counts, on="school_index", how="left")
        .with_columns(pl.col("student_count", "grade_count", "record_count").fill_null(0))
        .with_columns(grade_count=pl.col("grade_count") + short_count.cast(pl.Int64))
        .with_columns(pl.col("student_count", "grade_count", "record_count").cast(pl.String))
    )
    t1 = with_counts.with_columns(record_type=pl.lit("T1")).select(
        "school_index", defect=pl.lit(None, pl.String), text=record_text("T1", layout)
    )
    b1 = with_counts.with_columns(record_type=pl.lit("B1")).select(
        "school_index",
        defect=pl.when(short_count).then(pl.lit("F005")),
        text=record_text("B1", layout),
    )
    return t1, b1


def file_names(schools: pl.DataFrame) -> pl.Expr:
    """S<MIDENT>.C<n>; F007 files carry another transmission number than their header."""
    number = pl.col("transmission_number").cast(pl.Int64)
    wrong = pl.when(number == 9).then(1).otherwise(number + 1).cast(pl.String)
    shown = (
        pl.when(pl.col("file_defect") == "F007")
        .then(wrong)
        .otherwise(pl.col("transmission_number"))
    )
    return pl.format("S{}.C{}", pl.col("mident"), shown).alias("file")


def write_files(lines: pl.DataFrame, schools: pl.DataFrame, inbox: Path) -> None:
    """Each school's lines in its encoding, line ending and trimming."""
    inbox.mkdir(parents=True, exist_ok=True)
    by_school = {
        key[0]: part for key, part in lines.partition_by("school_index", as_dict=True).items()
    }
    for school in schools.iter_rows(named=True):
        part = by_school[school["school_index"]]
        texts = part["text"]
        if school["trims_blanks"]:
            texts = texts.str.strip_chars_end(" ")
        newline = school["newline"]
        content = newline.join(texts.to_list()) + newline
        encoding = school["encoding"]
        (inbox / school["file"]).write_bytes(content.encode(encoding, errors="replace"))


def with_record_defects(
    rng: np.random.Generator, students: pl.DataFrame, grades: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """About DEFECT_RATE of the S1 and of the G1 records broken, one code each."""
    students = students.with_columns(
        defect=assign_defects(rng, students, STUDENT_DEFECTS, DEFECT_RATE, student_eligibility())
    )
    grades = grades.with_row_index("row").with_columns(
        defect=assign_defects(rng, grades, GRADE_DEFECTS, DEFECT_RATE, grade_eligibility())
    )
    return (
        apply_defects(students, STUDENT_MUTATIONS),
        with_duplicates(apply_defects(grades, GRADE_MUTATIONS)),
    )


def body_lines(students: pl.DataFrame, grades: pl.DataFrame, layout: Layout) -> pl.DataFrame:
    """Each S1 followed by its G1s, school by school; R002 records carry text past column 200."""
    too_long = (
        pl.when(pl.col("defect") == "R002").then(pl.lit("SEE ATTACHED")).otherwise(pl.lit(""))
    )
    s1 = students.select(
        "school_index", "student_key", "defect", row=pl.lit(-1, pl.Int64), copy=pl.lit(0),
        text=record_text("S1", layout), record_type=pl.lit("S1"),
    )  # fmt: skip
    g1 = grades.select(
        "school_index", "student_key", "defect", pl.col("row").cast(pl.Int64), "copy",
        text=pl.concat_str(record_text("G1", layout), too_long), record_type="record_type",
    )  # fmt: skip
    return pl.concat([s1, g1], how="vertical_relaxed").sort(
        "school_index", "student_key", "row", "copy"
    )


def with_file_defects(rng: np.random.Generator, schools: pl.DataFrame) -> pl.DataFrame:
    """FILE_DEFECT_RATE of the files rejected whole (F005 or F007), and every file's name."""
    n_files = schools.height
    file_defect = np.full(n_files, None, dtype=object)
    broken = rng.choice(n_files, size=round(n_files * FILE_DEFECT_RATE), replace=False)
    file_defect[broken] = _choice(rng, ("F005", "F007"), broken.size)
    schools = schools.with_columns(file_defect=pl.Series(file_defect.tolist(), dtype=pl.String))
    return schools.with_columns(file_names(schools))


def assemble(
    rng: np.random.Generator,
    students: pl.DataFrame,
    grades: pl.DataFrame,
    schools: pl.DataFrame,
    layout: Layout,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Every line of every file in order (T1, each S1 and its G1s, B1); schools with file names."""
    students, grades = with_record_defects(rng, students, grades)
    body = body_lines(students, grades, layout)
    schools = with_file_defects(rng, schools)
    t1, b1 = headers_and_trailers(schools, body, layout)
    columns = ("school_index", "defect", "text", "student_key", "order")
    no_student = pl.lit(None, pl.Int64)
    parts = [
        t1.with_columns(student_key=no_student, order=pl.lit(0)).select(columns),
        body.with_columns(order=pl.lit(1)).select(columns),
        b1.with_columns(student_key=no_student, order=pl.lit(2)).select(columns),
    ]
    lines = (
        pl.concat(parts, how="vertical_relaxed")
        .with_row_index("position")
        .sort("school_index", "order", "position")
        .with_columns(
            line=pl.int_range(1, pl.len() + 1).over("school_index"),
            record_type=pl.col("text").str.slice(0, 2),
        )
        .join(schools.select("school_index", "file", "file_defect"), on="school_index")
    )
    return lines, schools


# --- applicants --------------------------------------------------------------------------------


APPLICANT_COLUMNS = (
    "application_number", "account_number", "first_name", "middle_name", "last_name",
    "previous_last_name", "birth_date", "oen", "gender", "school_midents", "paid", "international",
)  # fmt: skip


def applicants_csv(rng: np.random.Generator, applicants: pl.DataFrame, path: Path) -> None:
    """The applicants in the docs/matching.md CSV columns."""
    n = applicants.height
    applicants.select(
        "application_number",
        account_number=_digits(rng, n, 8),
        first_name="first_name",
        middle_name="middle_name",
        last_name="last_name",
        previous_last_name="previous_last_name",
        birth_date=pl.col("birth_date").dt.strftime("%Y-%m-%d"),
        oen="oen",
        gender="gender",
        school_midents=pl.col("school_midents").list.join(";"),
        paid=pl.Series(np.where(rng.random(n) < 0.92, "true", "false")),
        international=pl.when(pl.col("international"))
        .then(pl.lit("true"))
        .otherwise(pl.lit("false")),
    ).write_csv(path)


# --- the whole batch ---------------------------------------------------------------------------


def generate_batch(
    size: BatchSize, out: Path, seed: int = SEED, *, mident: str | None = None
) -> dict:
    """Write a batch of `size` under `out`; its manifest. All in one school when `mident` is set."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    linkage = generate_linkage_set(size.students, seed=seed % 1000)
    students_in = linkage.students
    if mident is not None:
        students_in = students_in.with_columns(mident=pl.lit(mident))
    midents = students_in["mident"].unique().sort().to_list()
    schools = schools_frame(rng, midents)
    layout = default_layout()
    students = students_frame(rng, students_in, linkage.truth, schools)
    grades = grades_frame(rng, students, schools, size.grades)
    lines, schools = assemble(rng, students, grades, schools, layout)
    if out.exists():
        shutil.rmtree(out)
    (out / "truth").mkdir(parents=True)
    write_files(lines, schools, out / "inbox")
    applicants_csv(rng, linkage.applicants, out / "applicants.csv")
    truth = write_truth(lines, students, out / "truth")
    manifest = {
        "seed": seed,
        "students": students.height,
        "grades": int((lines["record_type"] == "G1").sum()),
        "records": lines.height,
        "files": schools.height,
        "applicants": linkage.applicants.height,
        "defective_records": truth["defective_records"],
        "rejected_files": int(schools["file_defect"].is_not_null().sum()),
        "generated_seconds": round(time.perf_counter() - started, 2),
        "load_average_at_end": [round(load, 2) for load in os.getloadavg()],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def write_truth(lines: pl.DataFrame, students: pl.DataFrame, folder: Path) -> dict[str, int]:
    """Students by file and line with their true application; every injected defect."""
    s1 = lines.filter(pl.col("record_type") == "S1").select(
        "file", "line", "student_key", "defect", "file_defect"
    )
    s1.join(
        students.select(
            "student_key",
            "mident",
            "student_number",
            "true_application_number",
            "true_international",
        ),
        on="student_key",
    ).with_columns(
        rejected=pl.col("defect").is_in(REJECTING_STUDENT_DEFECTS).fill_null(False)
        | pl.col("file_defect").is_not_null()
    ).drop("defect").write_parquet(folder / "students.parquet")
    record_defects = lines.filter(
        pl.col("defect").is_not_null() & ~pl.col("defect").str.starts_with("F")
    ).select("file", pl.col("line").cast(pl.Int64), code="defect")
    file_defects = (
        lines.filter(pl.col("file_defect").is_not_null())
        .select("file", line=pl.lit(None, pl.Int64), code="file_defect")
        .unique(maintain_order=True)
    )
    defects = pl.concat([record_defects, file_defects])
    defects.write_parquet(folder / "defects.parquet")
    return {"defective_records": record_defects.height}


def generate_big_file(grades: int, out: Path, seed: int = SEED + 1) -> dict:
    """One school's file with about `grades` G1 records (the parse and validate comparison)."""
    students = max(1, math.ceil(grades * STUDENTS / GRADES))
    manifest = generate_batch(BatchSize(students, grades), out, seed, mident=BIG_FILE_MIDENT)
    return manifest


def batch_folder(scale: float, work: Path = WORK) -> Path:
    return work / f"provincial-{scale:g}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--big-grades", type=int, default=0, help="also write the single big file")
    args = parser.parse_args(argv)
    out = args.out or batch_folder(args.scale)
    print(json.dumps(generate_batch(BatchSize.at_scale(args.scale), out), indent=2))
    if args.big_grades:
        print(json.dumps(generate_big_file(args.big_grades, out.parent / "big"), indent=2))


if __name__ == "__main__":
    main()
