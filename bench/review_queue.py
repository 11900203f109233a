"""How long `ost review list` takes with many held students; what the console's review pages
cost in process on a database already loaded.

    python -m bench.review_queue [--held 10000] [--matched 150000] [--url URL]
    python -m bench.review_queue --pages URL [--cases 6] [--repeat 25]

A database (SQLite in a temporary folder, or the given URL) gets `--matched` merged student
records and `--held` held ones (A009, A002, A003), each with a match decision and its evidence,
spread over files of 160 students, and its table statistics refreshed as a batch refreshes them
as it grows the tables (on PostgreSQL: planned without any, the queue's query read the held
records once per file); then `ost review list --json` runs as a child process, as
an operator runs it, 5 times (wall and CPU time: on a loaded machine the CPU time is the
steadier figure), beside `ost history` on the same database, and `review_queue` in process once.

With `--pages`, nothing is written: on the database at URL (the console's provincial one, say),
the CPU time of this thread (the median of `--repeat` calls) of what the review pages read: the
queue's first page of 100, and for `--cases` held students spread over the queue a case seen
for the first time (its comparison computed) and seen again (the comparison kept).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import polars as pl

from pipeline.database import open_database
from pipeline.models import MatchDecision, StudentRecord, Transmission
from pipeline.review import review_case, review_queue, review_queue_page
from pipeline.review_comparisons import COMPARISONS
from pipeline.store import insert_rows, refresh_statistics

PER_FILE = 160
NOW = datetime(2026, 10, 2, 14, 0, tzinfo=UTC)


def fill(url: str, held: int, matched: int, statistics: bool = True) -> None:
    engine = open_database(url)
    total = held + matched
    files = -(-total // PER_FILE)
    transmissions = pl.DataFrame(
        {
            "id": range(1, files + 1),
            "file_name": [f"S{100000 + i:06d}.C1" for i in range(files)],
            "sha256": [f"{i:064d}" for i in range(files)],
            "size": [1] * files,
            "mident": [f"{100000 + i:06d}" for i in range(files)],
            "received_at": [NOW] * files,
            "status": ["processed"] * files,
            **{name: [0] * files for name in ("students", "grades", "errors", "warnings")},
        }
    )
    statuses = ["review", "ambiguous", "not_merged"]
    records = pl.DataFrame({"id": range(1, total + 1)}).with_columns(
        transmission_id=(pl.col("id") - 1) // PER_FILE + 1,
        line=pl.col("id") % PER_FILE + 2,
        mident=pl.format("{}", (pl.col("id") - 1) // PER_FILE + 100000),
        student_number=pl.col("id").cast(pl.String).str.zfill(9),
        surname=pl.lit("SMITH"),
        first_name=pl.lit("EMMA"),
        accepted=pl.lit(True),
        match_status=pl.when(pl.col("id") % (total // held) == 0)
        .then(pl.lit(statuses[0]))
        .otherwise(pl.lit("matched")),
        application_number=pl.format("2026-{}", pl.col("id")),
    )
    evidence = json.dumps(
        {"weight": 12.3, "fields": [], "beaten": [{"application_number": "2026-9", "weight": 4.5}]}
    )
    decisions = records.select(
        student_record_id="id",
        status="match_status",
        application_number="application_number",
        codes=pl.lit("A009"),
        agreed=pl.lit(""),
        reason=pl.lit("held for review"),
        candidates=pl.lit(""),
        decided_at=pl.lit(NOW),
        weight=pl.lit(12.3),
        evidence=pl.lit(evidence),
    )
    with engine.begin() as conn:
        insert_rows(conn, Transmission, transmissions)
        insert_rows(conn, StudentRecord, records)
        insert_rows(conn, MatchDecision, decisions)
    if statistics:  # as `ost run` leaves a database it has grown (on PostgreSQL)
        refresh_statistics(engine)
    engine.dispose()


def _runs(args: list[str], env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds (user + system, of the child) of 5 runs of `ost ARGS`."""
    wall, cpu = [], []
    for _ in range(5):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "pipeline.cli", *args],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        wall.append(time.perf_counter() - started)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall, cpu


def _thread_ms(call: Callable[[], object], repeat: int, before: Callable[[], object]) -> float:
    """The median CPU milliseconds of this thread over `repeat` calls, `before` run (untimed)
    ahead of each."""
    spent = []
    for _ in range(repeat):
        before()
        started = time.thread_time()
        call()
        spent.append(time.thread_time() - started)
    return round(statistics.median(spent) * 1000, 1)


def pages(url: str, cases: int, repeat: int) -> dict[str, object]:
    """What the review pages read, timed in process on the database at `url`."""
    engine = open_database(url)
    queue = review_queue(engine)
    chosen = [item.id for item in queue[:: max(1, len(queue) // cases)][:cases]]
    forget = COMPARISONS.clear  # a first view computes its comparison
    result: dict[str, object] = {
        "held": len(queue),
        "queue_page_ms": _thread_ms(
            lambda: review_queue_page(engine, None, None, 0, 100), repeat, int
        ),
        "cases": {
            record_id: {
                "candidates": len(next(i for i in queue if i.id == record_id).candidates),
                "first_view_ms": _thread_ms(
                    partial(review_case, engine, record_id), repeat, forget
                ),
                "seen_again_ms": _thread_ms(partial(review_case, engine, record_id), repeat, int),
            }
            for record_id in chosen
        },
        "load_average_at_end": os.getloadavg(),
    }
    engine.dispose()
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--held", type=int, default=10_000)
    parser.add_argument("--matched", type=int, default=150_000)
    parser.add_argument("--url", default=None)
    parser.add_argument("--pages", default=None, metavar="URL")
    parser.add_argument("--cases", type=int, default=6)
    parser.add_argument("--repeat", type=int, default=25)
    args = parser.parse_args(argv)
    if args.pages:
        print(json.dumps(pages(args.pages, args.cases, args.repeat)))
        return
    with tempfile.TemporaryDirectory() as folder:
        url = args.url or f"sqlite:///{Path(folder) / 'ost.sqlite3'}"
        fill(url, args.held, args.matched)
        engine = open_database(url)
        started = time.perf_counter()
        items = review_queue(engine)
        in_process = time.perf_counter() - started
        engine.dispose()
        env = {**os.environ, "OST_HOME": folder, "OST_DATABASE_URL": url}
        runs, cpu = _runs(["review", "list", "--json"], env)
        baseline, baseline_cpu = _runs(["history", "--status", "failed", "--json"], env)
        done = subprocess.run(
            [sys.executable, "-m", "pipeline.cli", "review", "list", "--json"],
            env=env, capture_output=True, text=True, check=True,
        )  # fmt: skip
        listed = len(json.loads(done.stdout))
    print(
        json.dumps(
            {
                "database": url.split(":")[0],
                "held": len(items),
                "listed_by_the_cli": listed,
                "review_queue_seconds": round(in_process, 3),
                "cli_median_seconds": round(statistics.median(runs), 3),
                "cli_runs": [round(r, 3) for r in runs],
                "cli_median_cpu_seconds": round(statistics.median(cpu), 3),
                "baseline_history_median_seconds": round(statistics.median(baseline), 3),
                "baseline_history_median_cpu_seconds": round(statistics.median(baseline_cpu), 3),
                "load_average_at_end": os.getloadavg(),
            }
        )
    )


if __name__ == "__main__":
    main()
