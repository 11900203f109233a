"""Matching a few students among many: their decisions are those of matching everyone."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from bench.linkage_noise import hard_linkage_set
from matching import ApplicantPool, match_students


def test_focus_decides_as_matching_everyone() -> None:
    linkage = hard_linkage_set(3_000, 7)
    pool = ApplicantPool.of(linkage.applicants)
    everyone = match_students(linkage.students, pool)
    # Every third student, and the students whose decision is a rivalry or a tie (what
    # depends on other students' decisions).
    contested = everyone.filter(pl.col("status").is_in(["ambiguous", "pending"]))
    keys = pl.concat(
        [linkage.students["student_key"].gather_every(3), contested["student_key"]]
    ).unique()
    focused = match_students(linkage.students, pool, focus=keys)
    expected = everyone.filter(pl.col("student_key").is_in(keys.implode()))
    assert focused.height == keys.len()
    assert_frame_equal(focused, expected)
    assert match_students(linkage.students, pool, focus=keys.clear()).is_empty()
