"""Alembic environment: migrations run on the connection the product hands over."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import pipeline.models  # noqa: F401 - registers the tables on SQLModel.metadata

target_metadata = SQLModel.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    from sqlalchemy import create_engine

    url = context.config.get_main_option("sqlalchemy.url") or "sqlite:///var/ost.sqlite3"
    with create_engine(url).begin() as own_connection:
        context.configure(
            connection=own_connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()
else:
    context.configure(connection=connection, target_metadata=target_metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
