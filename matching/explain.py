"""Each student beside each applicant, field by field, as an operator reviews them."""

import polars as pl

from matching.fields import FIELDS
from matching.pool import ApplicantPool
from matching.prepare import prepare_students
from matching.scoring import pair_evidence

# The columns shown for each field: the student's and the applicant's values as given.
_SHOWN = {
    "oen": ("s_oen", "a_oen"),
    "birth_date": ("s_bd", "a_bd"),
    "surname": ("s_surname", "a_last"),
    "first_name": ("s_first", "a_first"),
    "middle_name": ("s_middle", "a_middle"),
    "school": ("mident", "a_schools"),
}
AGREEING = ("equal", "exact", "same", "agrees")


def compare_pairs(students: pl.DataFrame, applicants: pl.DataFrame) -> pl.DataFrame:
    """Every (student, applicant) pair, one row per field.

    Columns: student_key, application_number, field, student, applicant (values as text),
    level, weight, differs (the level is not an agreement), total (the pair's weight).
    """
    pool = ApplicantPool.of(applicants)
    prepared = prepare_students(students)
    pairs = prepared.select("s_idx").join(pool.prepared.select("a_idx"), how="cross")
    evidence = pair_evidence(prepared, pool.prepared, pairs)
    evidence = evidence.join(
        prepared.select("s_idx", "s_middle"), on="s_idx", how="left", suffix="_shown"
    ).join(pool.prepared.select("a_idx", "a_middle"), on="a_idx", how="left", suffix="_shown")
    rows = []
    for field in FIELDS:
        mine, theirs = _SHOWN[field]
        mine = mine + "_shown" if mine + "_shown" in evidence.columns else mine
        theirs = theirs + "_shown" if theirs + "_shown" in evidence.columns else theirs
        applicant = pl.col(theirs)
        if field == "school":
            applicant = applicant.list.join(";")
        rows.append(
            evidence.select(
                "student_key",
                "application_number",
                field=pl.lit(field),
                student=pl.col(mine).cast(pl.String),
                applicant=applicant.cast(pl.String),
                level=pl.col(field + "_fs"),
                weight=pl.col(field + "_w").round(2),
                differs=~pl.col(field + "_fs").is_in(AGREEING),
                total=pl.col("weight"),
            )
        )
    return pl.concat(rows)
