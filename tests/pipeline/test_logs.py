"""What the log keeps: OENs and birth dates masked, times left readable, no scheduler chatter."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.logs import configure_logging, mask, reset_logging


@pytest.fixture
def log_file(tmp_path: Path) -> Iterator[Path]:
    yield configure_logging(tmp_path / "logs")
    reset_logging()


def test_a_date_with_a_time_of_day_is_not_masked() -> None:
    line = "next run at: 2026-12-07 04:00:00 EST; received 2026-11-15T09:30:00+00:00"
    assert mask(line) == line


@pytest.mark.parametrize(
    ("text", "masked"),
    [
        ("born 2008-05-01", "born ####-##-##"),
        ("born 20080501.", "born ####-##-##."),
        ("2008-05-01 and OEN 610773139", "####-##-## and OEN #########"),
    ],
)
def test_birth_dates_and_oens_are_masked(text: str, masked: str) -> None:
    assert mask(text) == masked


def test_the_scheduler_library_logs_only_what_an_operator_acts_on(log_file: Path) -> None:
    scheduler_log = logging.getLogger("apscheduler.scheduler")
    scheduler_log.info("Adding job tentatively -- it will be properly scheduled when the ...")
    scheduler_log.info("Running job \"ost run (trigger: or[cron[hour='4']])\"")
    scheduler_log.warning('Run time of job "ost run" was missed by 0:10:00')
    logging.getLogger("ost.scheduler").info("scheduler starting")
    messages = [json.loads(line)["message"] for line in log_file.read_text("utf-8").splitlines()]
    assert messages == ['Run time of job "ost run" was missed by 0:10:00', "scheduler starting"]
