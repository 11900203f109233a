"""A provincial batch of OST transmissions, generated deterministically, with its ground truth.

    python -m bench.provincial [--scale 1] [--out bench/work/provincial-1] [--big-grades 1000000]

At scale 1: about 900 school files, 150,000 students, 4,000,000 grades and 250,000 applicants
(docs/matching.md CSV). Students and applicants come from `bench.linkage_data` (name variants, OEN
and
birth-date slips, students who never apply, international applicants, applicants in no file);
the courses are drawn from the packaged course-code table by pathway and grade, with grade
types by term relative to each file's creation date; about 1% of the S1 and G1 records carry
one defect each, spread over the validation codes. Every column is built with polars and numpy,
and the records are formatted a column at a time by the product's own writer (`parsers.writer`).

Each part has its module: bench/provincial_schools.py (schools and their headers),
provincial_students.py (S1 records and the applicants CSV), provincial_grades.py (G1 records),
provincial_defects.py (the injected defects), provincial_files.py (the files themselves).

Written under the output folder:
    inbox/S<MIDENT>.C<n>     the transmissions
    applicants.csv           the applicants (docs/matching.md)
    truth/students.parquet   each S1: file, line, student key, true application, rejected or not
    truth/defects.parquet    each injected defect: file, line, glossary code
    manifest.json            sizes, seed and generation time
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from bench.linkage_data import generate_linkage_set
from bench.provincial_defects import REJECTING_STUDENT_DEFECTS
from bench.provincial_files import assemble, write_files
from bench.provincial_grades import grades_frame
from bench.provincial_schools import schools_frame
from bench.provincial_students import applicants_csv, students_frame
from parsers.layout import default_layout

WORK = Path(__file__).parent / "work"
SEED = 20261123
STUDENTS = 150_000
GRADES = 4_000_000
BIG_FILE_MIDENT = "999001"


@dataclass(frozen=True)
class BatchSize:
    """How much to generate."""

    students: int
    grades: int

    @classmethod
    def at_scale(cls, scale: float) -> BatchSize:
        return cls(max(1, round(STUDENTS * scale)), max(1, round(GRADES * scale)))


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
