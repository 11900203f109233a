"""Many files matched at once: each file's decisions are those of matching it alone."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from bench.linkage_noise import hard_linkage_set
from matching import ApplicantPool, match_files, match_students


def test_files_matched_together_decide_as_one_by_one() -> None:
    linkage = hard_linkage_set(3_000, 11)
    pool = ApplicantPool.of(linkage.applicants)
    students = linkage.students
    # Files of uneven sizes (one empty), so that rivals often sit in different files.
    bounds = [0, 7, 7, 400, 1_100, 1_101, 2_300, students.height]
    files = [students.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False)]
    together = match_files(files, pool)
    assert len(together) == len(files)
    for alone, shared in zip(files, together, strict=True):
        assert_frame_equal(shared, match_students(alone, pool))
    # The split matters: settled over every student at once, some decisions differ
    # (rivalries between students of different files), which the files must not see.
    everyone = match_students(students, pool)
    assert not pl.concat(together).equals(everyone)


def test_no_files_no_decisions() -> None:
    pool = ApplicantPool.of(hard_linkage_set(50, 3).applicants)
    assert match_files([], pool) == []
