"""Migrations of the console: 0009 adds its accounts to a database of the earlier schema, 0011
indexes its lookups."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import Engine, inspect, select, text

from pipeline.accounts import add_account, authenticate
from pipeline.applicant_search import search_applicants
from pipeline.database import alembic_config, migrate
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
