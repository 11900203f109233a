"""Two `ost run` processes over one inbox (SQLite and PostgreSQL): every file processed once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select

from pipeline.config import Settings
from pipeline.database import open_database
from pipeline.lock import DatabaseLock
from pipeline.models import Run, Transmission
from pipeline.store import table

OST = Path(sys.executable).parent / "ost"
EXIT_LOCKED = 3


def start_run(settings: Settings) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "OST_HOME": str(settings.home),
        "OST_DATABASE_URL": settings.database_url,
        # Long enough for the two processes to meet at the lock.
        "OST_SETTLE_SECONDS": "2",
    }
    return subprocess.Popen(
        [str(OST), "run", "--json"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def stored(settings: Settings) -> tuple[Sequence[Any], Sequence[Any]]:
    engine = open_database(settings.database_url)
    with engine.connect() as conn:
        transmissions = conn.execute(select(table(Transmission))).all()
        runs = conn.execute(select(table(Run))).all()
    engine.dispose()
    return transmissions, runs


def test_two_concurrent_runs_process_every_file_once(settings_sample_inbox: Settings) -> None:
    names = sorted(path.name for path in settings_sample_inbox.inbox.iterdir())
    processes = [start_run(settings_sample_inbox) for _ in range(2)]
    outputs = [process.communicate(timeout=300) for process in processes]
    codes = [process.returncode for process in processes]

    summaries = []
    for code, (out, err) in zip(codes, outputs, strict=True):
        if code == EXIT_LOCKED:
            # The second run says why in one line, and does nothing.
            assert "ost: another run is in progress" in err
            assert out == ""
        else:
            assert code in (0, 1), err
            summaries.append(json.loads(out))
    # Either the second run was locked out, or it started after the first and found nothing.
    processed = sorted(item["file"] for summary in summaries for item in summary["files"])
    assert processed == names

    transmissions, runs = stored(settings_sample_inbox)
    assert sorted(t.file_name for t in transmissions) == names
    assert all(t.status not in ("duplicate", "failed", "processing") for t in transmissions)
    assert sum(run.files for run in runs) == len(names)
    assert all(run.status == "finished" for run in runs)
    assert list(settings_sample_inbox.inbox.iterdir()) == []


def test_a_run_while_the_lock_is_held_exits_3_and_touches_nothing(
    settings_sample_inbox: Settings,
) -> None:
    engine = open_database(settings_sample_inbox.database_url)
    # Held by this live process, with a fresh heartbeat: the run must leave it alone.
    held = DatabaseLock(engine, lambda: datetime.now(UTC))
    held.acquire()
    try:
        process = start_run(settings_sample_inbox)
        out, err = process.communicate(timeout=300)
    finally:
        held.release()
        engine.dispose()
    assert process.returncode == EXIT_LOCKED
    assert err.strip().splitlines()[-1].startswith("ost: another run is in progress")
    assert out == ""
    transmissions, runs = stored(settings_sample_inbox)
    assert transmissions == [] and runs == []
    assert len(list(settings_sample_inbox.inbox.iterdir())) == 5
