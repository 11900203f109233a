"""The provincial batch's files: each school's lines in order (T1, each S1 and its G1s, B1),
formatted by the product's writer (`parsers.writer.record_text`), named and written."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from bench.provincial_defects import FILE_DEFECT_RATE, with_record_defects
from bench.provincial_schools import choice
from parsers.layout import Layout
from parsers.writer import record_text


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
    file_defect[broken] = choice(rng, ("F005", "F007"), broken.size)
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
