"""Database engines and the schema migrations applied on open (SQLite default, PostgreSQL)."""

from __future__ import annotations

import errno
import sqlite3
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, StatementError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from pipeline.config import ConfigError
from pipeline.private import private_file, private_folder

if TYPE_CHECKING:
    from alembic.config import Config

__all__ = [
    "Connection",
    "Engine",
    "MIGRATIONS",
    "MIGRATION_LOCK_KEY",
    "POSTGRESQL_URL",
    "alembic_config",
    "head_revision",
    "make_engine",
    "migrate",
    "no_driver",
    "open_database",
    "parse_url",
    "schema_is_current",
    "serialise_migrations",
]

MIGRATIONS = Path(__file__).parent / "migrations"
VERSION_TABLE = "alembic_version"  # where alembic keeps the revision a database is at


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    # The options are ConfigParser values, where % starts an interpolation: a percent-encoded
    # password (p%40ss) or a % in OST_HOME must be doubled to reach alembic unchanged.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


BUSY_WAIT_MS = 30_000


def _in_wal_mode(cursor: Any) -> None:
    """Turn the database to WAL (a no-op once it is). Turning a new database, which two first
    commands may do at the same moment, needs a lock that SQLite reports as busy at once
    rather than waiting for it: try again, for as long as the busy wait."""
    for waited in range(0, BUSY_WAIT_MS, 50):
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as error:
            code = getattr(error, "sqlite_errorcode", None)
            if code is None or code & 0xFF != sqlite3.SQLITE_BUSY or waited + 50 >= BUSY_WAIT_MS:
                raise
            time.sleep(0.05)


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # A busy wait instead of "database is locked" when two processes touch it at once.
    cursor.execute(f"PRAGMA busy_timeout={BUSY_WAIT_MS}")
    # WAL lets readers (history, export) work while a run writes.
    _in_wal_mode(cursor)
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    # A batch writes millions of rows into indexed tables: a page cache that holds the hot
    # index pages (64 MiB, against SQLite's 2 MiB default) saves rereading them for each row.
    cursor.execute("PRAGMA cache_size=-65536")
    # Each transmission commits a few MiB: with the default checkpoint every 4 MiB of WAL the
    # database file was written back and synced at nearly every commit; every 64 MiB instead.
    cursor.execute("PRAGMA wal_autocheckpoint=16384")
    cursor.close()


def parse_url(url: str) -> URL:
    """`url` as SQLAlchemy reads it; ConfigError (never quoting it: it may hold a password)
    when it is not a database URL."""
    try:
        return make_url(url)
    except ArgumentError:
        raise ConfigError("OST_DATABASE_URL is not a database URL (dialect://...)") from None


def make_engine(url: str) -> Engine:
    """An engine for `url`; SQLite files get their folder created and safe pragmas."""
    parsed = parse_url(url)
    try:
        parsed.get_dialect()
    except NoSuchModuleError:
        raise ConfigError(no_driver(parsed.drivername)) from None
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            # Created 0600 before SQLite opens it: its -wal and -shm files take its mode.
            private_file(private_folder(Path(parsed.database).parent) / Path(parsed.database).name)
        engine = create_engine(url)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    try:
        return create_engine(url, pool_pre_ping=True)
    except ModuleNotFoundError:  # a dialect whose driver is not installed (postgresql:// alone)
        raise ConfigError(no_driver(parsed.drivername)) from None


# The driver installed with the package, for the URLs other tools write for PostgreSQL.
POSTGRESQL_URL = "postgresql+psycopg://user:password@host/database"


def no_driver(drivername: str) -> str:
    """Why a URL's driver cannot be used, and for PostgreSQL the URL that works."""
    reason = f"OST_DATABASE_URL: no database driver for {drivername!r}"
    if drivername.split("+")[0] in {"postgres", "postgresql"}:
        return f"{reason}; for PostgreSQL write {POSTGRESQL_URL}"
    return reason


# Any fixed number: the key of the PostgreSQL advisory lock that serialises migrations.
MIGRATION_LOCK_KEY = 0x05_7001


def head_revision() -> str:
    """The newest migration's revision: each file of migrations/versions is named after its
    revision (0011_console_lookups_indexed.py is revision 0011), one after the other."""
    names = (path.name for path in (MIGRATIONS / "versions").glob("[0-9]*_*.py"))
    return max(name.split("_", 1)[0] for name in names)


def schema_is_current(engine: Engine) -> bool:
    """Whether the database is already at the newest migration, read without alembic (whose
    import costs more than a short command's whole query) and without taking any lock."""
    with engine.connect() as connection:
        if not inspect(connection).has_table(VERSION_TABLE):
            return False
        stored = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
    return [row[0] for row in stored] == [head_revision()]


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there).

    Two processes starting at once on a new database (two first runs) take turns: the second
    waits for the first, then finds the schema current. Without that, both created the tables.
    A database already at the newest revision is left alone without loading alembic; any other
    (new, older, or at a revision this version does not know) goes through alembic, under the
    lock, which upgrades it or refuses it as before.
    """
    if schema_is_current(engine):
        return
    from alembic import command

    config = alembic_config(engine)
    with engine.begin() as connection:
        serialise_migrations(connection)
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def serialise_migrations(connection: Connection) -> None:
    """A lock held until the end of the migrating transaction, taken before reading the schema.

    SQLite: the write lock at once (BEGIN IMMEDIATE; its DDL then runs in that transaction,
    where the driver would otherwise commit each statement). PostgreSQL: an advisory lock.
    """
    if connection.dialect.name == "sqlite":
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    elif connection.dialect.name == "postgresql":
        connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK_KEY})")


def open_database(url: str) -> Engine:
    """An engine on a migrated database; none left open when it cannot be migrated."""
    engine = make_engine(url)
    try:
        migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return engine


# -- failures that a retry can cure ---------------------------------------------------------

# SQLite result codes (the primary code, the low byte of an extended one): another connection
# holds the lock; the disk is full.
TRANSIENT_SQLITE_CODES = frozenset(
    {sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_FULL}
)
# PostgreSQL SQLSTATEs: the connection or the server went away, a serialisation or deadlock
# victim, a lock or statement timeout, too many connections, a full disk.
TRANSIENT_SQLSTATE_CLASSES = ("08",)
TRANSIENT_SQLSTATES = frozenset(
    {"40001", "40P01", "55P03", "57014", "57P01", "57P02", "57P03", "53100", "53300"}
)
# Operating-system errors that pass: a full disk or quota, a busy or exhausted resource.
TRANSIENT_ERRNOS = frozenset(
    {errno.ENOSPC, errno.EDQUOT, errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.EMFILE}
)


def is_database_error(error: BaseException) -> bool:
    """A failure the database driver reported, wrapped by SQLAlchemy with the driver's error."""
    return isinstance(error, DBAPIError) and error.orig is not None


def is_transient(error: BaseException) -> bool:
    """Whether trying again may help, decided by the error's type and code, never its text.

    Transient: a locked or busy database, a lost connection, a timeout, a full disk.
    Everything else (bad SQL, a constraint, a missing or unreadable file) is permanent.
    """
    if isinstance(error, DBAPIError) and error.connection_invalidated:
        return True
    if isinstance(error, StatementError):
        return error.orig is not None and is_transient(error.orig)
    if isinstance(error, PoolTimeout | TimeoutError | ConnectionError):
        return True
    if isinstance(error, sqlite3.Error):
        code = getattr(error, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in TRANSIENT_SQLITE_CODES
    if _is_postgresql_error(error):
        return _transient_postgresql(error)
    return isinstance(error, OSError) and error.errno in TRANSIENT_ERRNOS


def _is_postgresql_error(error: BaseException) -> bool:
    psycopg = sys.modules.get("psycopg")  # loaded whenever one of its errors exists
    return psycopg is not None and isinstance(error, psycopg.Error)


def _transient_postgresql(error: BaseException) -> bool:
    """A SQLSTATE in the table; no SQLSTATE at all is the client's own connection failure."""
    import psycopg

    sqlstate: str | None = getattr(error, "sqlstate", None)
    if sqlstate is None:
        return isinstance(error, psycopg.OperationalError)
    return sqlstate in TRANSIENT_SQLSTATES or sqlstate.startswith(TRANSIENT_SQLSTATE_CLASSES)
