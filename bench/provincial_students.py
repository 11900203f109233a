"""The provincial batch's students (every S1 field) and its applicants (docs/matching.md CSV)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from bench.provincial_schools import choice, digits
from rules.code_tables import DATA_DIR

PATHWAYS = ("university", "college", "workplace")
PATHWAY_SHARES = (0.55, 0.35, 0.10)
CITIZENSHIPS_ABROAD = ("IND", "CHN", "NGA", "PHL", "VNM", "KOR", "BRA", "MEX", "IRN", "PAK")
OTHER_CITIZENSHIPS = ("USA", "GBR", "FRA", "IND", "CHN", "PHL", "JAM", "PAK", "SYR", "UKR")
POSTAL_FIRST = "KLMNP"  # Ontario's forward sortation areas
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"


def _postal_codes(rng: np.random.Generator, size: int) -> pl.Series:
    """Canada Post codes (A9A9A9) in Ontario."""
    parts = [
        choice(rng, POSTAL_FIRST, size),
        rng.integers(0, 10, size).astype(str),
        choice(rng, POSTAL_LETTERS, size),
        rng.integers(0, 10, size).astype(str),
        choice(rng, POSTAL_LETTERS, size),
        rng.integers(0, 10, size).astype(str),
    ]
    return pl.Series(["".join(chars) for chars in zip(*parts, strict=True)])


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
        choice(rng, CITIZENSHIPS_ABROAD, n),
        np.where(rng.random(n) < 0.93, "CAN", choice(rng, OTHER_CITIZENSHIPS, n)),
    )
    french = people["french"].to_numpy() & (rng.random(n) < 0.8)
    other_language = rng.random(n) < 0.2
    phone_area = choice(rng, ("416", "647", "613", "905", "519"), n)
    phones = [f"{a}{d}" for a, d in zip(phone_area, digits(rng, n, 7), strict=True)]
    columns = {
        "pathway": choice(rng, PATHWAYS, n, p=PATHWAY_SHARES),
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
        "shsm_sector": np.where(rng.random(n) < 0.04, choice(rng, _shsm_codes(), n), ""),
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


APPLICANT_COLUMNS = (
    "application_number", "account_number", "first_name", "middle_name", "last_name",
    "previous_last_name", "birth_date", "oen", "gender", "school_midents", "paid", "international",
)  # fmt: skip


def applicants_csv(rng: np.random.Generator, applicants: pl.DataFrame, path: Path) -> None:
    """The applicants in the docs/matching.md CSV columns."""
    n = applicants.height
    applicants.select(
        "application_number",
        account_number=digits(rng, n, 8),
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
