"""Defects of the provincial batch: about DEFECT_RATE of the S1 and G1 records broken, one
glossary code each, and FILE_DEFECT_RATE of the files rejected whole."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from bench.provincial_grades import CURRENT_SCHOOL_YEAR

DEFECT_RATE = 0.01
FILE_DEFECT_RATE = 0.005
# --- defects: one glossary code per defective record ---------------------------------------------

STUDENT_DEFECTS = ("S002", "S003", "S004", "S005", "S006", "S007", "S008", "S009")
GRADE_DEFECTS = (
    "G001", "G002", "G003", "G004", "G005", "G006", "G007", "G008", "G009", "G010", "G011",
    "G012", "G013", "G014", "G015", "G016", "G017", "G018", "G019", "G020",
    "R001", "R002", "R003", "R004",
)  # fmt: skip
REJECTING_STUDENT_DEFECTS = ("S002", "S003", "S004", "S005", "S006")


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
