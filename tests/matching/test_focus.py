"""Matching a few students among many: their decisions are those of matching everyone."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from bench.linkage_noise import hard_linkage_set
from matching import ApplicantPool, match_students
from matching.prepare import prepare_students


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


def test_a_restricted_pool_finds_every_pair_with_its_applicants() -> None:
    linkage = hard_linkage_set(2_000, 13)
    pool = ApplicantPool.of(linkage.applicants)
    students = prepare_students(linkage.students)
    kept = pool.prepared["a_idx"].gather_every(4)
    everywhere = pool.candidates(students)[0]
    narrow = pool.restricted_to(kept).candidates(students)[0]
    # Only the kept applicants, and every pair the whole pool has with them (the names may be
    # searched for more students: a few more pairs, never fewer).
    assert narrow["a_idx"].is_in(kept.implode()).all()
    wanted = everywhere.filter(pl.col("a_idx").is_in(kept.implode()))
    assert wanted.join(narrow, on=["s_idx", "a_idx"], how="anti").is_empty()
    assert narrow.height >= wanted.height > 100
