"""Console users as stored: read one by name, add one, change one (docs/console.md)."""

from __future__ import annotations

from sqlalchemy import Connection, insert, select, update

from pipeline.models import ConsoleUser
from pipeline.store.core import table


def user_row(conn: Connection, name: str) -> ConsoleUser | None:
    """The stored user of this name, password hash included."""
    users = table(ConsoleUser)
    row = conn.execute(select(users).where(users.c.name == name)).first()
    return ConsoleUser(**row._mapping) if row else None


def add_user(conn: Connection, row: ConsoleUser) -> None:
    conn.execute(insert(table(ConsoleUser)).values(**row.model_dump()))


def change_user(conn: Connection, name: str, **values: object) -> int:
    """Set these columns of the user; how many users changed (0: no such name)."""
    users = table(ConsoleUser)
    return conn.execute(update(users).where(users.c.name == name).values(**values)).rowcount
