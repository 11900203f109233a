"""A few ingests killed at seeded random points (scripts/kill_test runs many more)."""

from __future__ import annotations

import random

import pytest

from tests.reliability.kills import (
    DatabaseFactory,
    build_reference,
    kill_once,
    outcome_table,
    plan_kills,
    postgres_database,
    sqlite_database,
)
from tests.reliability.samples import sample_files

SEED = 20261115
# Two kills after a random delay, one inside a transaction, one while reports are written.
MODES = ("delay", "delay", "checkpoint", "report")
DATABASES: dict[str, DatabaseFactory] = {
    "sqlite": sqlite_database,
    "postgresql": postgres_database,
}


@pytest.mark.parametrize(
    "backend",
    [
        pytest.param(b, marks=[pytest.mark.postgres] * (b == "postgresql"))
        for b in sorted(DATABASES)
    ],
)
def test_killed_ingests_are_never_half_applied_and_converge(backend: str) -> None:
    database, files = DATABASES[backend], sample_files()
    reference = build_reference(database, files)
    kills = plan_kills(MODES, random.Random(SEED), reference.seconds, len(files))
    outcomes = [
        kill_once(number, backend, database, kill, reference)
        for number, kill in enumerate(kills, start=1)
    ]
    assert all(outcome.ok for outcome in outcomes), outcome_table(outcomes)
    assert all(outcome.converged for outcome in outcomes), outcome_table(outcomes)
