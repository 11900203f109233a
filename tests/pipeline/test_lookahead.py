"""Files validated and matched ahead in worker processes: used only for the same bytes and date."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import signal
import subprocess
import sys
import time
from collections import deque
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from matching import ApplicantPool
from pipeline.database import open_database
from pipeline.lookahead import GROUP_FILES, Lookahead, groups_of
from pipeline.store import load_applicant_pool
from pipeline.transmission import prepare
from rules.validate import packaged_code_tables, validate_file
from tests.jobs.inbox import fill_inbox, import_sample_applicants
from tests.pipeline.conftest import NOW

TODAY = date(2026, 11, 20)


@pytest.fixture(scope="module")
def applicants_database(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A SQLite database holding the sample applicants."""
    url = f"sqlite:///{tmp_path_factory.mktemp('applicants') / 'ost.sqlite3'}"
    engine = open_database(url)
    import_sample_applicants(engine, NOW)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def applicants_sample(applicants_database: str) -> ApplicantPool:
    engine = open_database(applicants_database)
    with engine.connect() as conn:
        pool = load_applicant_pool(conn)
    engine.dispose()
    return pool


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _lookahead(
    paths: list[Path], applicants: ApplicantPool, workers: int, group_files: int = GROUP_FILES
) -> Lookahead:
    tables = packaged_code_tables()
    return Lookahead(
        paths,
        tables=tables,
        applicants=applicants,
        today=TODAY,
        max_bytes=2**20,
        workers=workers,
        group_files=group_files,
    )


def test_results_are_those_done_in_process_and_skipped_files_are_passed(
    tmp_path: Path, applicants_sample: ApplicantPool
) -> None:
    fill_inbox(tmp_path)
    first, second, third = paths = sorted(tmp_path.iterdir())
    with _lookahead(paths, applicants_sample, workers=1) as lookahead:
        # Other bytes under the same name: done again in process. The first file is never
        # asked for (as a duplicate's would not be): it is passed over.
        assert lookahead.result(second.name, "0" * 64, TODAY) is None
        ahead = lookahead.result(third.name, _sha(third), TODAY)
        assert ahead is not None and ahead.matched is not None
        tables = packaged_code_tables()
        here = validate_file(third.name, third.read_bytes(), tables=tables, today=TODAY)
        assert ahead.result.findings.equals(here.findings)
        assert ahead.result.grades.equals(here.grades) and ahead.result.header == here.header
        prepared_here = prepare(here, applicants_sample)
        decisions = prepared_here.matched
        assert decisions is not None and ahead.matched.equals(decisions)
        assert ahead.students.equals(prepared_here.students)
        assert ahead.rows == prepared_here.rows and set(ahead.rows) == {"en", "fr"}
        assert ahead.matched["status"].to_list().count("matched") >= 1
        assert lookahead.result(first.name, _sha(first), TODAY) is None


def test_another_day_or_no_workers_means_doing_it_in_process(
    tmp_path: Path, applicants_sample: ApplicantPool
) -> None:
    fill_inbox(tmp_path)
    paths = sorted(tmp_path.iterdir())
    with _lookahead(paths, applicants_sample, workers=1) as lookahead:
        assert lookahead.result(paths[0].name, _sha(paths[0]), date(2026, 11, 21)) is None
    with _lookahead(paths, applicants_sample, workers=0) as lookahead:
        assert lookahead.result(paths[0].name, _sha(paths[0]), TODAY) is None


KILLED_RUN = """
import multiprocessing, os, sys
from datetime import date
from pathlib import Path
from sqlalchemy import create_engine
from pipeline.lookahead import GROUP_FILES, Lookahead, groups_of
from pipeline.store import load_applicant_pool
from pipeline.transmission import prepare
from rules.validate import packaged_code_tables

paths = sorted(Path(sys.argv[1]).iterdir())
with create_engine(sys.argv[2]).connect() as conn:
    pool = load_applicant_pool(conn)
lookahead = Lookahead(
    paths, tables=packaged_code_tables(), applicants=pool, today=date(2026, 11, 20),
    max_bytes=2**20, workers=1,
)
lookahead.result(paths[0].name, "", date(2026, 11, 20))  # the worker is up and working
print(*(child.pid for child in multiprocessing.active_children()), flush=True)
os._exit(137)  # as abrupt as a SIGKILL: no executor shutdown
"""


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def _eventually(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Whether `condition` holds within `timeout` seconds, polled every 50 ms."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_workers_stop_when_the_run_is_killed(tmp_path: Path, applicants_database: str) -> None:
    fill_inbox(tmp_path)
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(tmp_path), applicants_database],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,  # a worker left running would keep the output open until then
    )
    assert killed.returncode == 137, killed.stderr
    workers = [int(pid) for pid in killed.stdout.split()]
    assert workers
    assert _eventually(lambda: not any(map(_running, workers)))


def test_a_worker_killed_mid_run_leaves_the_rest_to_this_process(
    tmp_path: Path, applicants_sample: ApplicantPool
) -> None:
    fill_inbox(tmp_path)
    (tmp_path / "S999999.C1").write_bytes((tmp_path / "S885827.C1").read_bytes())
    first, second, third, fourth = paths = sorted(tmp_path.iterdir())
    # One file per group, so that some are still to be done when the worker dies.
    with _lookahead(paths, applicants_sample, workers=1, group_files=1) as lookahead:
        assert lookahead.result(first.name, _sha(first), TODAY) is not None
        for worker in multiprocessing.active_children():
            os.kill(worker.pid or 0, signal.SIGKILL)
        # The executor finds its pool broken: it fails every file it had not finished.
        assert _eventually(lambda: all(future.done() for _, future, _ in lookahead._ahead))
        finished = {name for name, future, _ in lookahead._ahead if future.exception() is None}
        # What the worker finished before it was killed is used; the rest is done in process
        # (None), and nothing raises. The fourth file was never given to the broken pool.
        for path in (second, third):
            done_ahead = lookahead.result(path.name, _sha(path), TODAY) is not None
            assert done_ahead == (path.name in finished)
        assert lookahead.result(fourth.name, _sha(fourth), TODAY) is None


def test_files_are_grouped_by_size_and_count(tmp_path: Path) -> None:
    sizes = [10, 10, 50, 10, 10, 10, 200, 10]
    paths = []
    for i, size in enumerate(sizes):
        path = tmp_path / f"S{100000 + i}.C1"
        path.write_bytes(b"x" * size)
        paths.append(path)
    waiting = deque(paths)
    groups = []
    while waiting:
        groups.append([p.stat().st_size for p in groups_of(waiting, max_bytes=60, max_files=3)])
    # Files are added while the group is under 60 bytes, at most 3; a big file is a group alone.
    assert groups == [[10, 10, 50], [10, 10, 10], [200], [10]]
    gone = deque([tmp_path / "missing", *paths[:1]])
    assert groups_of(gone, max_bytes=5) == [tmp_path / "missing", paths[0]]
