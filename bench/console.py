"""The web console's speed: each page's 95th-percentile time with concurrent clients on
127.0.0.1 against a database loaded with the provincial batch, and the upload of a 5 MB file
beside `ost validate` on the same bytes in process.

    python -m bench console [--scale 1] [--clients 8] [--requests 20] [--backends sqlite]
                            [--postgres-url URL] [--write]

The database is built once per scale and backend under --work (the batch through `ost run`,
as the product writes it) and reused by every later measurement, with an operator and the
account of the school with the most students; `ost serve` runs as its own process, as in
production, and the clients are threads of the harness signing in as each.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import httpx2 as httpx

from bench.end_to_end import database_name, postgres_database
from bench.measure import summary
from bench.provincial import generate_big_file

PASSWORD = "bench-password-1"
GOAL_PAGE_SECONDS = 0.200
GOAL_UPLOAD_SECONDS = 2.0
UPLOAD_GRADES = 24_000  # about 5 MB: 201 bytes a line
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
# Held students whose case pages the clients take in turn: an operator opens each case once.
REVIEW_CASES = 200


@dataclass(frozen=True)
class Target:
    """An OST_HOME and its database (None: the SQLite file inside it)."""

    home: Path
    database_url: str | None = None

    def env(self, **extra: str) -> dict[str, str]:
        url = {"OST_DATABASE_URL": self.database_url} if self.database_url else {}
        return {**os.environ, "OST_HOME": str(self.home), **url, **extra}


def ost(target: Target, *args: str, stdin: str | None = None) -> str:
    env = target.env(OST_SETTLE_SECONDS="0")
    ost_path = Path(sys.executable).with_name("ost")
    done = subprocess.run(
        [str(ost_path), *args], env=env, input=stdin, capture_output=True, text=True, check=False
    )
    if done.returncode not in (0, 1):
        raise RuntimeError(f"ost {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def loaded_home(
    batch: Path, work: Path, log: Callable[[str], None], postgres_url: str | None = None
) -> tuple[Target, dict[str, Any]]:
    """OST_HOME with the batch ingested and the two accounts, built once (`ready.json`) and
    reused; on PostgreSQL (`postgres_url`, the server) in a database of its own."""
    home = work / f"console-{batch.name}{'-postgres' if postgres_url else ''}"
    ready = home / "ready.json"
    if ready.exists():
        known = json.loads(ready.read_text(encoding="utf-8"))
        target = Target(home, known.get("database_url"))
        if "reviews" not in known["facts"]:  # built by an earlier version of the harness
            known["facts"] |= queue_facts(target)
            ready.write_text(json.dumps(known, indent=2) + "\n", encoding="utf-8")
        return target, dict(known["facts"])
    shutil.rmtree(home, ignore_errors=True)
    (home / "inbox").mkdir(parents=True)
    url = None
    if postgres_url:
        url = postgres_database(postgres_url, database_name(batch, "console", work))
    target = Target(home, url)
    log(f"loading {batch.name} into {home} (ost run)")
    ost(target, "applicants", "import", str(batch / "applicants.csv"), "--skip-invalid")
    for path in (batch / "inbox").iterdir():
        shutil.copy(path, home / "inbox" / path.name)
    started = time.perf_counter()
    ost(target, "run")
    facts = {**database_facts(target), "ost_run_seconds": round(time.perf_counter() - started, 1)}
    log(f"ost run took {facts['ost_run_seconds']} s")
    ost(target, "users", "add", "ops", "--role", "operator", stdin=PASSWORD + "\n")
    school = ["--mident", facts["school"]]
    ost(target, "users", "add", "clerk", "--role", "school", *school, stdin=PASSWORD + "\n")
    known = {"database_url": url, "facts": facts}
    ready.write_text(json.dumps(known, indent=2) + "\n", encoding="utf-8")
    return target, facts


def database_facts(target: Target) -> dict[str, Any]:
    """Sizes of the database, the school with the most students, its largest transmission,
    an applicant of that school with a name and an OEN to search for, the applicant with the
    longest change history and the first held student of the review queue."""
    from sqlalchemy import func, select

    from pipeline.models import Applicant, Course, CourseChange, StudentRecord, Transmission
    from pipeline.store import table

    t, s, a, c = (table(m) for m in (Transmission, StudentRecord, Applicant, Course))
    h = table(CourseChange)
    with opened(target) as engine, engine.connect() as conn:
        count = lambda tbl: conn.execute(select(func.count()).select_from(tbl)).scalar_one()  # noqa: E731
        largest = conn.execute(
            select(t.c.id, t.c.mident).order_by(t.c.grades.desc()).limit(1)
        ).one()
        student = conn.execute(
            select(s.c.application_number, s.c.surname, a.c.oen)
            .join(a, a.c.application_number == s.c.application_number)
            .where(s.c.mident == largest.mident, s.c.match_status == "matched")
            .where(a.c.oen.is_not(None))
            .order_by(s.c.id)
            .limit(1)
        ).one()
        longest = conn.execute(
            select(h.c.application_number)
            .group_by(h.c.application_number)
            .order_by(func.count().desc(), h.c.application_number)
            .limit(1)
        ).scalar_one()
        facts = {
            "transmissions": count(t),
            "students": count(s),
            "applicants": count(a),
            "courses": count(c),
            "course_changes": count(h),
            "school": largest.mident,
            "transmission": largest.id,
            "applicant": student.application_number,
            "name": student.surname[:4].lower(),
            "oen": student.oen,
            "longest_history": longest,
        }
    return facts | queue_facts(target)


@contextmanager
def opened(target: Target) -> Iterator[Any]:
    """An engine on the target's database, disposed of after use."""
    from pipeline.config import load_settings
    from pipeline.database import open_database

    engine = open_database(load_settings(target.env()).database_url)
    try:
        yield engine
    finally:
        engine.dispose()


def queue_facts(target: Target) -> dict[str, Any]:
    """How many students are held, the first, and the first REVIEW_CASES of the queue."""
    from pipeline.review import review_queue

    with opened(target) as engine:
        queue = review_queue(engine)
    return {
        "held": len(queue),
        "review": queue[0].id if queue else None,
        "reviews": [item.id for item in queue[:REVIEW_CASES]],
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_console(target: Target) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = target.env(OST_SECRET_KEY="bench")
    command = [str(Path(sys.executable).with_name("ost")), "serve", "--port", str(port)]
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            httpx.get(f"{url}/login", timeout=1)
            return server, url
        except httpx.HTTPError:
            time.sleep(0.1)
    server.kill()
    raise RuntimeError("ost serve did not start")


def signed_in(url: str, name: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=60)
    token = CSRF.search(client.get("/login").text)
    assert token is not None
    data = {"csrf_token": token.group(1), "username": name, "password": PASSWORD}
    client.post("/login", data=data)
    return client


def timed_pages(
    url: str, who: str, pages: Pages, clients: int, requests: int
) -> dict[str, dict[str, Any]]:
    """Each page asked `requests` times by each of `clients` concurrent clients."""
    times: dict[str, list[float]] = {page: [] for page in pages}
    lock = threading.Lock()
    turns = {name: itertools.cycle(path) for name, path in pages.items() if isinstance(path, list)}

    def next_path(name: str, path: str | list[str]) -> str:
        if isinstance(path, str):
            return path
        with lock:
            return next(turns[name])

    failures: list[BaseException] = []

    def client_loop() -> None:
        client = signed_in(url, who)
        try:
            for _ in range(requests):
                for name, paths in pages.items():
                    path = next_path(name, paths)
                    started = time.perf_counter()
                    response = client.get(path)
                    elapsed = time.perf_counter() - started
                    if response.status_code != 200:
                        raise RuntimeError(f"{path}: {response.status_code}")
                    with lock:
                        times[name].append(elapsed)
        except BaseException as error:  # noqa: BLE001 - reported by the harness's thread
            failures.append(error)
        finally:
            client.close()

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise failures[0]
    return {
        # Rounded as the median is, so that the two compare (a rounded median may exceed the raw
        # maximum of two close times).
        name: {**summary(values), "p95": round(percentile(values, 95), 4)}
        for name, values in times.items()
    }


def percentile(values: list[float], rank: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(rank / 100 * len(ordered) + 0.5) - 1))]


def timed_upload(url: str, work: Path, repeat: int) -> dict[str, Any]:
    """A 5 MB file uploaded and checked, beside `ost validate`'s rules on the same bytes."""
    from pipeline.config import load_settings
    from rules.validate import packaged_code_tables, validate_file

    folder = work / f"upload-{UPLOAD_GRADES}"
    if not (folder / "manifest.json").exists():
        generate_big_file(UPLOAD_GRADES, folder)
    path = next((folder / "inbox").iterdir())
    data = path.read_bytes()
    tables, limit = packaged_code_tables(), load_settings().max_file_bytes
    uploads, checks = [], []
    client = signed_in(url, "ops")
    try:
        for _ in range(repeat):
            token = CSRF.search(client.get("/upload").text)
            assert token is not None
            started = time.perf_counter()
            response = client.post(
                "/upload", data={"csrf_token": token.group(1)}, files={"file": (path.name, data)}
            )
            uploads.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"upload: {response.status_code}")
            started = time.perf_counter()
            validate_file(path.name, data, tables=tables, today=date.today(), max_bytes=limit)
            checks.append(time.perf_counter() - started)
    finally:
        client.close()
    upload, check = summary(uploads), summary(checks)
    return {
        "bytes": len(data),
        "upload": {**upload, "max": max(uploads)},
        "validate_in_process": check,
        "ratio_upload_to_validate": upload["median"] / check["median"],
        "goal_met": max(uploads) < GOAL_UPLOAD_SECONDS,
    }


Pages = dict[str, str | list[str]]


def pages_of(facts: dict[str, Any]) -> tuple[Pages, Pages]:
    """The pages an operator and the school's clerk ask for; a list of addresses is taken in
    turn by all the clients (every case of the review queue once, as an operator opens them)."""
    school_pages: Pages = {
        "history": "/history",
        "transmission": f"/transmissions/{facts['transmission']}",
        "applicant search": f"/applicants?q={facts['name']}",
        "applicant record": f"/applicants/{facts['applicant']}",
        "upload page": "/upload",
        "reports": "/reports",
    }
    operator_pages: Pages = {
        **school_pages,
        "applicant search (OEN)": f"/applicants?q={facts['oen']}",
        "longest change history": f"/applicants/{facts['longest_history']}",
        "review queue": "/review",
        "glossary": "/glossary",
    }
    if facts.get("review") is not None:
        cases = facts.get("reviews") or [facts["review"]]
        operator_pages["review case"] = [f"/review/{case}" for case in cases]
        operator_pages["review case seen again"] = f"/review/{facts['review']}"
    return operator_pages, school_pages


def compare_console(
    batch: Path,
    work: Path,
    clients: int,
    requests: int,
    log: Callable[[str], None],
    postgres_url: str | None = None,
) -> dict[str, Any]:
    from pipeline.config import default_page_turns

    target, facts = loaded_home(batch, work, log, postgres_url)
    server, url = start_console(target)
    load_before = os.getloadavg()
    try:
        operator_pages, school_pages = pages_of(facts)
        log(f"timing pages: {clients} clients x {requests} requests each")
        results = {
            "operator": timed_pages(url, "ops", operator_pages, clients, requests),
            "school": timed_pages(url, "clerk", school_pages, clients, requests),
        }
        log("timing the upload of a 5 MB file")
        upload = timed_upload(url, work, repeat=5)
    finally:
        server.terminate()
        server.wait(timeout=30)
    worst = max(page["p95"] for pages in results.values() for page in pages.values())
    return {
        "backend": "postgresql" if postgres_url else "sqlite",
        "load_average_before": list(load_before),
        "load_average_at_end": list(os.getloadavg()),
        "database": facts,
        "clients": clients,
        "requests_per_client": requests,
        "page_turns": default_page_turns(),  # `ost serve` is started with its default
        "pages": results,
        "worst_p95": worst,
        "pages_goal_met": worst < GOAL_PAGE_SECONDS,
        "upload": upload,
    }
