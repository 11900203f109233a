"""Ingests killed at random points: nothing is half applied, and running again converges.

`scripts/kill_test [N]` runs this module; `tests/reliability/test_kills.py` runs a few kills.

For each kill the sample files are ingested into a fresh database by a process that is sent
SIGKILL after a random delay, at a random step of a transmission's transaction, or while the
reports are being written. Afterwards the database must hold exactly what an uninterrupted run
holds after the first k transmissions, for some k (docs/merging.md: a transmission is merged in one
transaction); every finished transmission must have its reports; then a clean `ost ingest` of
the same files must reach the state of an uninterrupted run.
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, select

from pipeline import queries
from pipeline.applicants import read_applicants, upsert_applicants
from pipeline.batch import ingest_locked
from pipeline.config import BatchOptions, Settings, load_settings
from pipeline.database import open_database
from pipeline.ingest import IngestOutcome, TransmissionFailed
from pipeline.models import (
    CourseChange,
    GradeRecord,
    MatchDecision,
    MergeFinding,
    StudentRecord,
    Transmission,
)
from pipeline.runtime import ingest_context
from pipeline.store import table
from tests.postgres import fresh_database
from tests.reliability.samples import APPLICANTS, ROOT, sample_files

FINAL_STATUSES = ("processed", "partially processed", "rejected")
# A killed ingest leaves its transmission registered, or marked as being processed.
UNFINISHED_STATUSES = frozenset({"received", "processing"})
REPORT_FILES = frozenset(
    f"report{suffix}.{kind}" for suffix in ("", ".fr") for kind in ("html", "json", "csv")
)
MODES = ("delay", "checkpoint", "report")
MODE_WEIGHTS = (5, 3, 2)
KILL_TIMEOUT = 300


# -- what a database holds -----------------------------------------------------------------


@dataclass(frozen=True)
class DatabaseState:
    """The merged courses, the rows each transmission stored and the finished transmissions.

    Everything is keyed by file name, so databases with different transmission ids compare.
    """

    courses: tuple[tuple[Any, ...], ...]
    rows: tuple[tuple[str, str, int], ...]
    finished: tuple[tuple[str, str], ...]
    unfinished: tuple[tuple[str, str], ...]

    def same_data(self, other: DatabaseState) -> bool:
        return (self.courses, self.rows, self.finished) == (
            other.courses,
            other.rows,
            other.finished,
        )


def rows_per_file(conn: Connection) -> list[tuple[str, str, int]]:
    """(table, file, rows) for every table that holds a transmission's data."""
    t = table(Transmission)
    counts: list[tuple[str, str, int]] = []
    for model in (StudentRecord, GradeRecord, CourseChange, MergeFinding):
        rows = table(model)
        query = (
            select(t.c.file_name, func.count())
            .select_from(rows.join(t, t.c.id == rows.c.transmission_id))
            .group_by(t.c.file_name)
        )
        counts += [(model.__name__, name, int(n)) for name, n in conn.execute(query)]
    decisions, students = table(MatchDecision), table(StudentRecord)
    query = (
        select(t.c.file_name, func.count())
        .select_from(
            decisions.join(students, students.c.id == decisions.c.student_record_id).join(
                t, t.c.id == students.c.transmission_id
            )
        )
        .group_by(t.c.file_name)
    )
    counts += [("MatchDecision", name, int(n)) for name, n in conn.execute(query)]
    return counts


def database_state(url: str) -> DatabaseState:
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            courses = queries.export_courses(conn).drop("transmission_id").rows()
            t = table(Transmission)
            statuses = conn.execute(
                select(t.c.file_name, t.c.status).where(t.c.status != "duplicate")
            ).all()
            rows = rows_per_file(conn)
    finally:
        engine.dispose()
    return DatabaseState(
        courses=tuple(sorted(courses, key=repr)),
        rows=tuple(sorted(rows)),
        finished=tuple(sorted((n, s) for n, s in statuses if s in FINAL_STATUSES)),
        unfinished=tuple(sorted((n, s) for n, s in statuses if s not in FINAL_STATUSES)),
    )


def missing_reports(settings: Settings, url: str) -> list[str]:
    """Finished transmissions whose six report files are not all there."""
    engine = open_database(url)
    try:
        with engine.connect() as conn:
            t = table(Transmission)
            finished = conn.execute(
                select(t.c.id, t.c.file_name).where(t.c.status.in_(FINAL_STATUSES))
            ).all()
    finally:
        engine.dispose()
    missing = []
    for transmission_id, name in finished:
        folder = settings.reports / str(transmission_id)
        present = {path.name for path in folder.glob("report*")} if folder.is_dir() else set()
        if not REPORT_FILES <= present:
            missing.append(f"{name} ({len(REPORT_FILES & present)} of {len(REPORT_FILES)})")
    return missing


def leftover_temporaries(settings: Settings) -> int:
    """Temporary files of `write_atomic` left behind (only a killed process leaves them)."""
    return sum(1 for _ in settings.home.rglob(".*.tmp"))


# -- databases and runs --------------------------------------------------------------------


def settings_for(home: Path, url: str) -> Settings:
    return load_settings({"OST_HOME": str(home), "OST_DATABASE_URL": url})


def import_applicants(url: str) -> None:
    parsed = read_applicants(APPLICANTS)
    engine = open_database(url)
    try:
        with engine.begin() as conn:
            upsert_applicants(conn, parsed.applicants, datetime.now(UTC))
    finally:
        engine.dispose()


def ingest(settings: Settings, files: Sequence[Path]) -> list[IngestOutcome | TransmissionFailed]:
    """`ost ingest FILE...` in this process: under the run lock, which a killed run left
    behind and this one recovers, as `ost ingest` does."""
    context = ingest_context(settings)
    try:
        return ingest_locked(context, list(files), BatchOptions(settle_seconds=0))
    finally:
        context.engine.dispose()


DatabaseFactory = Callable[[], AbstractContextManager[str]]


@contextmanager
def sqlite_database() -> Iterator[str]:
    with tempfile.TemporaryDirectory(prefix="ost-kill-") as folder:
        yield f"sqlite:///{Path(folder) / 'ost.sqlite3'}"


def postgres_database() -> AbstractContextManager[str]:
    return fresh_database()


@dataclass(frozen=True)
class Reference:
    """States of an uninterrupted run: after 0, 1, ... n transmissions, and its duration."""

    prefixes: tuple[DatabaseState, ...]
    seconds: float

    @property
    def final(self) -> DatabaseState:
        return self.prefixes[-1]

    def prefix_of(self, state: DatabaseState) -> int | None:
        """How many transmissions `state` holds completely, if it is such a prefix."""
        for count, prefix in enumerate(self.prefixes):
            if state.same_data(prefix):
                return count
        return None


def build_reference(database: DatabaseFactory, files: Sequence[Path]) -> Reference:
    """One database ingested file by file, another by the killable process left alone.

    Both must end in the same state; the second gives the duration that kill delays scale to.
    """
    with tempfile.TemporaryDirectory(prefix="ost-reference-") as folder:
        with database() as url:
            import_applicants(url)
            settings = settings_for(Path(folder) / "stepwise", url)
            prefixes = [database_state(url)]
            for path in files:
                ingest(settings, [path])
                prefixes.append(database_state(url))
        with database() as url:
            import_applicants(url)
            ended, seconds = run_process(settings_for(Path(folder) / "whole", url), [], files)
            whole = database_state(url)
    if ended != "exit 0" or not whole.same_data(prefixes[-1]):
        raise AssertionError(f"the uninterrupted run ({ended}) disagrees with the stepwise one")
    return Reference(tuple(prefixes), seconds)


# -- one kill ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kill:
    """Where to kill: `delay` s into the ingest, or at the `at`-th checkpoint or report file."""

    mode: str
    delay: float = 0.0
    at: int = 0

    def describe(self) -> str:
        if self.mode == "delay":
            return f"SIGKILL after {self.delay:.2f} s"
        if self.mode == "checkpoint":
            return f"at transaction step {self.at}"
        return f"before report file {self.at}"

    def arguments(self) -> list[str]:
        if self.mode == "checkpoint":
            return ["--checkpoint", str(self.at)]
        if self.mode == "report":
            return ["--report-file", str(self.at)]
        return []


def plan_kills(
    modes: Sequence[str], rng: random.Random, run_seconds: float, files: int
) -> list[Kill]:
    """A kill per mode: delays up to 1.2 times an uninterrupted run, random steps and files.

    A full run of the samples passes 7 transaction steps (records, matching and merge of two
    files, records only of the rejected one) and writes 6 report files per transmission.
    """
    steps, report_files = 3 * files - 2, len(REPORT_FILES) * files
    kills = []
    for mode in modes:
        if mode == "delay":
            kills.append(Kill(mode, delay=round(rng.uniform(0.0, 1.2 * run_seconds), 3)))
        else:
            last = steps if mode == "checkpoint" else report_files
            kills.append(Kill(mode, at=rng.randint(1, last)))
    return kills


def random_modes(count: int, rng: random.Random) -> list[str]:
    return rng.choices(MODES, MODE_WEIGHTS, k=count)


@dataclass
class KillOutcome:
    number: int
    backend: str
    kill: Kill
    process: str = ""
    after_kill: str = ""
    in_flight: str = ""
    reports_after_kill: str = ""
    converged: bool = False
    temporaries: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def run_process(
    settings: Settings, arguments: Sequence[str], files: Sequence[Path], kill_after: float = 0.0
) -> tuple[str, float]:
    """Run the killable ingest (SIGKILL `kill_after` seconds after it starts, if given).

    How it ended ("killed" or "exit N") and the seconds from the start of the ingest.
    """
    env = {
        **os.environ,
        "OST_HOME": str(settings.home),
        "OST_DATABASE_URL": settings.database_url,
        "PYTHONPATH": str(ROOT),
    }
    command = [sys.executable, "-m", "tests.reliability.killable_ingest", *arguments]
    process = subprocess.Popen(
        [*command, *map(str, files)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    ready = process.stdout.readline().strip() == "ready"
    started = time.monotonic()
    if ready and kill_after:
        try:
            process.wait(timeout=kill_after)
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
    _, errors = process.communicate(timeout=KILL_TIMEOUT)
    seconds = time.monotonic() - started
    if not ready:
        raise RuntimeError(f"the ingest did not start: {errors.strip()[-2000:]}")
    if process.returncode == -signal.SIGKILL:
        return "killed", seconds
    return f"exit {process.returncode}", seconds


def kill_once(
    number: int, backend: str, database: DatabaseFactory, kill: Kill, reference: Reference
) -> KillOutcome:
    """One kill, its checks, a clean re-run and the check that it converged."""
    outcome = KillOutcome(number, backend, kill)
    started = time.monotonic()
    files = sample_files()
    with tempfile.TemporaryDirectory(prefix="ost-kill-home-") as folder, database() as url:
        settings = settings_for(Path(folder), url)
        import_applicants(url)
        ended, _ = run_process(settings, kill.arguments(), files, kill.delay)
        outcome.process = ended if ended == "killed" else f"finished first ({ended})"
        check_after_kill(outcome, settings, url, reference, len(files))
        outcome.temporaries = leftover_temporaries(settings)
        ingest(settings, files)
        check_rerun(outcome, settings, url, reference)
    outcome.seconds = time.monotonic() - started
    return outcome


def check_after_kill(
    outcome: KillOutcome, settings: Settings, url: str, reference: Reference, files: int
) -> None:
    state = database_state(url)
    applied = reference.prefix_of(state)
    if applied is None:
        outcome.after_kill = "HALF APPLIED"
        outcome.problems.append("the database is not the state after any number of transmissions")
    else:
        outcome.after_kill = f"{applied} of {files} applied"
    statuses = sorted({status for _, status in state.unfinished})
    outcome.in_flight = ", ".join(statuses) or "-"
    if set(statuses) - UNFINISHED_STATUSES:
        outcome.problems.append(f"unfinished transmissions in status {statuses}")
    missing = missing_reports(settings, url)
    outcome.reports_after_kill = "complete" if not missing else "MISSING " + "; ".join(missing)
    if missing:
        outcome.problems.append(f"finished without reports: {missing}")


def check_rerun(outcome: KillOutcome, settings: Settings, url: str, reference: Reference) -> None:
    state = database_state(url)
    missing = missing_reports(settings, url)
    outcome.converged = state == reference.final and not missing
    if state != reference.final:
        outcome.problems.append("the re-run did not reach the uninterrupted state")
    if missing:
        outcome.problems.append(f"reports still missing after the re-run: {missing}")
    left = leftover_temporaries(settings)
    if left:
        outcome.converged = False
        outcome.problems.append(f"{left} temporary file(s) still there after the re-run")


# -- several kills, and the table ----------------------------------------------------------


def backends() -> dict[str, DatabaseFactory]:
    """SQLite always; PostgreSQL when the test server is given."""
    available: dict[str, DatabaseFactory] = {"sqlite": sqlite_database}
    if os.environ.get("OST_TEST_POSTGRES_URL"):
        available["postgresql"] = postgres_database
    return available


def outcome_table(outcomes: Sequence[KillOutcome]) -> str:
    header = (
        "#",
        "database",
        "kill",
        "process",
        "after the kill",
        "in flight",
        "reports",
        "tmp left",
        "re-run",
        "s",
    )
    rows = [
        (
            str(o.number),
            o.backend,
            o.kill.describe(),
            o.process,
            o.after_kill,
            o.in_flight,
            o.reports_after_kill,
            str(o.temporaries),
            "converged" if o.converged else "DIVERGED",
            f"{o.seconds:.1f}",
        )
        for o in outcomes
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        for row in (header, *rows)
    ]
    return "\n".join(line.rstrip() for line in lines)


def summary(outcomes: Sequence[KillOutcome]) -> str:
    killed = sum(o.process == "killed" for o in outcomes)
    half = sum(o.after_kill == "HALF APPLIED" for o in outcomes)
    converged = sum(o.converged for o in outcomes)
    return (
        f"{len(outcomes)} runs, {killed} killed mid-run, {len(outcomes) - killed} finished "
        f"before the kill; half-applied transmissions: {half}; re-runs converged: "
        f"{converged}/{len(outcomes)}; problems: {sum(not o.ok for o in outcomes)}"
    )


def main(arguments: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="kill_test", description="Kill the ingest N times per database at random points."
    )
    parser.add_argument("kills", nargs="?", type=int, default=30, help="kills per database")
    parser.add_argument("--seed", type=int, default=None, help="seed of the random kill plan")
    options = parser.parse_args(arguments)
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(10**6)
    files = sample_files()
    print(f"seed {seed}; files {', '.join(path.name for path in files)}", flush=True)
    outcomes: list[KillOutcome] = []
    for backend, database in backends().items():
        reference = build_reference(database, files)
        print(f"{backend}: uninterrupted run {reference.seconds:.2f} s", flush=True)
        rng = random.Random(f"{seed}-{backend}")
        kills = plan_kills(random_modes(options.kills, rng), rng, reference.seconds, len(files))
        for number, kill in enumerate(kills, start=1):
            outcome = kill_once(number, backend, database, kill, reference)
            outcomes.append(outcome)
            print(
                f"  {backend} #{number}: {kill.describe()}: {outcome.process}, "
                f"{outcome.after_kill}, {'ok' if outcome.ok else outcome.problems}",
                flush=True,
            )
    print()
    print(outcome_table(outcomes))
    print()
    print(summary(outcomes))
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
