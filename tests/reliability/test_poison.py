"""A transmission that kills the process is set aside; a polars panic is a one-line failure."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from polars.exceptions import PanicException
from sqlalchemy import select
from typer.testing import CliRunner

from pipeline.batch import run_batch
from pipeline.cli import app
from pipeline.config import BatchOptions
from pipeline.ingest import IngestContext, TransmissionFailed, ingest_paths
from pipeline.models import Transmission
from pipeline.store import table
from tests.pipeline.test_ingest_end_to_end import SAMPLES

POISON, GOOD = "S871234.C1", "S885827.C1"  # the poison comes first in school order


class Killed(BaseException):
    """Stands for the kernel killing the process: nothing after it runs."""


def statuses(ctx: IngestContext) -> dict[str, tuple[str, int]]:
    t = table(Transmission)
    with ctx.engine.connect() as conn:
        rows = conn.execute(select(t.c.file_name, t.c.status, t.c.interrupted_attempts)).all()
    return {row.file_name: (row.status, row.interrupted_attempts) for row in rows}


def test_a_transmission_that_kills_the_process_is_set_aside(ingest_ctx: IngestContext) -> None:
    ctx = replace(ingest_ctx, settings=replace(ingest_ctx.settings, max_interrupted_attempts=2))
    for name in (POISON, GOOD):
        (ctx.settings.inbox / name).write_bytes((SAMPLES / name).read_bytes())

    def die_on_the_poison(step: str) -> None:
        if step == "records" and statuses(ctx).get(POISON, ("",))[0] == "processing":
            raise Killed

    ctx.checkpoint = die_on_the_poison
    options = BatchOptions(settle_seconds=0)
    for _ in range(2):  # every run dies on it, and the good file waits behind it
        with pytest.raises(Killed):
            run_batch(ctx, options)
        assert GOOD not in statuses(ctx)
    summary = run_batch(ctx, options)
    results = {result.file: result for result in summary.files}
    assert results[POISON].status == "failed"
    assert "set aside: the process died 2 times" in str(results[POISON].reason)
    assert results[GOOD].status == "processed"
    assert statuses(ctx)[POISON] == ("failed", 2)
    assert list(ctx.settings.inbox.iterdir()) == []  # archived, for the replay


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_polars_panic_fails_the_transmission_not_the_run(ingest_ctx: IngestContext) -> None:
    def panic(step: str) -> None:
        if step == "matching":
            raise PanicException("called `Option::unwrap()` on a `None` value")

    ingest_ctx.checkpoint = panic
    [outcome] = ingest_paths(ingest_ctx, [SAMPLES / GOOD])
    assert isinstance(outcome, TransmissionFailed)
    assert str(outcome).endswith("merge failed: called `Option::unwrap()` on a `None` value")


def test_a_polars_panic_in_a_command_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def panics(*_args: object, **_kwargs: object) -> None:
        raise PanicException("capacity overflow")

    monkeypatch.setattr("pipeline.files.validate_path", panics)  # imported by the command
    result = CliRunner().invoke(app, ["validate", str(SAMPLES / GOOD)])
    assert result.exit_code == 2
    assert result.stderr == "ost: unexpected PanicException: capacity overflow\n"
