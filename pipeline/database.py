"""Database engines and the schema migrations applied on open (SQLite default, PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from pipeline.config import ConfigError
from pipeline.private import private_file, private_folder

__all__ = [
    "Connection",
    "Engine",
    "MIGRATIONS",
    "MIGRATION_LOCK_KEY",
    "POSTGRESQL_URL",
    "alembic_config",
    "make_engine",
    "migrate",
    "no_driver",
    "open_database",
    "parse_url",
    "serialise_migrations",
]

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
    # The options are ConfigParser values, where % starts an interpolation: a percent-encoded
    # password (p%40ss) or a % in OST_HOME must be doubled to reach alembic unchanged.
    url = engine.url.render_as_string(hide_password=False)
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def _sqlite_pragmas(dbapi_connection: object, _record: object) -> None:
    cursor = dbapi_connection.cursor()  # type: ignore[attr-defined]
    # WAL lets readers (history, export) work while a run writes; a busy wait instead of
    # "database is locked" when two processes touch it at once.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
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


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest migration (a no-op when it is already there).

    Two processes starting at once on a new database (two first runs) take turns: the second
    waits for the first, then finds the schema current. Without that, both created the tables.
    """
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
    """An engine on a migrated database."""
    engine = make_engine(url)
    migrate(engine)
    return engine
