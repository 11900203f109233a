"""Migrations of the console: 0009 adds its accounts to a database of the earlier schema, 0011
indexes its lookups, 0012 drops an index that misled SQLite, 0013 indexes the held records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from pipeline.accounts import add_account, authenticate
from pipeline.applicant_search import search_applicants
from pipeline.database import alembic_config, migrate, open_database
from pipeline.models import Transmission
from pipeline.scope import EVERY_SCHOOL
from pipeline.store import table
from tests.pipeline.test_migrations import engine_at

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_an_existing_database_gets_accounts_and_keeps_its_data(database_url: str) -> None:
    engine = engine_at(database_url, "0006")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO transmission (id, file_name, sha256, size, status, received_at, "
                "students, grades, errors, warnings) "
                "VALUES (1, 'S885827.C1', :sha, 1, 'processed', :now, 1, 1, 0, 0)"
            ),
            {"sha": "0" * 64, "now": NOW},
        )
    assert "consoleuser" not in inspect(engine).get_table_names()
    migrate(engine)
    assert "consoleuser" in inspect(engine).get_table_names()
    with engine.begin() as conn:
        names = conn.execute(select(table(Transmission).c.file_name)).scalars().all()
        add_account(conn, "ops", "operator", [], "operator-secret-1", NOW)
    with engine.connect() as conn:
        assert authenticate(conn, "ops", "operator-secret-1") is not None
    assert names == ["S885827.C1"]
    engine.dispose()


def lookup_indexes(engine: Engine) -> set[str]:
    """The console's lookup indexes the database holds (read from its catalogue: SQLAlchemy
    does not reflect indexes on expressions)."""
    query = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if engine.dialect.name == "sqlite"
        else "SELECT indexname FROM pg_indexes"
    )
    with engine.connect() as conn:
        return {str(name) for name in conn.execute(text(query)).scalars()} & LOOKUP_INDEXES


LOOKUP_INDEXES = {
    "ix_applicant_last_name_lowered",
    "ix_applicant_first_name_lowered",
    "ix_applicant_middle_name_lowered",
    "ix_applicant_previous_last_name_lowered",
    "ix_studentrecord_applicant_match",
    "ix_studentrecord_school_match",
}


def test_migration_0011_indexes_the_consoles_lookups_and_is_undone(database_url: str) -> None:
    engine = engine_at(database_url, "0010")
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO applicant (application_number, first_name, last_name, "
                "school_midents, paid, international, updated_at) "
                "VALUES ('2026-000001', 'Zoé', 'Tremblay-Roy', '', false, false, :now)"
            ),
            {"now": NOW},
        )
    assert lookup_indexes(engine) == set()
    migrate(engine)
    assert lookup_indexes(engine) == LOOKUP_INDEXES
    with engine.connect() as conn:
        found = search_applicants(conn, "TREM zo", EVERY_SCHOOL)
    assert [row["application_number"] for row in found.rows] == ["2026-000001"]
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0010")
    assert lookup_indexes(engine) == set()
    engine.dispose()


HELD_INDEX = "ix_studentrecord_held"


def _indexes(engine: Engine) -> set[str]:
    return {index["name"] for index in inspect(engine).get_indexes("studentrecord")}


def test_migration_0012_drops_the_index_leading_with_the_held_status(database_url: str) -> None:
    engine = engine_at(database_url, "0011")
    with engine.begin() as conn:  # as the earlier form of 0011 created it
        conn.execute(
            text(
                f"CREATE INDEX {HELD_INDEX} ON studentrecord "
                "(match_status, accepted, mident, student_number, transmission_id)"
            )
        )
    assert HELD_INDEX in _indexes(engine)
    migrate(engine)
    assert HELD_INDEX not in _indexes(engine)
    assert {"ix_studentrecord_applicant_match", "ix_student_record_match"} <= _indexes(engine)
    engine.dispose()


HELD_STUDENTS_INDEX = "ix_studentrecord_held_students"


def test_migration_0013_indexes_the_held_records_and_is_undone(database_url: str) -> None:
    engine = engine_at(database_url, "0012")
    assert HELD_STUDENTS_INDEX not in _indexes(engine)
    migrate(engine)
    assert HELD_STUDENTS_INDEX in _indexes(engine)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0012")
    assert HELD_STUDENTS_INDEX not in _indexes(engine)
    engine.dispose()


def test_an_applicants_matched_students_are_read_through_the_applicants_index(
    tmp_path: Path,
) -> None:
    engine = open_database(f"sqlite:///{tmp_path / 'ost.sqlite3'}")
    query = (
        "EXPLAIN QUERY PLAN SELECT id FROM studentrecord WHERE accepted IS 1 "
        "AND match_status = 'matched' AND application_number IN ('2026-000001')"
    )
    with engine.connect() as conn:
        plan = " ".join(str(row[-1]) for row in conn.execute(text(query)))
    assert "ix_studentrecord_applicant_match" in plan
    engine.dispose()
