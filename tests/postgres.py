"""A fresh database per test on the PostgreSQL server the test command starts."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

SERVER_ENV = "OST_TEST_POSTGRES_URL"
OPT_OUT_ENV = "OST_SKIP_POSTGRES"


def server_url() -> str:
    """The server's URL; a missing server fails the test unless explicitly opted out."""
    url = os.environ.get(SERVER_ENV)
    if url:
        return url
    if os.environ.get(OPT_OUT_ENV) == "1":
        pytest.skip(f"{OPT_OUT_ENV}=1: PostgreSQL tests opted out")
    pytest.fail(
        f"{SERVER_ENV} is not set: run the suite with scripts/test, which starts PostgreSQL"
    )


@contextmanager
def fresh_database(template: str | None = None) -> Iterator[str]:
    """Create a database (empty, or a copy of the `template` database's URL), yield its URL,
    drop it afterwards."""
    server = make_url(server_url())
    name = f"ost_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    copy = f' TEMPLATE "{make_url(template).database}"' if template else ""
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"{copy}'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
