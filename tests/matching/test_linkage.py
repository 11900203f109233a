"""The labelled linkage set: the matcher's precision and recall on realistic data."""

from __future__ import annotations

import pytest

from bench.linkage_data import LinkageSet, generate_linkage_set
from bench.linkage_eval import Evaluation, evaluate
from matching import APPLICANTS_SCHEMA, STUDENTS_SCHEMA


@pytest.fixture(scope="module")
def linkage_small() -> LinkageSet:
    return generate_linkage_set(2_000, seed=7)


@pytest.fixture(scope="module")
def evaluation_small(linkage_small: LinkageSet) -> Evaluation:
    return evaluate(linkage_small)


def test_generator_is_deterministic_and_sized(linkage_small: LinkageSet) -> None:
    again = generate_linkage_set(2_000, seed=7)
    assert again.students.equals(linkage_small.students)
    assert again.applicants.equals(linkage_small.applicants)
    assert linkage_small.students.height == 2_000
    assert linkage_small.applicants.height == round(2_000 * 5 / 3)
    assert dict(linkage_small.students.schema) == STUDENTS_SCHEMA
    assert dict(linkage_small.applicants.schema) == APPLICANTS_SCHEMA


def test_about_a_quarter_of_the_students_never_applied(linkage_small: LinkageSet) -> None:
    never = linkage_small.truth["true_application_number"].null_count() / 2_000
    assert 0.2 < never < 0.3


def test_precision(evaluation_small: Evaluation) -> None:
    assert evaluation_small.precision >= 0.999


def test_recall(evaluation_small: Evaluation) -> None:
    assert evaluation_small.recall >= 0.985
