"""Peak memory of the whole command line on the two largest loads a cycle brings.

    python -m bench crowd [--students 150000] [--applicants 50000] [--big-file]

The crowd: in October every school has sent its grade-12 cohort and few students have applied,
so most students are held and matched again at every run. Files of `--students` students are
ingested into a fresh SQLite OST_HOME while no applicant is on record (every student held), then
`--applicants` applicants are imported (a tenth of them the crowd's own, the others of another
population, who match no one), and
`ost run` is timed with an empty inbox: it only matches the held crowd again.

The big file (`--big-file`): one school's transmission of 999,999 students (S1 records only,
200 characters and a line feed each: about 201 MB), given to `ost ingest` in a fresh OST_HOME.

Each command is a child process; its peak RSS is that of its process tree, sampled every second
together with each process's high-water mark (bench/measure.py).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from bench import provincial
from bench.linkage_data import APPLICANTS_PER_STUDENT, generate_linkage_set
from bench.measure import ChildRun, load_average, ost_command, run_child
from bench.provincial_files import assemble, write_files
from bench.provincial_grades import grades_frame
from bench.provincial_schools import schools_frame
from bench.provincial_students import applicants_csv, students_frame
from parsers.layout import default_layout

CROWD_STUDENTS = 150_000
CROWD_APPLICANTS = 50_000
BIG_FILE_STUDENTS = 999_999
CROWD_SEED = provincial.SEED + 2
APPLICANT_SEED = provincial.SEED + 3
BIG_SEED = provincial.SEED + 4
OWN_SHARE = 0.1  # of the crowd's applicants, the ones who applied already
NAMES = ("crowd-run", "big-file")  # the stored results


# --- data --------------------------------------------------------------------------------------


def students_only_batch(
    students: int, out: Path, seed: int, *, mident: str | None = None
) -> dict[str, Any]:
    """Transmissions of `students` S1 records (no G1) under `out/inbox` and their applicants in
    `out/applicants.csv`, one school's file when `mident` is set (no trimmed blanks, line feeds:
    201 bytes a record); their manifest."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    linkage = generate_linkage_set(students, seed=seed % 1000)
    people = linkage.students
    if mident is not None:
        people = people.with_columns(mident=pl.lit(mident))
    schools = schools_frame(rng, people["mident"].unique().sort().to_list())
    if mident is not None:
        schools = schools.with_columns(trims_blanks=pl.lit(False), newline=pl.lit("\n"))
    frame = students_frame(rng, people, linkage.truth, schools)
    no_grades = grades_frame(rng, frame.head(1), schools, 1).clear()
    lines, schools = assemble(rng, frame, no_grades, schools, default_layout())
    if out.exists():
        shutil.rmtree(out)
    write_files(lines, schools, out / "inbox")
    applicants_csv(rng, linkage.applicants, out / "applicants.csv")
    files = sorted((out / "inbox").iterdir())
    manifest = {
        "seed": seed,
        "students": frame.height,
        "records": lines.height,
        "files": len(files),
        "bytes": sum(path.stat().st_size for path in files),
        "rejected_files": int(schools["file_defect"].is_not_null().sum()),
        "generated_seconds": round(time.perf_counter() - started, 2),
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return manifest


def crowd_applicants(count: int, own: Path, path: Path, seed: int = APPLICANT_SEED) -> None:
    """`count` applicants: OWN_SHARE of them from the crowd's own applicants (`own`, a CSV), the
    others from a population of their own, who match no student but compete with them."""
    ours = pl.read_csv(own, infer_schema=False).head(round(count * OWN_SHARE))
    linkage = generate_linkage_set(max(1, round(count / APPLICANTS_PER_STUDENT)) + 1, seed=seed)
    others = path.with_suffix(".others.csv")
    applicants_csv(np.random.default_rng(seed), linkage.applicants, others)
    strangers = pl.read_csv(others, infer_schema=False).head(count - ours.height)
    pl.concat([ours, strangers]).write_csv(path)
    others.unlink()


def _data(folder: Path, make: Callable[[], object], log: Callable[[str], None]) -> dict[str, Any]:
    manifest = folder / "manifest.json"
    if not manifest.exists():
        log(f"generating {folder}")
        make()
    return dict(json.loads(manifest.read_text(encoding="utf-8")))


# --- runs --------------------------------------------------------------------------------------


def fresh_env(home: Path) -> dict[str, str]:
    """An empty OST_HOME with SQLite under it: the environment of its commands."""
    if home.exists():
        shutil.rmtree(home)
    (home / "inbox").mkdir(parents=True)
    env = dict(os.environ)
    env.update(
        OST_HOME=str(home),
        OST_DATABASE_URL=f"sqlite:///{home / 'ost.sqlite3'}",
        OST_SETTLE_SECONDS="0",
    )
    env.pop("OST_SMTP_URL", None)
    return env


def _measured(args: list[str | Path], env: dict[str, str], what: str) -> ChildRun:
    run = run_child(args, env=env, rss_every=1.0)
    if run.returncode not in (0, 1):  # 1: some records had data errors, as they should
        raise RuntimeError(f"{what} exited {run.returncode}: {run.stderr[-2000:]}")
    return run


def _child(run: ChildRun) -> dict[str, Any]:
    return {
        "seconds": round(run.seconds, 1),
        "peak_rss_bytes": run.peak_rss_bytes,
        "returncode": run.returncode,
        "stdout_tail": run.stdout[-800:],
        "stderr_tail": run.stderr[-800:],
    }


def database_counts(env: dict[str, str]) -> dict[str, Any]:
    """Transmission statuses and student match statuses on record."""
    from sqlalchemy import create_engine

    engine = create_engine(env["OST_DATABASE_URL"])
    try:
        with engine.connect() as conn:
            transmissions = pl.read_database(
                "SELECT status, COUNT(*) AS n FROM transmission GROUP BY status", conn
            )
            students = pl.read_database(
                "SELECT match_status, COUNT(*) AS n FROM studentrecord GROUP BY match_status",
                conn,
            )
            applicants = pl.read_database("SELECT COUNT(*) AS n FROM applicant", conn)
    finally:
        engine.dispose()
    return {
        "transmissions": dict(transmissions.sort("status").iter_rows()),
        "match_statuses": dict(students.fill_null("none").sort("match_status").iter_rows()),
        "applicants": int(applicants["n"][0]),
    }


def measure_crowd(
    work: Path, students: int, applicants: int, log: Callable[[str], None]
) -> dict[str, Any]:
    """Held crowd ingested, other applicants imported, then `ost run` on an empty inbox."""
    folder = work / f"crowd-{students}"
    manifest = _data(folder, lambda: students_only_batch(students, folder, CROWD_SEED), log)
    csv = work / f"crowd-applicants-{applicants}.csv"
    if not csv.exists():
        crowd_applicants(applicants, folder / "applicants.csv", csv)
    before = load_average()
    env = fresh_env(work / "crowd-home")
    for source in sorted((folder / "inbox").iterdir()):
        shutil.copyfile(source, Path(env["OST_HOME"]) / "inbox" / source.name)
    ost = ost_command()
    ingest = _measured([ost, "run"], env, "ost run (the crowd's files)")
    log(f"crowd: files ingested in {ingest.seconds:.1f} s, {ingest.peak_rss_bytes >> 20} MiB")
    held = database_counts(env)
    imported = _measured([ost, "applicants", "import", csv], env, "ost applicants import")
    log(f"crowd: applicants imported in {imported.seconds:.1f} s")
    rematch = _measured([ost, "run"], env, "ost run (empty inbox)")
    log(f"crowd: ost run in {rematch.seconds:.1f} s, peak RSS {rematch.peak_rss_bytes >> 20} MiB")
    return {
        "data": manifest,
        "applicants_imported": applicants,
        "ingest": _child(ingest),
        "held_before": held,
        "import": _child(imported),
        "run": _child(rematch),
        "rss_timeline": rematch.rss_timeline,
        "after": database_counts(env),
        "load_average_before": before,
    }


def measure_big_file(
    work: Path, students: int, log: Callable[[str], None], applicants: Path | None = None
) -> dict[str, Any]:
    """`ost ingest` of one school's file of `students` students into a fresh OST_HOME (with the
    `applicants` CSV imported first, when given)."""
    folder = work / f"big-students-{students}"
    mident = provincial.BIG_FILE_MIDENT
    manifest = _data(
        folder, lambda: students_only_batch(students, folder, BIG_SEED, mident=mident), log
    )
    (path,) = sorted((folder / "inbox").iterdir())
    before = load_average()
    env = fresh_env(work / "big-home")
    if applicants is not None:
        _measured([ost_command(), "applicants", "import", applicants], env, "applicants import")
    ingest = run_child([ost_command(), "ingest", path], env=env, rss_every=1.0)
    log(
        f"big file: ost ingest exited {ingest.returncode} in {ingest.seconds:.1f} s, "
        f"peak RSS {ingest.peak_rss_bytes >> 20} MiB"
    )
    return {
        "data": manifest,
        "file": path.name,
        "applicants_on_record": database_counts(env)["applicants"] if applicants else 0,
        "ingest": _child(ingest),
        "rss_timeline": ingest.rss_timeline,
        "after": database_counts(env),
        "load_average_before": before,
    }
