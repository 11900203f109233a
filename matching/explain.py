"""Each student beside each applicant, field by field, as an operator reviews them."""

import polars as pl

from matching.fields import FIELDS
from matching.prepare import prepare_applicants, prepare_students
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


def compare_pairs(
    students: pl.DataFrame, applicants: pl.DataFrame, wanted: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Every (student, applicant) pair, or only the `wanted` ones (student_key,
    application_number), one row per field.

    Columns: student_key, application_number, field, student, applicant (values as text),
    level, weight, differs (the level is not an agreement), total (the pair's weight).
    """
    # Only the prepared applicants: a pool's search tables are for finding candidates.
    prepared_students, prepared_applicants = (
        prepare_students(students),
        prepare_applicants(applicants),
    )
    pairs = (
        prepared_students.select("s_idx").join(prepared_applicants.select("a_idx"), how="cross")
        if wanted is None
        else wanted.join(prepared_students.select("student_key", "s_idx"), on="student_key")
        .join(prepared_applicants.select("application_number", "a_idx"), on="application_number")
        .select("s_idx", "a_idx")
    )
    evidence = (
        pair_evidence(prepared_students, prepared_applicants, pairs)
        .lazy()
        .join(
            prepared_students.lazy().select("s_idx", "s_middle"),
            on="s_idx",
            how="left",
            suffix="_shown",
        )
        .join(
            prepared_applicants.lazy().select("a_idx", "a_middle"),
            on="a_idx",
            how="left",
            suffix="_shown",
        )
    )
    shown = evidence.collect_schema().names()
    rows = []
    for field in FIELDS:
        mine, theirs = _SHOWN[field]
        mine = mine + "_shown" if mine + "_shown" in shown else mine
        theirs = theirs + "_shown" if theirs + "_shown" in shown else theirs
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
    # One query for every field and both joins: on a handful of pairs the cost is per query.
    return pl.concat(rows).collect()
