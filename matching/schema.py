"""Column schemas of the matching inputs and of its decisions."""

import polars as pl

STUDENTS_SCHEMA: dict[str, pl.DataType] = {
    "student_key": pl.Int64(),
    "mident": pl.String(),
    "student_number": pl.String(),
    "oen": pl.String(),
    "surname": pl.String(),
    "first_name": pl.String(),
    "middle_name": pl.String(),
    "birth_date": pl.Date(),
    "gender": pl.String(),
}

APPLICANTS_SCHEMA: dict[str, pl.DataType] = {
    "application_number": pl.String(),
    "first_name": pl.String(),
    "middle_name": pl.String(),
    "last_name": pl.String(),
    "previous_last_name": pl.String(),
    "birth_date": pl.Date(),
    "oen": pl.String(),
    "gender": pl.String(),
    "school_midents": pl.List(pl.String()),
    "international": pl.Boolean(),
}

# Optional applicant columns: applications of one account are one person (docs/matching.md).
ACCOUNT_SCHEMA: dict[str, pl.DataType] = {
    "account_number": pl.String(),
    "paid": pl.Boolean(),
}

MATCH_SCHEMA: dict[str, pl.DataType] = {
    "student_key": pl.Int64(),
    "status": pl.String(),
    "application_number": pl.String(),
    "codes": pl.List(pl.String()),
    "agreed": pl.List(pl.String()),
    "reason": pl.String(),
    "candidates": pl.List(pl.String()),
    "score": pl.Float64(),
    "weight": pl.Float64(),
    "evidence": pl.String(),
}

MATCHED = "matched"
PENDING = "pending"
AMBIGUOUS = "ambiguous"
NOT_MERGED = "not_merged"
INTERNATIONAL = "international"
REVIEW = "review"  # a probable applicant below the automatic threshold (A009)
