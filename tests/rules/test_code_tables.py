"""The packaged code tables and the course-code table's loader."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import polars as pl
import pytest

from rules.code_tables import (
    COURSE_CODE_COLUMNS,
    COURSE_CODES_ENV,
    DATA_DIR,
    CodeTableError,
    course_codes_path,
    load_countries,
    load_course_codes,
    load_shsm_sectors,
)

HEADER = ",".join(COURSE_CODE_COLUMNS)
GRADES = {"9", "10", "11", "12"}
LEVELS = set("ABCDE")
COURSE_TYPES = set("DPLOWUMCE")
DISCIPLINES = {
    "Arts",
    "Business Studies",
    "Canadian and World Studies",
    "Classical and International Languages",
    "Computer Studies",
    "English",
    "English as a Second Language and English Literacy Development",
    "First Nations, Métis, and Inuit Studies",
    "Français",
    "French as a Second Language",
    "Guidance and Career Education",
    "Health and Physical Education",
    "Interdisciplinary Studies",
    "Mathematics",
    "Native Languages",
    "Science",
    "Social Sciences and Humanities",
    "Technological Education",
}
# Curricula that do not run through Grades 9 to 12: computer studies starts in Grade 10,
# interdisciplinary studies in Grade 11, and the language programs progress by level.
GRADES_TAUGHT = {
    "Computer Studies": {"10", "11", "12"},
    "Interdisciplinary Studies": {"11", "12"},
    "Classical and International Languages": {"12"},
    "English as a Second Language and English Literacy Development": set(),
    "Native Languages": set(),
}
LEVEL_DISCIPLINES = {
    "Classical and International Languages",
    "English as a Second Language and English Literacy Development",
    "Native Languages",
}


@pytest.fixture
def course_codes() -> pl.DataFrame:
    return load_course_codes(DATA_DIR / "course_codes.csv")


@pytest.fixture
def course_codes_replacement_csv(tmp_path: Path) -> Path:
    path = tmp_path / "ministry_extract.csv"
    path.write_text(
        f"{HEADER}\n"
        "ENG4U,English,English,12,U\n"
        "ZZZ4U,A course only the replacement has,English,12,U\n",
        encoding="utf-8",
    )
    return path


@pytest.fixture
def shsm_sectors() -> frozenset[str]:
    return load_shsm_sectors()


@pytest.fixture
def countries() -> frozenset[str]:
    return load_countries()


def test_course_codes_load_as_text_columns(course_codes: pl.DataFrame) -> None:
    assert tuple(course_codes.columns) == COURSE_CODE_COLUMNS
    assert set(course_codes.dtypes) == {pl.String}


def test_course_codes_hold_at_least_700_unique_codes(course_codes: pl.DataFrame) -> None:
    assert course_codes.height >= 700
    assert course_codes["code"].n_unique() == course_codes.height


def test_every_course_code_is_well_formed(course_codes: pl.DataFrame) -> None:
    malformed = [
        code for code in course_codes["code"] if not re.fullmatch(r"[A-Z]{3}[1-4A-E][A-Z]", code)
    ]
    assert malformed == []


def test_grade_and_course_type_agree_with_the_code(course_codes: pl.DataFrame) -> None:
    grade_of = {"1": "9", "2": "10", "3": "11", "4": "12"}
    wrong = [
        row["code"]
        for row in course_codes.iter_rows(named=True)
        if row["grade"] != grade_of.get(row["code"][3], row["code"][3])
        or row["course_type"] != row["code"][4]
    ]
    assert wrong == []


def test_every_course_has_a_title(course_codes: pl.DataFrame) -> None:
    untitled = course_codes.filter(pl.col("title").fill_null("").str.strip_chars() == "")
    assert untitled["code"].to_list() == []


@pytest.mark.parametrize("code", ["MTH1W", "SNC1W", "CGC1W", "ENL1W"])
def test_de_streamed_grade_9_courses_are_present(course_codes: pl.DataFrame, code: str) -> None:
    assert code in course_codes["code"].to_list()


def test_the_disciplines_are_the_curriculum_areas(course_codes: pl.DataFrame) -> None:
    assert set(course_codes["discipline"]) == DISCIPLINES


@pytest.mark.parametrize("discipline", sorted(DISCIPLINES))
def test_each_discipline_has_courses_in_every_grade_it_teaches(
    course_codes: pl.DataFrame, discipline: str
) -> None:
    grades = set(course_codes.filter(pl.col("discipline") == discipline)["grade"])
    assert GRADES_TAUGHT.get(discipline, GRADES) <= grades


@pytest.mark.parametrize("discipline", sorted(LEVEL_DISCIPLINES))
def test_language_programs_progress_by_level(course_codes: pl.DataFrame, discipline: str) -> None:
    grades = set(course_codes.filter(pl.col("discipline") == discipline)["grade"])
    assert len(grades & LEVELS) >= 3


def test_every_course_type_letter_is_used(course_codes: pl.DataFrame) -> None:
    assert COURSE_TYPES <= set(course_codes["course_type"])


def test_the_edition_file_names_version_and_source() -> None:
    edition = tomllib.loads((DATA_DIR / "course_codes.toml").read_text(encoding="utf-8"))
    assert edition["version"] == "2026.1"
    assert "Ministry of Education" in edition["source"]


def test_shsm_sectors_are_three_letter_codes(shsm_sectors: frozenset[str]) -> None:
    assert {"AGR", "ART", "BUS", "CON", "HEA", "ICT", "JUS", "MAN", "TRA"} <= shsm_sectors
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in shsm_sectors)


def test_countries_are_the_iso_alpha3_codes(countries: frozenset[str]) -> None:
    assert {"CAN", "USA", "FRA"} <= countries
    assert len(countries) == 249
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in countries)


def test_the_packaged_table_is_used_without_the_environment_variable() -> None:
    assert course_codes_path(environ={}) == DATA_DIR / "course_codes.csv"
    assert course_codes_path(environ={COURSE_CODES_ENV: "  "}) == DATA_DIR / "course_codes.csv"


def test_the_environment_variable_names_the_replacement(
    course_codes_replacement_csv: Path,
) -> None:
    environ = {COURSE_CODES_ENV: str(course_codes_replacement_csv)}
    assert course_codes_path(environ=environ) == course_codes_replacement_csv
    codes = load_course_codes(course_codes_path(environ=environ))
    assert codes["code"].to_list() == ["ENG4U", "ZZZ4U"]


def test_an_explicit_path_is_read_again_after_the_file_is_replaced(
    course_codes_replacement_csv: Path,
) -> None:
    assert load_course_codes(course_codes_replacement_csv).height == 2
    course_codes_replacement_csv.write_text(
        f"{HEADER}\nMHF4U,Advanced Functions,Mathematics,12,U\n"
    )
    assert load_course_codes(course_codes_replacement_csv)["code"].to_list() == ["MHF4U"]


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("code,title\nENG4U,English\n", "header is 'code,title'"),
        ("", "cannot read the code table"),
        (f"{HEADER}\nENG4U,English,English,12,U\nEN4U,English,English,12,U\n", "'EN4U' on line 3"),
        (f"{HEADER}\neng4u,English,English,12,U\n", "malformed course code 'eng4u'"),
        (f"{HEADER}\nENG5U,English,English,12,U\n", "malformed course code 'ENG5U'"),
        (f"{HEADER}\n,English,English,12,U\n", "malformed course code None on line 2"),
        (
            f"{HEADER}\nENG4U,English,English,12,U\nENG4U,English,English,12,U\n",
            "duplicated course code 'ENG4U' on lines 2, 3",
        ),
    ],
)
def test_a_malformed_replacement_is_refused_with_a_one_line_message(
    tmp_path: Path, content: str, problem: str
) -> None:
    path = tmp_path / "broken.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CodeTableError) as raised:
        load_course_codes(path)
    message = str(raised.value)
    assert message.startswith(f"{path}: ")
    assert problem in message
    assert "\n" not in message


def test_a_missing_replacement_is_refused(tmp_path: Path) -> None:
    missing = tmp_path / "absent.csv"
    with pytest.raises(CodeTableError, match="cannot read the code table"):
        load_course_codes(missing)


def test_code_table_error_is_a_value_error() -> None:
    assert issubclass(CodeTableError, ValueError)
