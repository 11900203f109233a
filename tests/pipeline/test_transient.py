"""Failures sorted by type: real errors from SQLite, PostgreSQL and the operating system."""

from __future__ import annotations

import errno
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, ProgrammingError

from pipeline.database import is_transient
from pipeline.files import UnreadableFile
from tests.postgres import fresh_database, server_url


def raised(call: object) -> BaseException:
    with pytest.raises(Exception) as caught:
        call()  # type: ignore[operator]
    return caught.value


# -- SQLite --------------------------------------------------------------------------------


@pytest.fixture
def sqlite_file(tmp_path: Path) -> Path:
    path = tmp_path / "locked.sqlite3"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x INTEGER PRIMARY KEY)")
    return path


@pytest.fixture
def sqlite_held(sqlite_file: Path) -> Iterator[Path]:
    """The database with another connection holding its exclusive lock."""
    holder = sqlite3.connect(sqlite_file, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield sqlite_file
    holder.rollback()
    holder.close()


def test_a_busy_sqlite_database_is_transient(sqlite_held: Path) -> None:
    waiting = sqlite3.connect(sqlite_held, timeout=0)
    error = raised(lambda: waiting.execute("SELECT * FROM t"))
    assert isinstance(error, sqlite3.OperationalError)
    assert error.sqlite_errorcode == sqlite3.SQLITE_BUSY
    assert is_transient(error)


def test_a_busy_sqlite_database_is_transient_through_sqlalchemy(sqlite_held: Path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_held}", connect_args={"timeout": 0})
    with engine.connect() as conn:
        error = raised(lambda: conn.execute(text("SELECT * FROM t")))
    assert isinstance(error, OperationalError)
    assert is_transient(error)


def test_a_locked_sqlite_table_is_transient() -> None:
    uri = "file:shared_lock?mode=memory&cache=shared"
    writer = sqlite3.connect(uri, uri=True, isolation_level=None)
    reader = sqlite3.connect(uri, uri=True, isolation_level=None, timeout=0)
    writer.execute("CREATE TABLE t (x)")
    writer.execute("BEGIN")
    writer.execute("INSERT INTO t VALUES (1)")
    error = raised(lambda: reader.execute("SELECT * FROM t").fetchall())
    writer.rollback()
    assert isinstance(error, sqlite3.OperationalError)
    assert error.sqlite_errorcode & 0xFF == sqlite3.SQLITE_LOCKED
    assert is_transient(error)


def test_sqlite_errors_of_the_statement_are_permanent(sqlite_file: Path) -> None:
    engine = create_engine(f"sqlite:///{sqlite_file}")
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        missing = raised(lambda: conn.execute(text("SELECT * FROM nowhere")))
        twice = raised(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
    assert isinstance(missing, OperationalError) and not is_transient(missing)
    assert isinstance(twice, IntegrityError) and not is_transient(twice)


def test_a_file_that_is_not_a_database_is_permanent(tmp_path: Path) -> None:
    path = tmp_path / "notes.sqlite3"
    path.write_bytes(b"not a database at all, " * 100)
    engine = create_engine(f"sqlite:///{path}")
    error = raised(lambda: engine.connect().execute(text("SELECT * FROM t")))
    assert isinstance(error, DBAPIError) and not is_transient(error)


# -- PostgreSQL ----------------------------------------------------------------------------


@pytest.fixture
def postgres_engine() -> Iterator[Engine]:
    with fresh_database() as url:
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (x INTEGER PRIMARY KEY)"))
        yield engine
        engine.dispose()


@pytest.mark.postgres
def test_a_terminated_postgresql_backend_is_transient(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as victim, postgres_engine.connect() as admin:
        pid = victim.execute(text("SELECT pg_backend_pid()")).scalar_one()
        admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
        error = raised(lambda: victim.execute(text("SELECT 1")))
    assert isinstance(error, DBAPIError) and error.connection_invalidated
    assert is_transient(error)
    assert is_transient(error.orig)  # type: ignore[arg-type]


@pytest.mark.postgres
def test_a_postgresql_lock_timeout_is_transient(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as holder, postgres_engine.connect() as waiting:
        holder.execute(text("LOCK TABLE t IN ACCESS EXCLUSIVE MODE"))
        waiting.execute(text("SET lock_timeout = '50ms'"))
        error = raised(lambda: waiting.execute(text("SELECT * FROM t")))
        holder.rollback()
    assert isinstance(error, OperationalError)
    assert isinstance(error.orig, psycopg.errors.LockNotAvailable)
    assert is_transient(error)


@pytest.mark.postgres
def test_a_postgresql_statement_timeout_is_transient(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as conn:
        conn.execute(text("SET statement_timeout = '20ms'"))
        error = raised(lambda: conn.execute(text("SELECT pg_sleep(2)")))
    assert isinstance(error, OperationalError)
    assert isinstance(error.orig, psycopg.errors.QueryCanceled)
    assert is_transient(error)


@pytest.mark.postgres
def test_a_postgresql_server_that_cannot_be_reached_is_transient() -> None:
    url = server_url().replace("127.0.0.1:55432", "127.0.0.1:1")
    engine = create_engine(url, connect_args={"connect_timeout": 2})
    error = raised(engine.connect)
    assert isinstance(error, OperationalError)
    assert isinstance(error.orig, psycopg.OperationalError) and error.orig.sqlstate is None
    assert is_transient(error)


@pytest.mark.postgres
def test_postgresql_errors_of_the_statement_are_permanent(postgres_engine: Engine) -> None:
    with postgres_engine.connect() as conn:
        missing = raised(lambda: conn.execute(text("SELECT * FROM nowhere")))
    with postgres_engine.connect() as conn:
        conn.execute(text("INSERT INTO t VALUES (1)"))
        twice = raised(lambda: conn.execute(text("INSERT INTO t VALUES (1)")))
    assert isinstance(missing, ProgrammingError) and not is_transient(missing)
    assert isinstance(twice, IntegrityError) and not is_transient(twice)


# -- the operating system ------------------------------------------------------------------


def test_a_full_disk_and_lost_connections_are_transient() -> None:
    assert is_transient(OSError(errno.ENOSPC, "No space left on device"))
    assert is_transient(ConnectionResetError(errno.ECONNRESET, "reset by peer"))
    assert is_transient(TimeoutError("timed out"))


def test_missing_or_forbidden_files_and_other_errors_are_permanent(tmp_path: Path) -> None:
    missing = raised(lambda: (tmp_path / "absent").read_bytes())
    folder = raised(lambda: tmp_path.read_bytes())
    assert isinstance(missing, FileNotFoundError) and not is_transient(missing)
    assert isinstance(folder, IsADirectoryError) and not is_transient(folder)
    assert not is_transient(PermissionError(errno.EACCES, "Permission denied"))
    assert not is_transient(UnreadableFile("S885827.C1: not a regular file"))
    # The words alone decide nothing: only the type and the code do.
    assert not is_transient(ValueError("connection timeout: database is locked"))
    assert not is_transient(sqlite3.OperationalError("database is locked"))
