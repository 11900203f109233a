"""The provincial batch end to end through the real command line, into SQLite and PostgreSQL.

For each database: a fresh OST_HOME (and a fresh PostgreSQL database), `ost applicants import`
of the applicants CSV, then one batch over the inbox (`ost run`; `ost ingest` on every file
where the command line has no `run`). Wall time and peak RSS come from the child processes;
the time per stage, when py-spy is installed, from sampling the batch's main thread in a
second run of the batch (the timed run has no profiler attached).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections import Counter
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import Any

import polars as pl

from bench.measure import ChildRun, load_average, ost_command, run_child

DEFAULT_POSTGRES_URL = "postgresql+psycopg://ost@127.0.0.1:55432/postgres"
PROFILE_RATE = 50  # samples a second
# Stages of a batch, by the outermost function of a sampled stack that names one.
STAGES: tuple[tuple[str, str], ...] = (
    ("rematch_held", "re-match held students"),
    ("load_applicants", "load applicants"),
    ("validate_received", "parse and validate (or wait for it)"),
    ("students_for_matching", "match"),
    ("match_students", "match"),
    ("matching_findings", "match"),
    ("decisions_for", "match"),
    ("incoming_courses", "merge"),
    ("merge_courses", "merge"),
    ("read_courses", "merge"),
    ("plan_against", "merge"),
    ("apply_plan", "merge"),
    ("save_students", "store records"),
    ("save_grades", "store records"),
    ("clear_records", "store records"),
    ("save_decisions", "store records"),
    ("save_findings", "store records"),
    ("_outcome", "build reports"),
    ("ingest_report", "build reports"),
    ("publish_when_staged", "write reports (or wait for them)"),
    ("discard_when_staged", "write reports (or wait for them)"),
    ("send_notice", "confirmation e-mail"),
    ("archive_original", "archive and inbox"),
    ("take_from_inbox", "archive and inbox"),
    ("receive", "read files"),
    ("register", "register transmissions"),
    ("begin", "commit transactions"),
    ("migrate", "start-up (imports, migrations)"),
    ("_find_and_load", "start-up (imports, migrations)"),
)
FRAME = re.compile(r"^(?P<function>[^ ]+) \((?P<file>[^:]+)")


@lru_cache(maxsize=1)
def has_run_command() -> bool:
    """Whether this version of the command line offers `ost run`."""
    result = subprocess.run(
        [str(ost_command()), "run", "--help"], capture_output=True, text=True, check=False
    )
    return result.returncode == 0


def py_spy() -> Path | None:
    found = shutil.which("py-spy", path=str(ost_command().parent)) or shutil.which("py-spy")
    return Path(found) if found else None


# --- databases ---------------------------------------------------------------------------------


def postgres_database(server_url: str, name: str) -> str:
    """A new, empty database `name` on the server (dropped first if it exists); its URL."""
    import psycopg
    from sqlalchemy.engine import make_url

    server = make_url(server_url)
    plain = server.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.set(database=name).render_as_string(hide_password=False)


# The server settings that bear on bulk writes, recorded with every PostgreSQL measurement.
SERVER_SETTINGS = (
    "fsync", "synchronous_commit", "shared_buffers", "wal_buffers", "max_wal_size",
    "checkpoint_timeout",
)  # fmt: skip


def postgres_settings(server_url: str) -> dict[str, str]:
    """SERVER_SETTINGS as the server reports them."""
    import psycopg
    from sqlalchemy.engine import make_url

    plain = make_url(server_url).set(drivername="postgresql")
    with psycopg.connect(plain.render_as_string(hide_password=False), connect_timeout=5) as c:
        rows = c.execute(
            "SELECT name, current_setting(name) FROM pg_settings WHERE name = ANY(%s)",
            [list(SERVER_SETTINGS)],
        ).fetchall()
    found = dict(rows)
    return {name: str(found[name]) for name in SERVER_SETTINGS if name in found}


def postgres_version(server_url: str) -> str | None:
    try:
        import psycopg
        from sqlalchemy.engine import make_url

        plain = make_url(server_url).set(drivername="postgresql")
        with psycopg.connect(plain.render_as_string(hide_password=False), connect_timeout=5) as c:
            row = c.execute("SHOW server_version").fetchone()
        return str(row[0]) if row else None
    except Exception:  # noqa: BLE001 - no server: the report says so
        return None


def database_name(batch: Path, backend: str, work: Path) -> str:
    """A name of its own for each batch, database and work folder (runs may share a server)."""
    digest = hashlib.sha256(str(work.resolve()).encode()).hexdigest()[:8]
    return f"ost_bench_{_tag(batch, backend)}_{digest}"


def _tag(batch: Path, backend: str) -> str:
    return f"{batch.name.replace('.', '_').replace('-', '_')}_{backend}"


def database_url(backend: str, home: Path, name: str, postgres_url: str) -> str:
    if backend == "sqlite":
        return f"sqlite:///{home / 'ost.sqlite3'}"
    return postgres_database(postgres_url, name)


# --- one run -----------------------------------------------------------------------------------


def fresh_home(home: Path, batch: Path) -> list[Path]:
    """An empty OST_HOME whose inbox holds the batch's files; the files' paths."""
    if home.exists():
        shutil.rmtree(home)
    inbox = home / "inbox"
    inbox.mkdir(parents=True)
    files = []
    for source in sorted((batch / "inbox").iterdir()):
        target = inbox / source.name
        shutil.copyfile(source, target)
        files.append(target)
    return files


def batch_command(files: list[Path]) -> tuple[str, list[str]]:
    ost = str(ost_command())
    if has_run_command():
        return "ost run", [ost, "run"]
    return "ost ingest", [ost, "ingest", *map(str, files)]


class Profiler:
    """py-spy attached to a running process (every thread, idle included), when installed.

    Attaching from outside, rather than running the command under py-spy, keeps the measured
    child the command itself, so that its wait4 rusage is its own.
    """

    def __init__(self, output: Path) -> None:
        self.output = output
        self.process: subprocess.Popen[bytes] | None = None

    def attach(self, pid: int) -> None:
        spy = py_spy()
        if spy is None:
            return
        self.process = subprocess.Popen(
            [
                str(spy),
                "record",
                "--pid",
                str(pid),
                "--nonblocking",
                "--idle",
                "--threads",
                "--rate",
                str(PROFILE_RATE),
                "--format",
                "raw",
                "--output",
                str(self.output),
            ],  # fmt: skip
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def finish(self) -> Path | None:
        """Wait for py-spy to write its samples (it stops when the process ends)."""
        if self.process is None:
            return None
        self.process.wait(timeout=120)
        return self.output if self.output.exists() else None


def _batch_env(
    batch: Path, backend: str, work: Path, postgres_url: str
) -> tuple[dict[str, str], list[Path]]:
    """A fresh OST_HOME holding the batch's inbox and a fresh database: the run's environment,
    and the inbox files."""
    home = work / "e2e" / _tag(batch, backend)
    files = fresh_home(home, batch)
    env = dict(os.environ)
    env.update(
        OST_HOME=str(home),
        OST_DATABASE_URL=database_url(
            backend, home, database_name(batch, backend, work), postgres_url
        ),
        OST_SETTLE_SECONDS="0",
    )
    env.pop("OST_SMTP_URL", None)
    return env, files


def _import_and_run(
    batch: Path, env: dict[str, str], command: list[str], profiler: Profiler | None
) -> tuple[ChildRun, ChildRun]:
    """`ost applicants import`, then the batch command over the inbox (py-spy attached)."""
    # The applicants as the application system sends them: a row it typed wrong (a birth year
    # that makes a child, at small scales) is reported and skipped, as an operator would.
    imported = run_child(
        [ost_command(), "applicants", "import", batch / "applicants.csv", "--skip-invalid"], env=env
    )
    if imported.returncode not in (0, 1) or "imported" not in imported.stdout:  # 1: rows skipped
        _check(imported, "ost applicants import")
    ran = run_child(
        command,
        env=env,
        capture=False,
        rss_every=1.0,
        on_start=profiler.attach if profiler is not None else None,
    )
    if ran.returncode not in (0, 1):  # 1: some files had data errors, as they should
        raise RuntimeError(f"{' '.join(command[:2])} exited {ran.returncode}: {ran.stderr[-2000:]}")
    return imported, ran


def run_once(
    batch: Path,
    backend: str,
    work: Path,
    *,
    postgres_url: str = DEFAULT_POSTGRES_URL,
    profile: bool = True,
    log: Callable[[str], None] = print,
) -> dict[str, Any]:
    """Import the applicants and run the batch on `backend`; times, memory, outcome.

    The timed run has no profiler attached. With `profile` (and py-spy installed) the batch
    is then run a second time, from scratch, under py-spy, for the time per stage.
    """
    manifest = _manifest(batch)
    tag = _tag(batch, backend)
    before = load_average()
    env, files = _batch_env(batch, backend, work, postgres_url)
    name, command = batch_command(files)
    imported, ran = _import_and_run(batch, env, command, None)
    log(f"e2e {tag}: applicants imported in {imported.seconds:.1f} s")
    log(f"e2e {tag}: {name} in {ran.seconds:.1f} s, peak RSS {ran.peak_rss_bytes / 2**20:.0f} MiB")
    records = manifest["records"]
    result: dict[str, Any] = {
        "backend": backend,
        "batch": batch.name,
        "command": name,
        "files": manifest["files"],
        "students": manifest["students"],
        "grades": manifest["grades"],
        "records": records,
        "applicants": manifest["applicants"],
        "import": _child_json(imported, manifest["applicants"]),
        "run": _child_json(ran, records),
        "rss_over_time": rss_quartiles(ran.rss_timeline),
        "load_average_before": before,
        "load_average_after": load_average(),
    }
    if backend == "postgres":
        result["server_settings"] = postgres_settings(postgres_url)
    result["outcome"] = outcome(env["OST_DATABASE_URL"], batch)
    result["profiled"] = False
    if profile and py_spy() is not None:
        env, _files = _batch_env(batch, backend, work, postgres_url)  # the same paths again
        profiler = Profiler(Path(env["OST_HOME"]) / "profile.txt")
        _, sampled = _import_and_run(batch, env, command, profiler)
        samples = profiler.finish()
        log(f"e2e {tag}: {name} under py-spy in {sampled.seconds:.1f} s")
        if samples is not None:
            result |= {"profiled": True, "profile": str(samples)}
            result["profiled_seconds"] = sampled.seconds
            result["stages"] = stage_times(samples, sampled.seconds, records)
    return result


def rss_quartiles(timeline: list[tuple[float, int]]) -> list[dict[str, float | int]]:
    """The largest RSS seen in each quarter of the run (a steady climb shows as a staircase)."""
    if not timeline:
        return []
    end = timeline[-1][0] or 1.0
    quarters: list[dict[str, float | int]] = []
    for quarter in range(4):
        seen = [rss for t, rss in timeline if quarter / 4 <= t / end <= (quarter + 1) / 4]
        quarters.append({"quarter": quarter + 1, "max_rss_bytes": max(seen, default=0)})
    return quarters


def _manifest(batch: Path) -> dict[str, Any]:
    import json

    return dict(json.loads((batch / "manifest.json").read_text(encoding="utf-8")))


def _check(run: ChildRun, what: str) -> None:
    if run.returncode != 0:
        raise RuntimeError(f"{what} exited {run.returncode}: {run.stderr[-2000:]}")


def _child_json(run: ChildRun, items: int) -> dict[str, Any]:
    return {
        "seconds": round(run.seconds, 3),
        "peak_rss_bytes": run.peak_rss_bytes,
        "returncode": run.returncode,
        "per_second": round(items / run.seconds, 1) if run.seconds else None,
    }


# --- stages from the samples -------------------------------------------------------------------


def stage_of(stack: list[str]) -> str:
    """The stage of a sampled stack: the outermost frame that names one."""
    functions = [match.group("function") for frame in stack if (match := FRAME.match(frame))]
    short = [function.rsplit(".", 1)[-1] for function in functions]
    for name in short:
        for function, stage in STAGES:
            if name == function:
                return stage
    return "other ingest steps" if "ingest_bytes" in short else "other"


def stage_times(samples: Path, wall_seconds: float, records: int) -> dict[str, dict[str, Any]]:
    """Seconds, share of the wall time and records per second of each stage."""
    counts: Counter[str] = Counter()
    for stack, count in main_thread_stacks(samples):
        counts[stage_of(stack)] += count
    total = sum(counts.values())
    if not total:
        return {}
    return {
        stage: {
            "seconds": round(wall_seconds * count / total, 2),
            "share": round(count / total, 4),
            "records_per_second": round(records / (wall_seconds * count / total), 1),
        }
        for stage, count in counts.most_common()
    }


def main_thread_stacks(samples: Path) -> list[tuple[list[str], int]]:
    """(stack, count) of the command's main thread (its stacks start in the console script)."""
    stacks = []
    for line in samples.read_text(encoding="utf-8", errors="replace").splitlines():
        stack_text, _, count = line.rpartition(" ")
        stack = stack_text.split(";")
        if count.isdigit() and any("cli.py" in frame for frame in stack):
            stacks.append((stack, int(count)))
    return stacks


PRODUCT_DIRS = ("parsers/", "rules/", "matching/", "pipeline/", "error_glossary/", "jobs/")


def _product_path(stack: list[str], start: int, depth: int) -> str:
    """The product's own calls from `start` on, and the first library call they make."""
    calls = []
    for frame in stack[start:]:
        match = FRAME.match(frame)
        if match is None:
            break
        if match.group("function").endswith("wrapper"):
            continue  # a decorator's wrapper says nothing of what is called
        calls.append(match.group("function"))
        if not match.group("file").startswith(PRODUCT_DIRS) or len(calls) > depth:
            break
    return " > ".join(calls)


def hot_spots(samples: Path, stage: str, depth: int = 4, top: int = 6) -> list[dict[str, Any]]:
    """Within `stage`, the product's calls that take the most samples (down to the first
    library call), with their share of the whole run."""
    functions = {function for function, name in STAGES if name == stage}
    counts: Counter[str] = Counter()
    stacks = main_thread_stacks(samples)
    total = sum(count for _, count in stacks)
    for stack, count in stacks:
        if stage_of(stack) != stage:
            continue
        short = [
            m.group("function").rsplit(".", 1)[-1] if (m := FRAME.match(f)) else f for f in stack
        ]
        start = next((i for i, name in enumerate(short) if name in functions), None)
        if start is not None:
            counts[_product_path(stack, start, depth)] += count
    return [
        {"calls": calls, "share": round(count / total, 4)}
        for calls, count in counts.most_common(top)
    ]


# --- what the batch did ------------------------------------------------------------------------


def outcome(url: str, batch: Path) -> dict[str, Any]:
    """Transmission statuses, match statuses, and the matches scored against the truth."""
    from sqlalchemy import create_engine

    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            statuses = pl.read_database(
                "SELECT status, COUNT(*) AS n FROM transmission GROUP BY status", conn
            )
            students = pl.read_database(
                "SELECT mident, student_number, match_status, application_number "
                "FROM studentrecord",
                conn,
            )
            courses = pl.read_database("SELECT COUNT(*) AS n FROM course", conn)
    finally:
        engine.dispose()
    truth = pl.read_parquet(batch / "truth" / "students.parquet")
    return {
        "transmissions": dict(statuses.sort("status").iter_rows()),
        "student_records": students.height,
        "match_statuses": dict(
            students.group_by("match_status")
            .len()
            .sort("match_status")
            .fill_null("none")
            .iter_rows()
        ),
        "merged_courses": int(courses["n"][0]),
        "matching_against_truth": matching_accuracy(students, truth),
    }


def matching_accuracy(students: pl.DataFrame, truth: pl.DataFrame) -> dict[str, Any]:
    """Precision and recall of the stored matches on the students that could be matched."""
    joined = truth.join(students, on=["mident", "student_number"], how="left")
    matched = joined.filter(pl.col("match_status") == "matched")
    correct = matched.filter(pl.col("application_number") == pl.col("true_application_number"))
    matchable = joined.filter(
        ~pl.col("rejected")
        & pl.col("true_application_number").is_not_null()
        & ~pl.col("true_international")
    )
    precision = correct.height / matched.height if matched.height else 1.0
    recall = correct.height / matchable.height if matchable.height else 1.0
    return {
        "matched": matched.height,
        "correct": correct.height,
        "matchable": matchable.height,
        "precision": round(precision, 6),
        "recall": round(recall, 6),
    }
