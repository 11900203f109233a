"""Migration 0009 adds the console's accounts to a database of the earlier schema."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from sqlalchemy import inspect, select, text

from pipeline.accounts import add_account, authenticate
from pipeline.database import alembic_config, make_engine, migrate
from pipeline.models import Transmission
from pipeline.store import table

NOW = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)


def test_an_existing_database_gets_accounts_and_keeps_its_data(database_url: str) -> None:
    engine = make_engine(database_url)
    config = alembic_config(engine)
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0006")
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
