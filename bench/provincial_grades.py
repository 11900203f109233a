"""The provincial batch's grades: every G1 field, drawn from the course-code table by pathway
and grade, with grade types by term relative to each file's creation date."""

from __future__ import annotations

import numpy as np
import polars as pl

from bench.provincial_schools import choice
from bench.provincial_students import PATHWAYS
from rules.code_tables import load_course_codes

CURRENT_SCHOOL_YEAR = 2026  # September 2026 to June 2027
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
VIRTUAL_SCHOOLS = ("880999", "881888", "882777", "883666", "884555", "885444", "886333")
SECTION_LETTERS = "ABCD"


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
    delivery = pl.Series(choice(rng, "DSNOC", n, p=(0.905, 0.03, 0.01, 0.05, 0.005)))
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
            supplier=pl.Series(choice(rng, VIRTUAL_SCHOOLS, n)),
            section=pl.Series(choice(rng, SECTION_LETTERS, n)),
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
