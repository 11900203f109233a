"""Fixtures of the console tests: a database holding the sample transmissions (SQLite and
PostgreSQL), accounts of each kind, and a signed-in test client."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from matching import ApplicantPool
from pipeline.accounts import add_account
from pipeline.applicants import read_applicants, upsert_applicants
from pipeline.config import Settings, load_settings
from pipeline.database import open_database
from pipeline.ingest import IngestContext, Received, ingest_bytes, ingest_paths, sha256_of
from pipeline.review_comparisons import COMPARISONS
from pipeline.runtime import ensure_folders
from pipeline.store import load_applicant_pool
from pipeline.web.app import create_app
from pipeline.web.security import SessionSettings, SignInLimiter
from pipeline.web.state import ConsoleState
from rules.validate import packaged_code_tables
from tests.pipeline.builders import Student, applicant, applicants_frame, grade, transmission
from tests.pipeline.conftest import Mailbox
from tests.postgres import fresh_database

ROOT = Path(__file__).parents[2]
SAMPLES = ROOT / "sample_files"
NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
# A student held for an operator's review (A009): the applicant's name at the same school, with
# another OEN and birth date.
HELD_SCHOOL = "871234"
HELD_CREATED = "20261125093000"
HELD_APPLICANT = applicant(
    "2026-900001", "Émilie", "Gagnon", date(2008, 5, 21), "345678912", school_midents=HELD_SCHOOL
)
HELD_STUDENT = Student(
    "4471002", "GAGNON", "ÉMILIE", "20080612", "111111118", [grade("ENG4U", "202606", "F", "081")]
)
PASSWORDS = {"ops": "operator-secret-1", "clerk": "clerk-secret-12", "board": "board-secret-123"}
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@dataclass(frozen=True)
class Console:
    """The console under test and what it was built from."""

    state: ConsoleState
    settings: Settings

    def client(self, base_url: str = "http://testserver") -> TestClient:
        return TestClient(create_app(self.state), base_url=base_url, follow_redirects=True)


def seed(settings: Settings) -> None:
    """The sample applicants and the three sample transmissions, ingested; three accounts:
    an operator, a school (885827) and a board (871234 and 880012)."""
    ensure_folders(settings)
    engine = open_database(settings.database_url)
    with engine.begin() as conn:
        upsert_applicants(conn, read_applicants(SAMPLES / "applicants.csv").applicants, NOW)
        add_account(conn, "ops", "operator", [], PASSWORDS["ops"], NOW)
        add_account(conn, "clerk", "school", ["885827"], PASSWORDS["clerk"], NOW)
        add_account(conn, "board", "school", ["871234", "880012"], PASSWORDS["board"], NOW)
    context = IngestContext(
        engine=engine,
        settings=settings,
        tables=packaged_code_tables(),
        sender=Mailbox(),
        clock=lambda: NOW,
    )
    ingest_paths(context, sorted(SAMPLES.glob("S*.C*")))
    with engine.begin() as conn:
        upsert_applicants(conn, applicants_frame([HELD_APPLICANT]), NOW)
    name, raw = transmission([HELD_STUDENT], mident=HELD_SCHOOL, number="2", created=HELD_CREATED)
    ingest_bytes(context, Received(name, raw, len(raw), sha256_of(raw)), load_pool(engine))
    engine.dispose()


def load_pool(engine: Engine) -> ApplicantPool:
    with engine.connect() as conn:
        return load_applicant_pool(conn)


def home_settings(home: Path, url: str) -> Settings:
    return load_settings({"OST_HOME": str(home), "OST_DATABASE_URL": url})


@pytest.fixture(scope="session")
def sqlite_seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seeded OST_HOME (its SQLite database inside), built once and copied per test."""
    home = tmp_path_factory.mktemp("seed") / "home"
    seed(home_settings(home, f"sqlite:///{home / 'ost.sqlite3'}"))
    return home


@pytest.fixture(scope="session")
def postgres_seed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str]]:
    """The seeded OST_HOME and a PostgreSQL database to copy per test (as a template)."""
    home = tmp_path_factory.mktemp("seed-postgres") / "home"
    with fresh_database() as url:
        seed(home_settings(home, url))
        yield home, url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def console_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    """A copy of the seeded home and database for one test."""
    home = tmp_path / "home"
    if request.param == "sqlite":
        shutil.copytree(request.getfixturevalue("sqlite_seed"), home)
        yield home_settings(home, f"sqlite:///{home / 'ost.sqlite3'}")
        return
    seeded_home, template = request.getfixturevalue("postgres_seed")
    shutil.copytree(seeded_home, home)
    with fresh_database(template) as url:
        yield home_settings(home, url)


@pytest.fixture
def engine_with_samples(console_settings: Settings) -> Iterator[Engine]:
    engine = open_database(console_settings.database_url)
    yield engine
    COMPARISONS.settle()  # review cases compared ahead, before the database goes
    engine.dispose()


@pytest.fixture
def console(console_settings: Settings, engine_with_samples: Engine) -> Console:
    state = ConsoleState(
        settings=console_settings,
        engine=engine_with_samples,
        sessions=SessionSettings(secret="test-secret", max_age_seconds=3600),
        limiter=SignInLimiter(),
        clock=lambda: NOW,
    )
    return Console(state, console_settings)


def token(client: TestClient, path: str = "/login") -> str:
    """The anti-forgery token of the session, as a page's forms carry it."""
    found = CSRF.search(client.get(path).text)
    assert found, f"no anti-forgery token on {path}"
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str | None = None) -> None:
    response = client.post(
        "/login",
        data={
            "csrf_token": token(client),
            "username": name,
            "password": password or PASSWORDS[name],
            "next": "/history",
        },
    )
    assert response.status_code == 200, response.text
    assert response.url.path == "/history"


@pytest.fixture
def operator_client(console: Console) -> Iterator[TestClient]:
    with console.client() as client:
        sign_in(client, "ops")
        yield client


@pytest.fixture
def clerk_client(console: Console) -> Iterator[TestClient]:
    with console.client() as client:
        sign_in(client, "clerk")
        yield client
